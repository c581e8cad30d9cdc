package rollup_test

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"testing"
	"time"

	"mari/calendar"
	"mari/dbtest"
	"mari/metrics"
	"mari/queries"
	"mari/rollup"
)

// daily_metrics continues total_users and the month-to-date senders from an earlier day's row
// instead of recounting the history. These tests prove the carried figures are the recount's:
// every carried row is compared with the row the full recount (queries.UpsertDailyMetrics
// without a carry) writes for the same day at the same moment.

// seedBusyMonths writes a seeded, irregular dataset over November 2025 to February 2026: users
// signing up at any second (month and day boundaries included), senders who skip months, come
// back, or send several times a day, every status.
func seedBusyMonths(t *testing.T, db *dbtest.DB) {
	t.Helper()
	g := rand.New(rand.NewSource(7))
	first := dbtest.SAST("2025-11-20 00:00:00")
	last := dbtest.SAST("2026-02-27 00:00:00")
	span := last.Sub(first)
	// Instants that sit on the boundaries the rollup cuts at.
	edges := []string{"2025-11-30 23:59:59", "2025-12-01 00:00:00", "2025-12-31 23:59:59",
		"2026-01-01 00:00:00", "2026-01-31 23:59:59", "2026-02-01 00:00:00", "2026-01-15 00:00:00"}
	type user struct {
		name    string
		created time.Time
	}
	var users []user
	for i := 0; i < 40; i++ {
		at := first.Add(time.Duration(g.Int63n(int64(span))))
		if i < len(edges) {
			at = dbtest.SAST(edges[i])
		}
		u := user{name: fmt.Sprintf("u%02d", i), created: at.Truncate(time.Second)}
		users = append(users, u)
		dbtest.User{Name: u.name, Created: u.created.In(calendar.SAST).Format("2006-01-02 15:04:05")}.Insert(t, db)
	}
	statuses := []string{"COMPLETED", "COMPLETED", "COMPLETED", "FAILED", "PENDING"}
	for i := 0; i < 600; i++ {
		from := users[g.Intn(len(users))]
		to := users[g.Intn(len(users))]
		if !from.created.Before(last) {
			continue
		}
		// Bursts: half the transactions land within two days of the sender's previous burst
		// point, so the same sender is active on neighbouring days and across month ends.
		at := from.created.Add(time.Duration(g.Int63n(int64(last.Sub(from.created)))))
		if i%50 < len(edges) && dbtest.SAST(edges[i%50]).After(from.created) {
			at = dbtest.SAST(edges[i%50])
		}
		dbtest.Tx{From: from.name, To: to.name, Amount: fmt.Sprintf("%d.%02d", 1+g.Intn(500), g.Intn(100)),
			Status: statuses[g.Intn(len(statuses))], At: at.In(calendar.SAST).Format("2006-01-02 15:04:05"),
			ProcessingMS: 100 + g.Intn(5000), Fraud: g.Intn(40) == 0}.Insert(t, db)
	}
}

// dayText is one daily_metrics row as text, every column.
func dayText(t *testing.T, db *dbtest.DB, day calendar.Date) string {
	t.Helper()
	var s string
	if err := db.PG.QueryRow(context.Background(), `SELECT d::text FROM daily_metrics d WHERE date = $1`, day.Time()).Scan(&s); err != nil {
		t.Fatalf("daily_metrics %s: %v", day, err)
	}
	return s
}

// assertRecount checks that the stored row of day is what a full recount at now writes, and
// leaves the recount's (identical) row in place.
func assertRecount(t *testing.T, db *dbtest.DB, day calendar.Date, now time.Time) {
	t.Helper()
	carried := dayText(t, db, day)
	if _, err := queries.UpsertDailyMetrics(context.Background(), db.PG, day, metrics.TransactionFee, now, nil, false, true); err != nil {
		t.Fatal(err)
	}
	if recounted := dayText(t, db, day); recounted != carried {
		t.Errorf("daily_metrics %s:\ncarried   %s\nrecounted %s", day, carried, recounted)
	}
}

func TestCarriedDailyMetricsEqualRecount(t *testing.T) {
	db := dbtest.New(t)
	seedBusyMonths(t, db)
	ctx := context.Background()
	now := sast("2026-03-05 12:00:00")
	r := rollup.New(db.PG, nil, func() time.Time { return now })
	from, to := date("2025-11-01"), date("2026-03-05")
	if err := r.Backfill(ctx, from, to, io.Discard); err != nil {
		t.Fatal(err)
	}
	// The dataset must exercise what the carry could get wrong.
	var retainedDays, newUserDays, carriedSenders int
	if err := db.PG.QueryRow(ctx, `SELECT count(*) FILTER (WHERE mtd_retained_users > 0),
		count(*) FILTER (WHERE new_users > 0),
		count(*) FILTER (WHERE mtd_active_users > active_users AND active_users > 0)
		FROM daily_metrics`).Scan(&retainedDays, &newUserDays, &carriedSenders); err != nil {
		t.Fatal(err)
	}
	if retainedDays < 20 || newUserDays < 20 || carriedSenders < 20 {
		t.Fatalf("dataset too thin: %d days with retained senders, %d with sign-ups, %d mixing new and earlier senders",
			retainedDays, newUserDays, carriedSenders)
	}
	for d := from; !d.After(to); d = d.AddDays(1) {
		assertRecount(t, db, d, now)
	}

	// The carry is really used: a wrong total on one day flows into the next day's run...
	db.Exec(t, `UPDATE daily_metrics SET total_users = total_users + 1000, mtd_active_users = mtd_active_users + 100
		WHERE date = '2026-01-20'`)
	if _, err := r.Day(ctx, date("2026-01-21")); err != nil {
		t.Fatal(err)
	}
	var users, mtd, wantUsers, wantMTD int64
	if err := db.PG.QueryRow(ctx, `SELECT total_users, mtd_active_users FROM daily_metrics WHERE date = '2026-01-21'`).Scan(&users, &mtd); err != nil {
		t.Fatal(err)
	}
	if err := db.PG.QueryRow(ctx, `SELECT count(*) FROM users WHERE created_at < $1`, date("2026-01-22").Start()).Scan(&wantUsers); err != nil {
		t.Fatal(err)
	}
	if err := db.PG.QueryRow(ctx, `SELECT count(DISTINCT sender_id) FROM transactions WHERE created_at >= $1 AND created_at < $2`,
		date("2026-01-01").Start(), date("2026-01-22").Start()).Scan(&wantMTD); err != nil {
		t.Fatal(err)
	}
	if users != wantUsers+1000 || mtd != wantMTD+100 {
		t.Fatalf("21 Jan after a wrong 20 Jan: total_users %d, mtd %d; want the carried %d and %d", users, mtd, wantUsers+1000, wantMTD+100)
	}
	// ...and a backfill from the next day recounts its first day, so the error goes.
	if err := r.Backfill(ctx, date("2026-01-21"), date("2026-01-23"), io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"2026-01-21", "2026-01-22", "2026-01-23"} {
		assertRecount(t, db, date(d), now)
	}
}

// Around midnight the scheduler refreshes today while yesterday has no final run yet, and late
// data for yesterday is still arriving: today must not carry from yesterday's early row.
func TestTodayCarriesOnlyFromSettledDays(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	for _, u := range []dbtest.User{
		{Name: "A", Created: "2026-01-20 10:00:00"}, {Name: "B", Created: "2026-02-01 00:00:00"},
		{Name: "C", Created: "2026-02-10 09:00:00"},
	} {
		u.Insert(t, db)
	}
	for _, x := range []dbtest.Tx{
		{From: "A", To: "B", Amount: "10.00", Status: "COMPLETED", At: "2026-01-25 12:00:00"},
		{From: "A", To: "B", Amount: "11.00", Status: "COMPLETED", At: "2026-02-10 12:00:00"},
		{From: "B", To: "A", Amount: "12.00", Status: "FAILED", At: "2026-02-14 08:00:00"},
	} {
		x.Insert(t, db)
	}
	now := sast("2026-02-14 23:50:00")
	r := rollup.New(db.PG, nil, func() time.Time { return now })
	r.Tick(ctx)
	assertRecount(t, db, date("2026-02-14"), now)

	// Just after midnight someone recomputes 14 February by hand: its row is complete but not
	// settled, as late data may still arrive until 02:00.
	now = sast("2026-02-15 00:05:00")
	if _, err := r.Day(ctx, date("2026-02-14")); err != nil {
		t.Fatal(err)
	}
	// And it does: a sign-up and C's first payment of the month, both before midnight. C pays
	// again on the 15th.
	dbtest.User{Name: "D", Created: "2026-02-14 23:58:00"}.Insert(t, db)
	dbtest.Tx{From: "C", To: "A", Amount: "5.00", Status: "COMPLETED", At: "2026-02-14 23:55:00"}.Insert(t, db)
	dbtest.Tx{From: "C", To: "A", Amount: "6.00", Status: "COMPLETED", At: "2026-02-15 00:20:00"}.Insert(t, db)
	dbtest.Tx{From: "A", To: "C", Amount: "7.00", Status: "COMPLETED", At: "2026-02-15 00:25:00"}.Insert(t, db)

	now = sast("2026-02-15 00:30:00")
	r.Tick(ctx) // 14 February is not final before 02:00; today is refreshed
	var users, mtd, retained int
	if err := db.PG.QueryRow(ctx, `SELECT total_users, mtd_active_users, mtd_retained_users FROM daily_metrics
		WHERE date = '2026-02-15'`).Scan(&users, &mtd, &retained); err != nil {
		t.Fatal(err)
	}
	// Users A, B, C, D; February senders A, B, C; of them only A sent in January.
	if users != 4 || mtd != 3 || retained != 1 {
		t.Fatalf("15 Feb at 00:30: total_users %d, mtd %d, retained %d; want 4, 3, 1", users, mtd, retained)
	}
	assertRecount(t, db, date("2026-02-15"), now)

	now = sast("2026-02-15 02:05:00")
	r.Tick(ctx) // finalises 14 February, then refreshes today carrying from it
	assertRecount(t, db, date("2026-02-14"), now)
	assertRecount(t, db, date("2026-02-15"), now)
}

// seedManyRecipients writes two banks whose months have more recipients than the monthly
// top lists keep, with many ties in completed transactions, over February and March 2026.
func seedManyRecipients(t *testing.T, db *dbtest.DB) {
	t.Helper()
	dbtest.Bank{Code: "ALPHA", Start: "2025-01-01"}.Insert(t, db)
	dbtest.Bank{Code: "BETA", Start: "2025-01-01"}.Insert(t, db)
	for i := 0; i < 8; i++ {
		dbtest.User{Name: fmt.Sprintf("s%d", i), Created: "2026-01-05 10:00:00"}.Insert(t, db)
	}
	for i := 0; i < 250; i++ {
		dbtest.User{Name: fmt.Sprintf("r%03d", i), Created: "2026-01-05 11:00:00"}.Insert(t, db)
	}
	g := rand.New(rand.NewSource(11))
	statuses := []string{"COMPLETED", "COMPLETED", "COMPLETED", "FAILED", "PENDING"}
	start := dbtest.SAST("2026-02-01 00:00:00")
	for i := 0; i < 2400; i++ {
		at := start.Add(time.Duration(g.Int63n(int64(59 * 24 * time.Hour)))).Truncate(time.Second)
		// Recipients drawn unevenly, so each month has clear leaders and a long tail of ties.
		rec := g.Intn(250)
		if g.Intn(3) == 0 {
			rec = g.Intn(15)
		}
		dbtest.Tx{From: fmt.Sprintf("s%d", g.Intn(8)), To: fmt.Sprintf("r%03d", rec), Amount: "10.00",
			Status: statuses[g.Intn(len(statuses))], At: at.In(calendar.SAST).Format("2006-01-02 15:04:05"),
			Bank: []string{"ALPHA", "BETA"}[g.Intn(2)]}.Insert(t, db)
	}
}

// assertMonthListsFromDays checks the running monthly sums against a fresh sum of the days, and
// the top lists and bounds against the definition applied to the days directly.
func assertMonthListsFromDays(t *testing.T, db *dbtest.DB) {
	t.Helper()
	var diff int64
	if err := db.PG.QueryRow(context.Background(), `SELECT count(*) FROM (
		(SELECT month, bank_id, recipient_id, completed FROM bank_monthly_recipients WHERE completed > 0
		 EXCEPT ALL
		 SELECT date_trunc('month', day::timestamp)::date, bank_id, recipient_id, sum(completed) FROM bank_daily_recipients GROUP BY 1, 2, 3)
		UNION ALL
		(SELECT date_trunc('month', day::timestamp)::date, bank_id, recipient_id, sum(completed) FROM bank_daily_recipients GROUP BY 1, 2, 3
		 EXCEPT ALL
		 SELECT month, bank_id, recipient_id, completed FROM bank_monthly_recipients WHERE completed > 0)) x`).Scan(&diff); err != nil {
		t.Fatal(err)
	}
	if diff != 0 {
		t.Errorf("bank_monthly_recipients differs from the sums of bank_daily_recipients in %d rows", diff)
	}
	lists := func(sql string, args ...any) string {
		var s string
		if err := db.PG.QueryRow(context.Background(), sql, args...).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	stored := lists(`SELECT (SELECT string_agg(format('%s/%s/%s/%s', month, bank_id, recipient_id, completed), ' ' ORDER BY month, bank_id, completed DESC, recipient_id)
		FROM bank_monthly_top_recipients) || ' | ' || (SELECT string_agg(format('%s/%s/%s', month, bank_id, others_max), ' ' ORDER BY month, bank_id)
		FROM bank_monthly_recipient_bound)`)
	defined := lists(`WITH m AS (
		SELECT month, bank_id, recipient_id, completed,
		       row_number() OVER (PARTITION BY month, bank_id ORDER BY completed DESC, recipient_id) AS rank
		FROM (SELECT date_trunc('month', day::timestamp)::date AS month, bank_id, recipient_id, sum(completed) AS completed
		      FROM bank_daily_recipients GROUP BY 1, 2, 3) s)
		SELECT (SELECT string_agg(format('%s/%s/%s/%s', month, bank_id, recipient_id, completed), ' ' ORDER BY month, bank_id, completed DESC, recipient_id)
		FROM m WHERE rank <= $1) || ' | ' || (SELECT string_agg(format('%s/%s/%s', month, bank_id, others), ' ' ORDER BY month, bank_id)
		FROM (SELECT month, bank_id, coalesce(max(completed) FILTER (WHERE rank > $1), 0) AS others FROM m GROUP BY 1, 2) b)`,
		queries.MonthlyTopRecipients)
	if stored != defined {
		t.Errorf("monthly top lists:\nstored  %s\ndefined %s", stored, defined)
	}
}

func TestBankMonthlySumsEqualResum(t *testing.T) {
	db := dbtest.New(t)
	seedManyRecipients(t, db)
	ctx := context.Background()
	r := rollup.New(db.PG, nil, func() time.Time { return sast("2026-04-10 12:00:00") })
	if err := r.Backfill(ctx, date("2026-02-01"), date("2026-03-31"), io.Discard); err != nil {
		t.Fatal(err)
	}
	var bounded int
	if err := db.PG.QueryRow(ctx, `SELECT count(*) FROM bank_monthly_recipient_bound WHERE others_max > 0`).Scan(&bounded); err != nil || bounded != 4 {
		t.Fatalf("%d of 4 bank-months have recipients beyond the list (%v); the dataset must exercise the bound", bounded, err)
	}
	assertMonthListsFromDays(t, db)

	// Late changes: a day gains payments, another loses one (completed turned failed), a third
	// loses a recipient's only payment of the day; the days are re-run out of order.
	for i := 0; i < 30; i++ {
		dbtest.Tx{From: "s1", To: fmt.Sprintf("r%03d", 100+i%7), Amount: "1.00", Status: "COMPLETED",
			At: fmt.Sprintf("2026-03-10 12:%02d:00", i), Bank: "ALPHA"}.Insert(t, db)
	}
	db.Exec(t, `UPDATE transactions SET status = 'FAILED', failure_reason = 'bank_timeout'
		WHERE id = (SELECT id FROM transactions WHERE status = 'COMPLETED' AND created_at >= $1 AND created_at < $2
		            ORDER BY created_at LIMIT 1)`, date("2026-03-12").Start(), date("2026-03-12").End())
	db.Exec(t, `DELETE FROM transactions
		WHERE id = (SELECT id FROM transactions WHERE status = 'COMPLETED' AND created_at >= $1 AND created_at < $2
		            ORDER BY created_at LIMIT 1)`, date("2026-02-20").Start(), date("2026-02-20").End())
	for _, d := range []string{"2026-03-12", "2026-02-20", "2026-03-10", "2026-03-12"} {
		if _, err := r.Day(ctx, date(d)); err != nil {
			t.Fatal(err)
		}
	}
	assertMonthListsFromDays(t, db)
}
