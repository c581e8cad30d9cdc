package rollup_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mari/dbtest"
	"mari/rollup"
)

// Runner.Ran hears of every recorded run once, when it has ended: its job and mode, how long
// it ran and its error; a run whose start cannot even be recorded is a failure that never
// started.
func TestRanHearsOfEveryRecordedRun(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	now := sast("2026-03-10 12:00:00")
	r := rollup.New(db.PG, nil, func() time.Time { return now })
	var mu sync.Mutex
	var heard []rollup.RunOutcome
	r.Ran = func(o rollup.RunOutcome) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, o)
	}
	if _, err := r.Day(context.Background(), date("2026-02-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Month(context.Background(), date("2026-02-01")); err != nil {
		t.Fatal(err)
	}
	recorded := db.Int(t, `SELECT count(*) FROM rollup_runs WHERE mode = 'final' AND error IS NULL`)
	if int64(len(heard)) != recorded || recorded < 2 {
		t.Fatalf("heard of %d runs, rollup_runs has %d", len(heard), recorded)
	}
	var jobs []string
	for _, o := range heard {
		if o.Mode != rollup.ModeFinal || !o.Started || o.Took <= 0 || o.Err != nil {
			t.Errorf("run %+v: want a final run that started, took time and succeeded", o)
		}
		jobs = append(jobs, o.Job)
	}
	if !slices.Contains(jobs, rollup.JobDailyMetrics) || !slices.Contains(jobs, rollup.JobCohorts) {
		t.Errorf("heard of the jobs %v, want daily_metrics and cohorts among them", jobs)
	}

	// The database gone: the run cannot even be recorded as started.
	closed, err := pgxpool.New(context.Background(), db.PGURL)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	down := rollup.New(closed, nil, func() time.Time { return now })
	heard = nil
	down.Ran = r.Ran
	if _, err := down.Month(context.Background(), date("2026-02-01")); err == nil {
		t.Fatal("a month rolled up through a closed pool")
	}
	if len(heard) != 1 || heard[0].Job != rollup.JobCohorts || heard[0].Started || heard[0].Err == nil {
		t.Errorf("heard %+v; want one cohorts failure that never started", heard)
	}
}
