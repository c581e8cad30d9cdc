package rollup_test

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mari/calendar"
	"mari/dbtest"
	"mari/metrics"
	"mari/queries"
	"mari/rollup"
)

// A live refresh of today keeps the day's senders and churn candidates between refreshes and
// probes the history only for senders new since the last one. These tests prove that every
// refresh writes exactly what a computation from the source tables writes at the same moment,
// as today's payments arrive in pieces, and that late data for a past day (which sets off a
// backfill) is not hidden by what was kept.

// liveToday is the day the stream of these tests runs on; the churn day is 30 days before.
const liveToday = "2026-02-20"

// seedLiveHistory writes 30 users over January and February 2026 with payments through two
// banks, up to the start of liveToday: senders who pay only before the churn day, in both
// months, or in February only.
func seedLiveHistory(t *testing.T, db *dbtest.DB) {
	t.Helper()
	dbtest.Bank{Code: "ALPHA", Start: "2025-01-01"}.Insert(t, db)
	dbtest.Bank{Code: "BETA", Start: "2025-01-01"}.Insert(t, db)
	for i := 0; i < 30; i++ {
		dbtest.User{Name: fmt.Sprintf("u%02d", i), Created: "2025-12-20 10:00:00"}.Insert(t, db)
	}
	g := rand.New(rand.NewSource(5))
	start := dbtest.SAST("2026-01-01 00:00:00")
	end := date(liveToday).Start()
	statuses := []string{"COMPLETED", "COMPLETED", "FAILED", "PENDING"}
	for i := 0; i < 500; i++ {
		from := g.Intn(30)
		at := start.Add(time.Duration(g.Int63n(int64(end.Sub(start))))).Truncate(time.Second)
		switch {
		case from < 8: // before the churn day only
			at = start.Add(time.Duration(g.Int63n(int64(20 * 24 * time.Hour)))).Truncate(time.Second)
		case from >= 24: // February only
			feb := dbtest.SAST("2026-02-01 00:00:00")
			at = feb.Add(time.Duration(g.Int63n(int64(end.Sub(feb))))).Truncate(time.Second)
		}
		dbtest.Tx{From: fmt.Sprintf("u%02d", from), To: fmt.Sprintf("u%02d", g.Intn(30)), Amount: "10.00",
			Status: statuses[g.Intn(len(statuses))], At: at.In(calendar.SAST).Format("2006-01-02 15:04:05"),
			ProcessingMS: 100 + g.Intn(900), Bank: []string{"ALPHA", "BETA"}[g.Intn(2)]}.Insert(t, db)
	}
	// Senders of the churn day (21 January) to be sure of candidates: u01 and u02 never send
	// again, u03 sends again only today (below).
	for _, from := range []string{"u01", "u02", "u03"} {
		dbtest.Tx{From: from, To: "u10", Amount: "5.00", Status: "COMPLETED", At: "2026-01-21 09:00:00",
			ProcessingMS: 300, Bank: "ALPHA"}.Insert(t, db)
	}
}

// computedToday is today's daily_metrics row and bank_daily_senders rows as text, either as
// stored or as a computation from the source tables at now writes them (inside a transaction
// rolled back, so what the live refreshes kept stays).
func computedToday(t *testing.T, db *dbtest.DB, now time.Time, fromSource bool) string {
	t.Helper()
	ctx := context.Background()
	day := date(liveToday)
	tx, err := db.PG.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if fromSource {
		carry, ok, err := queries.DailyMetricsCarryFor(ctx, tx, day, 7, rollup.FinalizeHour*time.Hour)
		if err != nil || !ok {
			t.Fatalf("carry: %v %v", ok, err)
		}
		if _, err := queries.UpsertDailyMetrics(ctx, tx, day, metrics.TransactionFee, now, &carry, false, true); err != nil {
			t.Fatal(err)
		}
		if _, err := queries.RebuildBankDay(ctx, tx, day, false, false, true); err != nil {
			t.Fatal(err)
		}
	}
	var s string
	if err := tx.QueryRow(ctx, `SELECT (SELECT d::text FROM daily_metrics d WHERE date = $1) || ' | ' ||
		coalesce((SELECT string_agg(format('%s/%s/%s', bank_id, prev_day, senders), ' ' ORDER BY bank_id, prev_day NULLS FIRST)
		FROM bank_daily_senders WHERE day = $1), '')`, day.Time()).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func countRows(t *testing.T, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, sql string) int64 {
	t.Helper()
	var n int64
	if err := q.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLiveRefreshesOfTodayEqualTheSourceTables(t *testing.T) {
	db := dbtest.New(t)
	seedLiveHistory(t, db)
	ctx := context.Background()
	now := sast(liveToday + " 02:30:00")
	r := rollup.New(db.PG, quiet(), func() time.Time { return now })
	if err := r.Backfill(ctx, date("2026-01-01"), date(liveToday).AddDays(-1), io.Discard); err != nil {
		t.Fatal(err)
	}

	// Today's payments arrive in six pieces; the day is refreshed after each.
	g := rand.New(rand.NewSource(9))
	for piece := 0; piece < 6; piece++ {
		now = now.Add(3 * time.Hour)
		for i := 0; i < 15; i++ {
			at := now.Add(-time.Duration(g.Int63n(int64(3 * time.Hour)))).Truncate(time.Second)
			from := fmt.Sprintf("u%02d", 3+g.Intn(27)) // u00–u02 stay away: churned
			if piece == 4 && i == 0 {
				from = "u03" // back after 30 days: no longer churned
			}
			dbtest.Tx{From: from, To: fmt.Sprintf("u%02d", g.Intn(30)), Amount: fmt.Sprintf("%d.25", 1+g.Intn(90)),
				Status: []string{"COMPLETED", "FAILED", "PENDING"}[g.Intn(3)], At: at.In(calendar.SAST).Format("2006-01-02 15:04:05"),
				ProcessingMS: 100 + g.Intn(900), Bank: []string{"ALPHA", "BETA"}[g.Intn(2)]}.Insert(t, db)
		}
		if _, err := r.Day(ctx, date(liveToday)); err != nil {
			t.Fatal(err)
		}
		live, want := computedToday(t, db, now, false), computedToday(t, db, now, true)
		if live != want {
			t.Fatalf("after piece %d:\nlive refresh %s\nsource       %s", piece, live, want)
		}
	}
	// The refreshes used what they kept, and the data exercised it.
	kept := countRows(t, db.PG, `SELECT count(*) FROM live_day_senders WHERE day = '`+liveToday+`'`)
	bankKept := countRows(t, db.PG, `SELECT count(*) FROM live_day_bank_senders WHERE day = '`+liveToday+`' AND prev_day IS NOT NULL`)
	candidates := countRows(t, db.PG, `SELECT count(*) FROM live_day_churn_candidates WHERE day = '`+liveToday+`'`)
	var churned, mtd, retained, active int64
	if err := db.PG.QueryRow(ctx, `SELECT churned_users, mtd_active_users, mtd_retained_users, active_users
		FROM daily_metrics WHERE date = $1`, date(liveToday).Time()).Scan(&churned, &mtd, &retained, &active); err != nil {
		t.Fatal(err)
	}
	if kept < 10 || bankKept < 10 || candidates < 3 || churned < 2 || churned >= candidates || retained < 5 || mtd <= active {
		t.Fatalf("dataset too thin: %d senders kept, %d bank senders with a previous day, %d candidates, churned %d, retained %d, mtd %d, active %d",
			kept, bankKept, candidates, churned, retained, mtd, active)
	}

	// Late data: a payment on the churn day by someone who never sent again (a new candidate),
	// and one earlier this month by a sender who until now first sent today. The ingestion marks
	// the days, and the scheduler backfills from the earliest through today, which computes
	// today afresh (not from what was kept); the next live refresh continues from that and
	// agrees with the source tables again.
	newToday := ""
	for i := 3; i < 30 && newToday == ""; i++ {
		name := fmt.Sprintf("u%02d", i)
		var isNew bool
		err := db.PG.QueryRow(ctx, `SELECT NOT earlier_this_month FROM live_day_senders WHERE day = $1 AND sender_id = $2`,
			date(liveToday).Time(), dbtest.UserID(name)).Scan(&isNew)
		if err == nil && isNew {
			newToday = name
		}
	}
	if newToday == "" {
		t.Fatal("no sender new to the month today")
	}
	dbtest.Tx{From: "u00", To: "u10", Amount: "5.00", Status: "COMPLETED", At: "2026-01-21 10:00:00", ProcessingMS: 300, Bank: "BETA"}.Insert(t, db)
	dbtest.Tx{From: newToday, To: "u10", Amount: "5.00", Status: "COMPLETED", At: "2026-02-03 10:00:00", ProcessingMS: 300, Bank: "BETA"}.Insert(t, db)
	if err := r.Backfill(ctx, date("2026-01-21"), date(liveToday), io.Discard); err != nil {
		t.Fatal(err)
	}
	var u00Kept, newTodayEarlier bool
	if err := db.PG.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM live_day_churn_candidates WHERE day = $1 AND sender_id = $2),
		(SELECT earlier_this_month FROM live_day_senders WHERE day = $1 AND sender_id = $3)`,
		date(liveToday).Time(), dbtest.UserID("u00"), dbtest.UserID(newToday)).Scan(&u00Kept, &newTodayEarlier); err != nil {
		t.Fatal(err)
	}
	if !u00Kept || !newTodayEarlier {
		t.Errorf("after the backfill through today: u00 a churn candidate %v, %s sent earlier this month %v; want both", u00Kept, newToday, newTodayEarlier)
	}
	now = now.Add(10 * time.Minute)
	if _, err := r.Day(ctx, date(liveToday)); err != nil {
		t.Fatal(err)
	}
	if live, want := computedToday(t, db, now, false), computedToday(t, db, now, true); live != want {
		t.Fatalf("after late data:\nlive refresh %s\nsource       %s", live, want)
	}
	var churnedAfter int64
	if err := db.PG.QueryRow(ctx, `SELECT churned_users FROM daily_metrics WHERE date = $1`, date(liveToday).Time()).Scan(&churnedAfter); err != nil {
		t.Fatal(err)
	}
	if churnedAfter != churned+1 {
		t.Errorf("churned after u00's late payment on the churn day: %d, want %d", churnedAfter, churned+1)
	}
}
