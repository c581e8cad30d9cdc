package rollup_test

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	"mari/dbtest"
	"mari/rollup"
)

// Test data is written in SAST wall-clock time.
var (
	sast = dbtest.SAST
	date = dbtest.Date
)

// seed builds the hand-worked dataset:
//
//	users      M (merchant) 2025-12-01 12:00   cohort Dec 2025
//	           A            2026-01-10 10:00   cohort Jan
//	           B            2026-01-31 23:30   cohort Jan (21:30 UTC)
//	           C            2026-02-01 00:10   cohort Feb (22:10 UTC on 31 Jan)
//	tx7  A→M   7.00 COMPLETED 2026-01-15 12:00            400 ms
//	tx1  A→M 100.00 COMPLETED 2026-01-31 23:59:59 SAST   1000 ms  (last second of January)
//	tx2  A→M  50.50 COMPLETED 2026-02-01 00:00:00 SAST   2000 ms  (first second of February)
//	tx3  B→M  20.00 FAILED    2026-02-01 08:00            500 ms
//	tx4  C→M  30.25 COMPLETED 2026-02-01 09:00, fraud    3000 ms
//	tx5  A→M  10.00 PENDING   2026-02-01 10:00
//	tx6  B→M   5.00 COMPLETED 2026-03-02 12:00            800 ms
func seed(t *testing.T, db *dbtest.DB) {
	users := []struct{ name, created string }{
		{"M", "2025-12-01 12:00:00"}, {"A", "2026-01-10 10:00:00"},
		{"B", "2026-01-31 23:30:00"}, {"C", "2026-02-01 00:10:00"},
	}
	for i, u := range users {
		db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at)
			VALUES ($1, $2, $3, 'k', $4)`, uid(u.name), fmt.Sprintf("phone-%d", i), "blood-"+u.name, sast(u.created))
	}
	txs := []struct {
		n      int
		from   string
		amount string
		status string
		at     string
		ms     int
		fraud  bool
	}{
		{7, "A", "7.00", "COMPLETED", "2026-01-15 12:00:00", 400, false},
		{1, "A", "100.00", "COMPLETED", "2026-01-31 23:59:59", 1000, false},
		{2, "A", "50.50", "COMPLETED", "2026-02-01 00:00:00", 2000, false},
		{3, "B", "20.00", "FAILED", "2026-02-01 08:00:00", 500, false},
		{4, "C", "30.25", "COMPLETED", "2026-02-01 09:00:00", 3000, true},
		{5, "A", "10.00", "PENDING", "2026-02-01 10:00:00", 0, false},
		{6, "B", "5.00", "COMPLETED", "2026-03-02 12:00:00", 800, false},
	}
	for _, x := range txs {
		at := sast(x.at)
		var completedAt, ms, reason any
		if x.status != "PENDING" {
			completedAt, ms = at.Add(time.Duration(x.ms)*time.Millisecond), x.ms
		}
		if x.status == "FAILED" {
			reason = "insufficient_funds"
		}
		db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash,
				created_at, completed_at, channel, processing_time_ms, failure_reason, is_fraud)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'online', $8, $9, $10)`,
			uid(x.from), uid("M"), x.amount, x.status, fmt.Sprintf("seal-%d", x.n), at, completedAt, ms, reason, x.fraud)
	}
}

func uid(name string) string {
	return map[string]string{
		"M": "00000000-0000-4000-8000-00000000000d", "A": "00000000-0000-4000-8000-00000000000a",
		"B": "00000000-0000-4000-8000-00000000000b", "C": "00000000-0000-4000-8000-00000000000c",
	}[name]
}

type dayRow struct {
	Total, Successful, Failed, Pending, Fraud int64
	Volume, Revenue                           string
	Active, MTDActive, MTDRetained, New       int
	TotalUsers                                int64
	Churned                                   int
	Avg, Median                               *string
	P50, P95                                  *int
	Complete                                  bool
}

func readDay(t *testing.T, db *dbtest.DB, day string) dayRow {
	t.Helper()
	var r dayRow
	err := db.PG.QueryRow(context.Background(), `SELECT total_transactions, successful_transactions,
		failed_transactions, pending_transactions, fraud_transactions, total_volume::text,
		transaction_revenue::text, active_users, mtd_active_users, mtd_retained_users, new_users,
		total_users, churned_users, avg_transaction_amount::text, median_transaction_amount::text,
		p50_processing_time_ms, p95_processing_time_ms, day_complete
		FROM daily_metrics WHERE date = $1`, day).Scan(&r.Total, &r.Successful, &r.Failed, &r.Pending,
		&r.Fraud, &r.Volume, &r.Revenue, &r.Active, &r.MTDActive, &r.MTDRetained, &r.New, &r.TotalUsers,
		&r.Churned, &r.Avg, &r.Median, &r.P50, &r.P95, &r.Complete)
	if err != nil {
		t.Fatalf("daily_metrics %s: %v", day, err)
	}
	return r
}

func sp(s string) *string { return &s }
func ip(i int) *int       { return &i }

func TestDailyMetricsByHand(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	now := sast("2026-04-05 01:00:00")
	r := rollup.New(db.PG, nil, func() time.Time { return now })
	if err := r.Backfill(context.Background(), date("2025-12-01"), date("2026-03-31"), io.Discard); err != nil {
		t.Fatal(err)
	}

	want := map[string]dayRow{
		// Only tx1: the last second of January stays in January. B signed up at 23:30.
		// Users by the end of the day: M, A, B. January senders so far: A. Nobody sent in December.
		"2026-01-31": {Total: 1, Successful: 1, Volume: "100.00", Revenue: "0.10", Active: 1, MTDActive: 1,
			New: 1, TotalUsers: 3, Avg: sp("100.00"), Median: sp("100.00"), P50: ip(1000), P95: ip(1000), Complete: true},
		// tx2..tx5. Completed 50.50 + 30.25 = 80.75; average 40.375 rounds to 40.38; the median
		// of two amounts is the lower one (percentile_disc). Final processing times 500, 2000,
		// 3000: p50 2000, p95 3000. Senders A, B, C; of them only A sent in January.
		"2026-02-01": {Total: 4, Successful: 2, Failed: 1, Pending: 1, Fraud: 1, Volume: "80.75", Revenue: "0.20",
			Active: 3, MTDActive: 3, MTDRetained: 1, New: 1, TotalUsers: 4, Avg: sp("40.38"), Median: sp("30.25"),
			P50: ip(2000), P95: ip(3000), Complete: true},
		// A quiet day: a real zero row, month-to-date carries February's three senders.
		"2026-02-15": {Volume: "0.00", Revenue: "0.00", MTDActive: 3, MTDRetained: 1, TotalUsers: 4, Complete: true},
		// tx6. March so far: B, who also sent in February.
		"2026-03-02": {Total: 1, Successful: 1, Volume: "5.00", Revenue: "0.10", Active: 1, MTDActive: 1,
			MTDRetained: 1, TotalUsers: 4, Avg: sp("5.00"), Median: sp("5.00"), P50: ip(800), P95: ip(800), Complete: true},
		// 30 days after 1 February: A and C sent that day and never since; B came back on 2 March.
		"2026-03-03": {Volume: "0.00", Revenue: "0.00", MTDActive: 1, MTDRetained: 1, TotalUsers: 4, Churned: 2, Complete: true},
	}
	for day, w := range want {
		if got := readDay(t, db, day); !reflect.DeepEqual(got, w) {
			t.Errorf("daily_metrics %s:\n got %+v\nwant %+v", day, fmtRow(got), fmtRow(w))
		}
	}
	var days int
	if err := db.PG.QueryRow(context.Background(), `SELECT count(*) FROM daily_metrics`).Scan(&days); err != nil || days != 121 {
		t.Errorf("daily_metrics rows = %d (%v), want 121 (1 Dec to 31 Mar, one per day, quiet days included)", days, err)
	}
}

func fmtRow(r dayRow) string {
	s := fmt.Sprintf("%+v", r)
	deref := func(p *string) string {
		if p == nil {
			return "nil"
		}
		return *p
	}
	di := func(p *int) string {
		if p == nil {
			return "nil"
		}
		return fmt.Sprint(*p)
	}
	return s + fmt.Sprintf(" avg=%s median=%s p50=%s p95=%s", deref(r.Avg), deref(r.Median), di(r.P50), di(r.P95))
}

func TestCohortRetentionByHand(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	now := sast("2026-04-05 01:00:00")
	r := rollup.New(db.PG, nil, func() time.Time { return now })
	if err := r.Backfill(context.Background(), date("2025-12-01"), date("2026-03-31"), io.Discard); err != nil {
		t.Fatal(err)
	}
	rows, err := db.PG.Query(context.Background(), `SELECT cohort_month::text, months_since_signup,
		cohort_size, active_users, transactions, completed_volume::text
		FROM cohort_retention ORDER BY cohort_month, months_since_signup`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var cohort, vol string
		var k, size, active int
		var tx int64
		if err := rows.Scan(&cohort, &k, &size, &active, &tx, &vol); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s+%d size=%d active=%d tx=%d vol=%s", cohort, k, size, active, tx, vol))
	}
	want := []string{
		// M never sends: a real zero in every month that has begun.
		"2025-12-01+0 size=1 active=0 tx=0 vol=0.00",
		"2025-12-01+1 size=1 active=0 tx=0 vol=0.00",
		"2025-12-01+2 size=1 active=0 tx=0 vol=0.00",
		"2025-12-01+3 size=1 active=0 tx=0 vol=0.00",
		// January cohort A and B. January: A (tx7, tx1). February: A (tx2, tx5 pending) and B
		// (tx3 failed): tx2 at 00:00:00 SAST on 1 February counts in February only.
		"2026-01-01+0 size=2 active=1 tx=2 vol=107.00",
		"2026-01-01+1 size=2 active=2 tx=3 vol=50.50",
		"2026-01-01+2 size=2 active=1 tx=1 vol=5.00",
		// C signed up at 00:10 SAST on 1 February (still 31 January in UTC): February cohort.
		"2026-02-01+0 size=1 active=1 tx=1 vol=30.25",
		"2026-02-01+1 size=1 active=0 tx=0 vol=0.00",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("cohort_retention:\n got %q\nwant %q", got, want)
	}
}

// Re-running a period rewrites identical rows, and every run is recorded.
func TestRollupsAreIdempotentAndRecorded(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	now := sast("2026-04-05 01:00:00")
	r := rollup.New(db.PG, nil, func() time.Time { return now })
	ctx := context.Background()
	snapshot := func() string {
		var s string
		err := db.PG.QueryRow(ctx, `SELECT
			(SELECT coalesce(string_agg(d::text, ';' ORDER BY d.date), '') FROM daily_metrics d) || '|' ||
			(SELECT coalesce(string_agg(u::text, ';' ORDER BY u.user_id, u.activity_month), '') FROM user_cohorts u) || '|' ||
			(SELECT coalesce(string_agg(c::text, ';' ORDER BY c.cohort_month, c.months_since_signup), '') FROM cohort_retention c)`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if err := r.Backfill(ctx, date("2025-12-01"), date("2026-03-31"), io.Discard); err != nil {
		t.Fatal(err)
	}
	first := snapshot()
	if err := r.Backfill(ctx, date("2025-12-01"), date("2026-03-31"), io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Day(ctx, date("2026-02-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Month(ctx, date("2026-02-01")); err != nil {
		t.Fatal(err)
	}
	if second := snapshot(); second != first {
		t.Fatalf("re-running changed the rollups:\nfirst  %s\nsecond %s", first, second)
	}
	var runs, failed, unfinished int
	// Other day jobs (banks, growth) have their own tests; these counts are the two jobs here,
	// while failures and unfinished runs count across every job.
	err := db.PG.QueryRow(ctx, `SELECT count(*) FILTER (WHERE job IN ('daily_metrics', 'cohorts')),
		count(*) FILTER (WHERE error IS NOT NULL),
		count(*) FILTER (WHERE finished_at IS NULL) FROM rollup_runs`).Scan(&runs, &failed, &unfinished)
	if err != nil {
		t.Fatal(err)
	}
	// Two backfills of 121 days and 4 months each, then one day and one month.
	if runs != 2*(121+4)+2 || failed != 0 || unfinished != 0 {
		t.Fatalf("rollup_runs: %d runs, %d failed, %d unfinished; want 252, 0, 0", runs, failed, unfinished)
	}
}

// A failing job records its error and writes nothing for that period.
func TestFailedRunIsRecorded(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	// A transaction dated before its sender signed up: a data error the cohort job must not
	// paper over (months_since_signup would be negative).
	db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at)
		VALUES ('00000000-0000-4000-8000-0000000000ee', 'phone-late', 'blood-late', 'k', $1)`, sast("2026-03-10 09:00:00"))
	db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, created_at,
		completed_at, channel, processing_time_ms) VALUES ('00000000-0000-4000-8000-0000000000ee', $1, 1, 'COMPLETED',
		'seal-bad', $2, $2, 'online', 0)`, uid("M"), sast("2026-02-10 09:00:00"))
	r := rollup.New(db.PG, nil, func() time.Time { return sast("2026-04-05 01:00:00") })
	if _, err := r.Month(context.Background(), date("2026-02-01")); err == nil {
		t.Fatal("cohort month with a transaction before signup: want an error")
	}
	var errText string
	var cells int
	err := db.PG.QueryRow(context.Background(), `SELECT error, (SELECT count(*) FROM user_cohorts)
		FROM rollup_runs WHERE job = 'cohorts' ORDER BY id DESC LIMIT 1`).Scan(&errText, &cells)
	if err != nil || errText == "" || cells != 0 {
		t.Fatalf("recorded error %q, user_cohorts rows %d (%v); want an error and 0 rows", errText, cells, err)
	}
}

// Yesterday is finalised only after 02:00 SAST, once; missed days are caught up.
func TestSchedulerFinalisesAfterTwoAM(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	ctx := context.Background()
	now := sast("2026-03-03 01:30:00")
	r := rollup.New(db.PG, nil, func() time.Time { return now })

	// Nothing has ever run: the last 7 days before yesterday need a final run; yesterday
	// (2 March) waits for 02:00.
	got := r.DaysToFinalize(ctx, now)
	if len(got) != 6 || got[0].String() != "2026-02-24" || got[5].String() != "2026-03-01" {
		t.Fatalf("at 01:30: DaysToFinalize = %v, want 24 Feb to 1 Mar", got)
	}
	r.Tick(ctx)
	if got := r.DaysToFinalize(ctx, now); len(got) != 0 {
		t.Fatalf("after a tick at 01:30: DaysToFinalize = %v, want none", got)
	}
	// Today's partial row exists and says it is partial.
	if row := readDay(t, db, "2026-03-03"); row.Complete {
		t.Fatal("today's row is marked complete")
	}

	now = sast("2026-03-03 02:05:00")
	if got := r.DaysToFinalize(ctx, now); len(got) != 1 || got[0].String() != "2026-03-02" {
		t.Fatalf("at 02:05: DaysToFinalize = %v, want [2026-03-02]", got)
	}
	r.Tick(ctx)
	if got := r.DaysToFinalize(ctx, now); len(got) != 0 {
		t.Fatalf("after the 02:05 tick: DaysToFinalize = %v, want none", got)
	}
	if row := readDay(t, db, "2026-03-02"); !row.Complete || row.Volume != "5.00" {
		t.Fatalf("2 March after finalising: %+v", fmtRow(row))
	}
	var finals int
	if err := db.PG.QueryRow(ctx, `SELECT count(*) FROM rollup_runs WHERE job = 'daily_metrics'
		AND period_start = '2026-03-02' AND mode = 'final'`).Scan(&finals); err != nil || finals != 1 {
		t.Fatalf("final runs for 2 March = %d (%v), want 1", finals, err)
	}
	// One day job whose final run failed (here: its record says so) makes the day due again,
	// even though daily_metrics succeeded; the next tick retries it.
	db.Exec(t, `UPDATE rollup_runs SET error = 'simulated failure' WHERE job = 'bank_daily'
		AND period_start = '2026-03-02' AND mode = 'final'`)
	if got := r.DaysToFinalize(ctx, now); len(got) != 1 || got[0].String() != "2026-03-02" {
		t.Fatalf("after a failed bank_daily final run: DaysToFinalize = %v, want [2026-03-02]", got)
	}
	r.Tick(ctx)
	if got := r.DaysToFinalize(ctx, now); len(got) != 0 {
		t.Fatalf("after the retry: DaysToFinalize = %v, want none", got)
	}
}
