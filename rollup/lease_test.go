package rollup_test

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"mari/dbtest"
	"mari/queries"
	"mari/rollup"
)

// dayJobNames are the day jobs registered today; the expectations below are per day job.
var dayJobNames = []string{rollup.JobDailyMetrics, rollup.JobBankDaily, rollup.JobGrowth}

// runCounts counts rollup_runs by "job mode period_start", and fails on a run with an error.
func runCounts(t *testing.T, db *dbtest.DB) map[string]int {
	t.Helper()
	rows, err := db.PG.Query(context.Background(), `SELECT job, mode, period_start::text, count(*),
		count(*) FILTER (WHERE error IS NOT NULL OR finished_at IS NULL)
		FROM rollup_runs GROUP BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var job, mode, day string
		var n, failed int
		if err := rows.Scan(&job, &mode, &day, &n, &failed); err != nil {
			t.Fatal(err)
		}
		if failed > 0 {
			t.Errorf("%s %s %s: %d runs failed or never finished", job, mode, day, failed)
		}
		out[job+" "+mode+" "+day] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func diffCounts(got, want map[string]int) string {
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if got[k] != want[k] {
			fmt.Fprintf(&b, "  %s: %d runs, want %d\n", k, got[k], want[k])
		}
	}
	return b.String()
}

// quiet is a logger for tests that expect errors in their logs.
func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// Two instances' schedulers, ticking at the same moments round after round on one database,
// write rollup_runs exactly as one scheduler would: the catch-up once, each day's final run
// once, one refresh of today per round. Without the lease, the same rounds run everything
// twice.
func TestTwoSchedulersRunEachJobOnce(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	ctx := context.Background()
	var clock time.Time // changed only between rounds, while no scheduler runs
	now := func() time.Time { return clock }
	a := rollup.NewScheduler(rollup.New(db.PG, quiet(), now), time.Minute)
	b := rollup.NewScheduler(rollup.New(db.PG, quiet(), now), time.Minute)
	a.Holder, b.Holder = "instance-a", "instance-b"

	const rounds = 4
	led := map[string]int{}
	together := func() {
		var wg sync.WaitGroup
		var mu sync.Mutex
		start := make(chan struct{})
		for _, s := range []*rollup.Scheduler{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if s.Tick(ctx) {
					mu.Lock()
					led[s.Holder]++
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
	}

	// Day 1, 2 March 10:00 SAST: the first leader catches up every day job from the first
	// signup (1 Dec 2025) to today, 92 days, which leaves no past day to finalise; each round
	// then refreshes today and March's cohorts.
	clock = sast("2026-03-02 10:00:00")
	for range rounds {
		together()
	}
	// Day 2, 3 March 10:00: 2 March is final now (its last runs started before 3 March
	// 02:00), once; finalising it refreshes March's cohorts once more; each round refreshes
	// 3 March and March's cohorts.
	clock = sast("2026-03-03 10:00:00")
	for range rounds {
		together()
	}

	want := map[string]int{}
	for _, job := range dayJobNames {
		for d := date("2025-12-01"); !d.After(date("2026-03-02")); d = d.AddDays(1) {
			want[job+" backfill "+d.String()] = 1
		}
		want[job+" partial 2026-03-02"] = rounds
		want[job+" final 2026-03-02"] = 1
		want[job+" partial 2026-03-03"] = rounds
	}
	want[rollup.JobCohorts+" partial 2026-03-01"] = 2*rounds + 1
	got := runCounts(t, db)
	if d := diffCounts(got, want); d != "" {
		t.Errorf("rollup_runs after %d rounds of two schedulers differ from one scheduler's:\n%s", 2*rounds, d)
	}
	total := 0
	for _, n := range got {
		total += n
	}
	if total != 3*(92+2*rounds+1)+2*rounds+1 {
		t.Errorf("%d runs in all; want %d", total, 3*(92+2*rounds+1)+2*rounds+1)
	}
	// One instance led every round; the other did nothing.
	if len(led) != 1 || led[a.Holder]+led[b.Holder] != 2*rounds {
		t.Errorf("rounds led: %v; want all %d by one instance", led, 2*rounds)
	}
	lease, ok, err := queries.LeaseHolder(ctx, db.PG, rollup.LeaseName)
	if err != nil || !ok || !lease.Live || led[lease.Holder] != 2*rounds {
		t.Errorf("scheduler_leases: %+v (found %v, %v); want the live lease of the instance that led", lease, ok, err)
	}
	t.Logf("two schedulers × %d rounds: %d runs, as one scheduler; %s led every round", 2*rounds, total, lease.Holder)

	// The same kind of round without the lease (plain Runner.Tick on both instances) refreshes
	// today twice: what the counts above would have shown.
	before := got[rollup.JobDailyMetrics+" partial 2026-03-03"]
	var wg sync.WaitGroup
	for _, s := range []*rollup.Scheduler{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); s.Runner.Tick(ctx) }()
	}
	wg.Wait()
	if n := runCounts(t, db)[rollup.JobDailyMetrics+" partial 2026-03-03"] - before; n != 2 {
		t.Errorf("two unleased ticks refreshed today %d times; want 2", n)
	}
}

// When the leader stops renewing (it crashed or froze), a standby takes over once the lease
// has expired by the database clock, not before; the old leader, back, stands by. A leader
// that stops cleanly hands the lease on at once.
func TestSchedulerTakesOverWhenTheLeaderStops(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	now := func() time.Time { return sast("2026-03-02 10:00:00") }
	newScheduler := func(holder string) *rollup.Scheduler {
		s := rollup.NewScheduler(rollup.New(db.PG, quiet(), now), 50*time.Millisecond)
		// A round's own deadline would be three refreshes (150 ms): a loaded machine (the
		// whole suite running at once) can miss that and fail a job, which is not what this
		// test is about.
		s.Holder, s.LeaseTTL, s.TickTimeout = holder, 1500*time.Millisecond, time.Minute
		return s
	}
	a, b := newScheduler("instance-a"), newScheduler("instance-b")
	refreshes := func() int {
		return runCounts(t, db)[rollup.JobDailyMetrics+" partial 2026-03-02"]
	}
	holder := func() queries.Lease {
		l, ok, err := queries.LeaseHolder(ctx, db.PG, rollup.LeaseName)
		if err != nil || !ok {
			t.Fatalf("no lease row (%v)", err)
		}
		return l
	}

	if !a.Tick(ctx) || b.Tick(ctx) {
		t.Fatal("want A to lead and B to stand by")
	}
	if n := refreshes(); n != 1 {
		t.Fatalf("today refreshed %d times after A's round; want 1", n)
	}
	// A stops renewing. Until its lease expires B still stands by and does nothing.
	stopped := holder()
	if b.Tick(ctx) {
		t.Fatal("B took over a live lease")
	}
	var took time.Duration
	start := time.Now()
	for !b.Tick(ctx) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("B did not take over within 10 s of a 1.5 s lease")
		}
		time.Sleep(50 * time.Millisecond)
	}
	took = time.Since(start)
	taken := holder()
	if taken.Holder != "instance-b" || taken.AcquiredAt.Before(stopped.ExpiresAt) {
		t.Errorf("lease after takeover: %s acquired at %s; want instance-b, not before A's expiry %s",
			taken.Holder, taken.AcquiredAt, stopped.ExpiresAt)
	}
	if n := refreshes(); n != 2 {
		t.Errorf("today refreshed %d times after B's first round; want 2 (A's, then B's)", n)
	}
	// A comes back: B keeps the lease, A does nothing.
	if a.Tick(ctx) {
		t.Error("A took the lease back from a live B")
	}
	if n := refreshes(); n != 2 {
		t.Errorf("today refreshed %d times after A came back; want still 2", n)
	}
	t.Logf("B took over %s after A stopped renewing a %s lease", took.Round(10*time.Millisecond), b.LeaseTTL)

	// B runs on its timer and is then stopped cleanly: it releases the lease, and A leads at
	// its very next round, long before B's lease would have expired.
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { b.Run(runCtx); close(done) }()
	time.Sleep(200 * time.Millisecond)
	cancel()
	<-done
	if _, ok, err := queries.LeaseHolder(ctx, db.PG, rollup.LeaseName); err != nil || ok {
		t.Fatalf("after B stopped cleanly the lease row is still there (%v)", err)
	}
	handedOver := time.Now()
	if !a.Tick(ctx) {
		t.Fatal("A did not lead right after B released the lease")
	}
	if d := time.Since(handedOver); d > b.LeaseTTL {
		t.Errorf("handing over took %s", d)
	}
	if holder().Holder != "instance-a" {
		t.Error("the lease does not name A")
	}
}

// A rollup job run has a deadline (Runner.JobTimeout), and so does a scheduler round as a
// whole (TickTimeout): a run blocked on a lock is cancelled and recorded as failed instead of
// holding the scheduler for ever.
func TestRollupRunsHaveDeadlines(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	now := func() time.Time { return sast("2026-03-02 10:00:00") }

	// Someone holds daily_metrics locked; every daily_metrics run waits for it.
	lock, err := db.PG.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = lock.Rollback(ctx) }()
	if _, err := lock.Exec(ctx, `LOCK TABLE daily_metrics IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	r := rollup.New(db.PG, quiet(), now)
	r.JobTimeout = 300 * time.Millisecond
	start := time.Now()
	_, err = r.Day(ctx, date("2026-03-01"))
	took := time.Since(start)
	if err == nil || took > 3*time.Second {
		t.Fatalf("a daily_metrics run blocked on a lock with a 300 ms deadline: err %v after %s; want an error after about 300 ms", err, took)
	}
	var recorded string
	if err := db.PG.QueryRow(ctx, `SELECT coalesce(error, '') FROM rollup_runs WHERE job = $1 AND period_start = '2026-03-01'`,
		rollup.JobDailyMetrics).Scan(&recorded); err != nil || recorded == "" {
		t.Fatalf("the timed-out run is not recorded as failed: %q, %v", recorded, err)
	}
	t.Logf("job deadline: cancelled after %s, recorded as %q", took.Round(time.Millisecond), recorded)

	// A round without job deadlines still ends at its own: 8 days of daily_metrics would each
	// wait for the lock.
	s := rollup.NewScheduler(rollup.New(db.PG, quiet(), now), time.Minute)
	s.TickTimeout = 500 * time.Millisecond
	start = time.Now()
	if !s.Tick(ctx) {
		t.Fatal("the only scheduler did not lead")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a round blocked on a lock took %s with a 500 ms round deadline", took)
	} else {
		t.Logf("round deadline: the blocked round ended after %s", took.Round(time.Millisecond))
	}
}

// NewScheduler's lease outlasts three rounds and any job still within its deadline.
func TestSchedulerLeaseLength(t *testing.T) {
	r := rollup.New(nil, nil, nil)
	r.JobTimeout = 5 * time.Minute
	for _, c := range []struct{ refresh, want time.Duration }{
		{5 * time.Minute, 15 * time.Minute},
		{time.Second, 6 * time.Minute},
	} {
		s := rollup.NewScheduler(r, c.refresh)
		if s.LeaseTTL != c.want || s.TickTimeout != c.want {
			t.Errorf("refresh %s, job timeout 5m: lease %s, round deadline %s; want %s", c.refresh, s.LeaseTTL, s.TickTimeout, c.want)
		}
	}
	if a, b := rollup.NewHolderID(), rollup.NewHolderID(); a == b || strings.Count(a, ":") < 2 {
		t.Errorf("holder ids %q and %q: want distinct host:pid:random", a, b)
	}
}
