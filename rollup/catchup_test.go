package rollup_test

import (
	"context"
	"testing"
	"time"

	"mari/dbtest"
	"mari/rollup"
)

// CatchUp fills every day job from the launch month to today on a database that has data but
// no rollups, does nothing the second time, and reruns only a job that has never run (as a
// job added by a newer release has not).
func TestCatchUpFillsOnlyJobsThatNeverRan(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	ctx := context.Background()
	r := rollup.New(db.PG, nil, func() time.Time { return sast("2026-03-03 12:00:00") })
	if err := r.CatchUp(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// The first signup (M) is in December 2025: 1 Dec 2025 to 3 Mar 2026 is 31+31+28+3 = 93 days.
	var days, jobs, runs int
	if err := db.PG.QueryRow(ctx, `SELECT count(*) FROM daily_metrics`).Scan(&days); err != nil {
		t.Fatal(err)
	}
	if days != 93 {
		t.Errorf("daily_metrics has %d days; want 93 (1 Dec 2025 to 3 Mar 2026)", days)
	}
	if err := db.PG.QueryRow(ctx, `SELECT count(DISTINCT job), count(*) FROM rollup_runs WHERE error IS NULL`).Scan(&jobs, &runs); err != nil {
		t.Fatal(err)
	}
	if runs != jobs*93 {
		t.Errorf("%d runs of %d jobs; want 93 each", runs, jobs)
	}
	var total int
	if err := db.PG.QueryRow(ctx, `SELECT total_transactions FROM daily_metrics WHERE date = '2026-02-01'`).Scan(&total); err != nil || total != 4 {
		t.Errorf("1 Feb: %d transactions, %v; want 4", total, err)
	}

	if err := r.CatchUp(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var again int
	_ = db.PG.QueryRow(ctx, `SELECT count(*) FROM rollup_runs`).Scan(&again)
	if again != runs {
		t.Errorf("second CatchUp ran %d more jobs; want none", again-runs)
	}

	// Forget daily_metrics (as if it were new): only it runs again.
	db.Exec(t, `DELETE FROM rollup_runs WHERE job = 'daily_metrics'`)
	db.Exec(t, `DELETE FROM daily_metrics`)
	if err := r.CatchUp(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var dm, others int
	_ = db.PG.QueryRow(ctx, `SELECT count(*) FILTER (WHERE job = 'daily_metrics'), count(*) FILTER (WHERE job <> 'daily_metrics') FROM rollup_runs`).Scan(&dm, &others)
	if dm != 93 || others != runs-93 {
		t.Errorf("after forgetting daily_metrics: %d daily_metrics runs, %d others; want 93 and %d", dm, others, runs-93)
	}
	if err := db.PG.QueryRow(ctx, `SELECT count(*) FROM daily_metrics`).Scan(&days); err != nil || days != 93 {
		t.Errorf("daily_metrics refilled with %d days, %v", days, err)
	}
}
