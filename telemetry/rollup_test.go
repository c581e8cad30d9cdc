package telemetry

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"mari/calendar"
	"mari/dbtest"
	"mari/rollup"
)

// Every recorded rollup run is timed under its job and mode, failed runs included, and a
// failing run counts once under its job; the runs the metrics count are the rows of
// rollup_runs.
func TestRollupRunsAreTimedAndFailuresCounted(t *testing.T) {
	db := world(t)
	tel := New()
	r := rollup.New(db.PG, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return testNow })
	r.Ran = tel.RollupRan
	ctx := context.Background()
	day := calendar.DateOf(testNow).AddDays(-1) // 2026-11-29, over by testNow: a final run

	start := time.Now()
	if _, err := r.Day(ctx, day); err != nil {
		t.Fatal(err)
	}
	wall := time.Since(start)
	jobs := runs(t, db, "final")
	if len(jobs) < 2 || jobs[rollup.JobDailyMetrics] != 1 {
		t.Fatalf("rollup_runs has the final runs %v; want one of every day job", jobs)
	}
	t.Logf("final runs by job: %v", jobs)
	f := scrape(t, tel)
	var total time.Duration
	for job, n := range jobs {
		h := f.histogram(t, "mari_rollup_run_duration_seconds", labels("job", job, "mode", rollup.ModeFinal))
		if h.Count != uint64(n) {
			t.Errorf("%s: %d timed runs, rollup_runs has %d", job, h.Count, n)
		}
		total += time.Duration(h.Sum * float64(time.Second))
		if v := f.find(t, "mari_rollup_run_failures_total", labels("job", job)); v == nil || v.GetCounter().GetValue() != 0 {
			t.Errorf("%s: failures %v, want a series at 0", job, v)
		}
	}
	// The jobs ran one after the other inside the call: their times add up to less than it.
	if total <= 0 || total > wall {
		t.Errorf("the runs took %s in all, the call %s", total, wall)
	}

	// daily_metrics cannot be written: its run fails, is recorded with the error, and counts.
	db.Exec(t, `CREATE FUNCTION refuse_daily_metrics() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN RAISE EXCEPTION 'the test refuses daily_metrics'; END $$`)
	db.Exec(t, `CREATE TRIGGER refuse_daily_metrics BEFORE INSERT OR UPDATE OR DELETE ON daily_metrics
		FOR EACH STATEMENT EXECUTE FUNCTION refuse_daily_metrics()`)
	if _, err := r.Day(ctx, day); err == nil || !strings.Contains(err.Error(), "refuses daily_metrics") {
		t.Fatalf("the day with daily_metrics refused = %v", err)
	}
	if got := db.Text(t, `SELECT error FROM rollup_runs WHERE job = $1 ORDER BY id DESC LIMIT 1`, rollup.JobDailyMetrics); !strings.Contains(got, "refuses daily_metrics") {
		t.Errorf("rollup_runs records %q for the failed run", got)
	}
	f = scrape(t, tel)
	for job, n := range runs(t, db, "final") {
		wantFailures := 0.0
		if job == rollup.JobDailyMetrics {
			wantFailures = 1
		}
		if v := f.counter(t, "mari_rollup_run_failures_total", labels("job", job)); v != wantFailures {
			t.Errorf("%s: %g failures, want %g", job, v, wantFailures)
		}
		if h := f.histogram(t, "mari_rollup_run_duration_seconds", labels("job", job, "mode", rollup.ModeFinal)); h.Count != uint64(n) {
			t.Errorf("%s: %d timed runs after the failure, rollup_runs has %d", job, h.Count, n)
		}
	}
}

// runs counts rollup_runs rows of mode by job.
func runs(t testing.TB, db *dbtest.DB, mode string) map[string]int {
	t.Helper()
	rows, err := db.PG.Query(context.Background(), `SELECT job, count(*) FROM rollup_runs WHERE mode = $1 GROUP BY job`, mode)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var job string
		var n int
		if err := rows.Scan(&job, &n); err != nil {
			t.Fatal(err)
		}
		out[job] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
