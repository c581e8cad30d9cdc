package rollup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"mari/calendar"
	"mari/queries"
)

// LiveRefresh is how often the scheduler looks for newly ingested events to refresh today's
// rollups with: an event shows in them within about this long plus one refresh.
const LiveRefresh = time.Second

// LeaseName is the scheduler_leases row the rollup scheduler runs under.
const LeaseName = "rollup"

// Scheduler runs the rollup jobs on a timer inside `mari serve`. Several instances of the app
// may share one database; each runs a Scheduler, and a lease in PostgreSQL makes one of them
// (the holder) do each round's work while the others stand by.
//
// Why a lease row rather than a session advisory lock: an advisory lock belongs to one
// connection, so it needs a connection pinned for the life of the process, and it is lost
// (and can be taken by another instance) the moment that connection drops, which the holder
// only learns at its next query; a pool that recycles the connection or a proxy in between
// silently breaks it. A lease row is claimed and renewed in one atomic statement over any
// pooled connection against the database clock, expires at a known instant when its holder
// stops renewing (crash, freeze, network cut), and shows in the table who leads and since
// when.
//
// The holder renews the lease before every job run, not only once per round: when it has
// lost the lease (it stalled past the expiry and another instance took over) it stops at the
// next job instead of finishing the round beside the new holder. As long as LeaseTTL exceeds
// the runner's JobTimeout, no two instances run jobs at the same time. Were that ever
// violated, nothing would be corrupted: every job is a pure function of the source tables
// for its period, and cohort rebuilds lock their month, so a duplicate run costs only time.
type Scheduler struct {
	Runner *Runner
	// Holder names this process in scheduler_leases; unique among the instances.
	Holder string
	// Refresh is how often a round runs (and how often a standby tries to take over).
	Refresh time.Duration
	// LeaseTTL is how long a claim or renewal holds the lease: a standby takes over at most
	// this long (plus one Refresh) after the holder stopped.
	LeaseTTL time.Duration
	// TickTimeout bounds one round as a whole.
	TickTimeout time.Duration
	// Live is how often, between rounds, the holder looks for newly ingested events (see
	// LiveTick); 0 turns the look off.
	Live time.Duration
	// Progress receives the catch-up's progress lines; nil discards them.
	Progress io.Writer

	// One goroutine (Run) uses the fields below; a Scheduler is not for concurrent Ticks.
	mayHold        bool      // the database's last answer was "yours": Release deletes the row
	caughtUp       bool      // CatchUp has completed in this process
	state          string    // what was last logged: "leading", "error" or "standby <leader>"
	lastLive       time.Time // when LiveTick last refreshed
	lastLiveRecord time.Time // when it last recorded a refresh in rollup_runs
	liveFailing    bool      // LiveTick's last look failed (and said so)
}

// NewScheduler returns the scheduler of r that runs a round every refresh. The lease lasts
// three rounds, so the holder may miss two renewals (a slow round, a database blip) before a
// standby takes over, and at least a minute beyond r.JobTimeout, so a job still within its
// deadline cannot be overtaken. A round as a whole gets one lease period: by then it is stuck,
// and the next round starts afresh.
func NewScheduler(r *Runner, refresh time.Duration) *Scheduler {
	ttl := 3 * refresh
	if r.JobTimeout > 0 && ttl < r.JobTimeout+time.Minute {
		ttl = r.JobTimeout + time.Minute
	}
	return &Scheduler{Runner: r, Holder: NewHolderID(), Refresh: refresh, LeaseTTL: ttl, TickTimeout: ttl, Live: LiveRefresh}
}

// NewHolderID names this process: host, process id and a random part (a restarted container
// may reuse both host name and pid).
func NewHolderID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Run does a round now and then every Refresh until ctx ends, then hands the lease on (when it
// holds it) so a standby takes over at its next round rather than after the expiry. Errors are
// logged and recorded in rollup_runs; the next round retries, so a database outage heals by
// itself.
func (s *Scheduler) Run(ctx context.Context) {
	defer s.Release()
	ticker := time.NewTicker(s.Refresh)
	defer ticker.Stop()
	var live <-chan time.Time
	if s.Live > 0 {
		lt := time.NewTicker(s.Live)
		defer lt.Stop()
		live = lt.C
	}
	for {
		s.Tick(ctx)
	wait:
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				break wait
			case <-live:
				s.LiveTick(ctx)
			}
		}
	}
}

// LiveTick is the holder's look, between rounds, for ingested events: when days before today
// were changed by late events it recomputes from the earliest of them; when events arrived
// since its last look it refreshes today. Today's figures so follow the stream within a few
// seconds, and a quiet stream costs one cheap query per Live.
func (s *Scheduler) LiveTick(ctx context.Context) {
	if !s.mayHold || !s.renew(ctx) {
		return // a standby: the holder does this
	}
	r := s.Runner
	look := r.Now()
	stale, err := queries.StaleDays(ctx, r.PG)
	if err != nil {
		s.logLive("rollup: reading days changed by late events", err)
		return
	}
	today := calendar.Today(look)
	if len(stale) > 0 {
		from, marked := stale[0].Day, stale[0].MarkedAt
		for _, d := range stale {
			if d.MarkedAt.After(marked) {
				marked = d.MarkedAt
			}
		}
		if err := r.Backfill(ctx, from, today, nil); err != nil {
			s.logLive("rollup: recomputing days changed by late events", err)
			return
		}
		if err := queries.ClearStaleDays(ctx, r.PG, from, marked); err != nil {
			s.logLive("rollup: clearing days changed by late events", err)
			return
		}
		r.Log.Info("rollup: recomputed days changed by late events", "from", from, "to", today)
		s.lastLive = look
		return
	}
	since := s.lastLive.Add(-liveMargin)
	if s.lastLive.IsZero() {
		since = look.Add(-s.Live - liveMargin)
	}
	arrived, err := queries.IngestReceivedSince(ctx, r.PG, since)
	if err != nil {
		s.logLive("rollup: looking for new events", err)
		return
	}
	s.liveFailing = false
	if !arrived {
		return
	}
	s.lastLive = look
	// Recorded in rollup_runs (what the pages' "as of" reads) once a minute, not at every
	// look: a streaming day would otherwise add three rows a second.
	if look.Sub(s.lastLiveRecord) >= liveRecordEvery {
		s.lastLiveRecord = look
		if _, err := r.dayWhile(ctx, today, r.modeFor(today.End()), false, s.renew); err != nil && !errors.Is(err, errStopped) {
			s.logLive("rollup: refreshing today after new events", err)
		}
		return
	}
	for _, job := range dayJobs {
		if !s.renew(ctx) {
			return
		}
		if _, err := r.runUnrecorded(ctx, job, today); err != nil {
			s.logLive("rollup: refreshing today after new events", fmt.Errorf("%s: %w", job.Name, err))
		}
	}
}

// runUnrecorded runs one day job as a live refresh, within the runner's JobTimeout, without a
// rollup_runs row.
func (r *Runner) runUnrecorded(ctx context.Context, job DayJob, day calendar.Date) (int64, error) {
	ctx, cancel := r.jobContext(ctx)
	defer cancel()
	return job.Run(ctx, r, day, Pass{Live: day.End().After(r.Now())})
}

// liveRecordEvery is how often a live refresh of today is recorded in rollup_runs.
const liveRecordEvery = time.Minute

// liveMargin widens each look back: a batch stamps its events when its transaction begins and
// may commit after a look that began later, so each look also covers the seconds before the
// previous one (a few refreshes more after the stream stops, never one missed).
const liveMargin = 3 * time.Second

// logLive logs a live look's failure once until one succeeds (it retries every Live).
func (s *Scheduler) logLive(msg string, err error) {
	if !s.liveFailing {
		s.Runner.Log.Error(msg, "err", err)
		s.liveFailing = true
	}
}

// Tick does one round if this process holds (or can claim) the lease, and reports whether it
// led. The first round it leads also catches up jobs added by a newer release (CatchUp).
func (s *Scheduler) Tick(ctx context.Context) bool {
	if !s.renew(ctx) {
		return false
	}
	if !s.caughtUp {
		// Unbounded by TickTimeout: filling a new job's history can outlast a round; each of
		// its runs still has the runner's JobTimeout and renews the lease first.
		err := s.Runner.catchUpWhile(ctx, s.Progress, s.renew)
		switch {
		case errors.Is(err, errStopped):
			return true
		case err != nil:
			s.Runner.Log.Error("rollup: catching up new jobs", "err", err)
		default:
			s.caughtUp = true
		}
	}
	round, cancel := context.WithTimeout(ctx, s.TickTimeout)
	defer cancel()
	s.Runner.tick(round, s.renew)
	return true
}

// Release gives the lease up if this process holds it.
func (s *Scheduler) Release() {
	if !s.mayHold {
		return
	}
	s.mayHold, s.state = false, ""
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := queries.ReleaseLease(ctx, s.Runner.PG, LeaseName, s.Holder); err != nil {
		s.Runner.Log.Error("rollup: releasing the scheduler lease", "holder", s.Holder, "err", err)
		return
	}
	s.Runner.Log.Info("rollup: scheduler lease released", "holder", s.Holder)
}

// renew claims or renews the lease and reports whether this process holds it now. An error
// counts as not holding it: a round that cannot confirm its lease does no work.
func (s *Scheduler) renew(ctx context.Context) bool {
	if ctx.Err() != nil {
		// The round's deadline or shutdown, not the lease: Release still deletes the row.
		return false
	}
	claimCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	lease, ok, err := queries.ClaimLease(claimCtx, s.Runner.PG, LeaseName, s.Holder, s.LeaseTTL)
	if err == nil {
		// A failed claim (shutdown mid-statement, say) says nothing: the lease may still be ours.
		s.mayHold = ok
	}
	switch {
	case err != nil && ctx.Err() != nil:
		// Cut short by the round's deadline or shutdown: nothing to report.
	case err != nil:
		s.logOnChange("error", func() {
			s.Runner.Log.Error("rollup: cannot claim the scheduler lease; no rollups run here until it can", "holder", s.Holder, "err", err)
		})
	case ok:
		s.logOnChange("leading", func() {
			s.Runner.Log.Info("rollup: this instance runs the rollup scheduler", "holder", s.Holder, "until", lease.ExpiresAt)
		})
	default:
		if other, found, err := queries.LeaseHolder(claimCtx, s.Runner.PG, LeaseName); err == nil && found {
			s.logOnChange("standby "+other.Holder, func() {
				s.Runner.Log.Info("rollup: another instance runs the rollup scheduler; standing by", "holder", s.Holder, "leader", other.Holder, "until", other.ExpiresAt)
			})
		}
	}
	return ok
}

// logOnChange logs once per change of state, not at every round or job.
func (s *Scheduler) logOnChange(state string, log func()) {
	if state != s.state {
		s.state = state
		log()
	}
}
