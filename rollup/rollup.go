// Package rollup computes the PostgreSQL rollups (daily_metrics, user_cohorts,
// cohort_retention) from the source tables, records every run in rollup_runs, and schedules
// them: the seed's Airflow DAG, done in-process.
//
// Every job's rows are a function of the source tables for its period, so running it again
// (a retry, a backfill, late data) rewrites identical rows. Running totals (total users,
// month-to-date senders, a bank's month of recipients) continue from the rows of earlier
// periods instead of re-reading the history, which gives the same numbers as a recount; the
// tests prove it against the recount.
package rollup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mari/calendar"
	"mari/metrics"
	"mari/queries"
)

// Job names as recorded in rollup_runs.
const (
	JobDailyMetrics = "daily_metrics"
	JobCohorts      = "cohorts"
)

// Modes as recorded in rollup_runs.
const (
	ModeFinal    = "final"    // the period had ended when the run started
	ModePartial  = "partial"  // the period was still running (today's figures so far)
	ModeBackfill = "backfill" // an explicit recomputation of a range
)

// Runner runs rollup jobs against one PostgreSQL database.
type Runner struct {
	PG  *pgxpool.Pool
	Log *slog.Logger
	Now func() time.Time
	// JobTimeout is the deadline of each job run (one job for one day or month), recorded as
	// that run's error when it passes; 0 means none. The scheduler inside `mari serve` sets it,
	// so one stuck run cannot stall the scheduler; a backfill at a terminal leaves it 0 (its
	// months can legitimately take minutes at scale, and Ctrl-C stops it).
	JobTimeout time.Duration
	// Ran, when set, is told of every recorded job run once it has ended: the metrics count
	// from it (package telemetry). nil: nobody is told.
	Ran func(RunOutcome)
}

// RunOutcome is one recorded job run, as Runner.Ran hears of it.
type RunOutcome struct {
	Job, Mode string
	// Started: the job itself ran (false when even its start could not be recorded, the
	// database being down, say).
	Started bool
	Took    time.Duration // how long the job ran, by the monotonic clock (not Runner.Now)
	Err     error         // why the run failed; nil when it succeeded
}

// New returns a Runner; log and now may be nil for the defaults.
func New(pg *pgxpool.Pool, log *slog.Logger, now func() time.Time) *Runner {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Runner{PG: pg, Log: log, Now: now}
}

func (r *Runner) modeFor(periodEnd time.Time) string {
	if periodEnd.After(r.Now()) {
		return ModePartial
	}
	return ModeFinal
}

// Day runs every day job for one SAST calendar day (partial while the day is still running)
// and returns the rows written. Its cost is that of the day's own data and the jobs' bounded
// look-back windows (running totals continue from earlier days' rows, see dailyMetrics and
// queries.RebuildBankDay), never of the history before it, so refreshing today is cheap enough
// to repeat every few seconds while events arrive. A caller refreshing today need not
// finalise yesterday first: the scheduler does that after the late-data cut-off, and until
// then today's running totals continue from the day before yesterday.
func (r *Runner) Day(ctx context.Context, day calendar.Date) (int64, error) {
	return r.day(ctx, day, r.modeFor(day.End()))
}

// DayJob is a rollup computed one SAST calendar day at a time. Day jobs run in the order they
// are registered, and a backfill walks days oldest first, so a job may read what it (or an
// earlier job) wrote for previous days.
type DayJob struct {
	Name string
	// Run computes the job for day.
	Run func(ctx context.Context, r *Runner, day calendar.Date, pass Pass) (int64, error)
}

// Pass says how a day job is to compute its day.
type Pass struct {
	// Recount asks a job that continues running totals from an earlier day's rows to count
	// them from the source tables instead: a backfill does so on its first day, so that
	// everything after that day is re-anchored on a fresh count.
	Recount bool
	// Live is a run of a day that is still running (today): a job may keep answers that
	// depend only on the days before it, for the next refresh of the day to continue from.
	Live bool
	// Afresh asks a job to forget what earlier refreshes of the day kept before it computes:
	// every run but the scheduler's refreshes of today. Late data for a past day sets off a
	// backfill through today, so it reaches what is kept.
	Afresh bool
}

// dayJobs lists every day job; other files of this package append theirs in init.
var dayJobs = []DayJob{
	{Name: JobDailyMetrics, Run: dailyMetrics},
}

// carryLookBack is how many days back daily_metrics looks for a row to continue its running
// totals from; further back (or with none) it recounts. Normally the row is yesterday's, or the
// day before while yesterday waits for its final run; the scheduler's catch-up window is as
// long as this, so a scheduler that was down for a few days still finds one.
const carryLookBack = catchUpDays

// dailyMetrics computes one day of daily_metrics. total_users and the month-to-date senders
// are running totals: counting them afresh every day reads all users and the whole month so
// far, a cost that grows with the history (and, for a refresh of today late in a month, takes
// seconds at plan scale). So a day continues them from the newest settled row of the days
// before (one computed after that day's late-data cut-off, FinalizeHour past its end), and
// reads only the days after that row. The result is exactly the recount's as long as the
// carried row is: data that reaches a day later than its cut-off needs a backfill from that
// day, as for bank_daily (the first day of a backfill recounts).
func dailyMetrics(ctx context.Context, r *Runner, day calendar.Date, pass Pass) (int64, error) {
	var carry *queries.DailyMetricsCarry
	if !pass.Recount {
		c, ok, err := queries.DailyMetricsCarryFor(ctx, r.PG, day, carryLookBack, FinalizeHour*time.Hour)
		if err != nil {
			return 0, err
		}
		if ok {
			carry = &c
		}
	}
	return queries.UpsertDailyMetrics(ctx, r.PG, day, metrics.TransactionFee, r.Now(), carry, pass.Live, pass.Afresh)
}

// day runs every day job for one day. A failing job does not stop the others (each is
// recorded on its own); the first error is returned.
func (r *Runner) day(ctx context.Context, day calendar.Date, mode string) (int64, error) {
	return r.dayWhile(ctx, day, mode, false, nil)
}

// errStopped is what a run returns when proceed said no before one of its jobs.
var errStopped = errors.New("stopped before the job")

// dayWhile is day, asking proceed (when not nil) before each job: the scheduler renews its
// lease there, and stops as soon as another instance has taken over. recount is passed on to
// every job (see DayJob).
func (r *Runner) dayWhile(ctx context.Context, day calendar.Date, mode string, recount bool, proceed func(context.Context) bool) (int64, error) {
	var total int64
	var firstErr error
	for _, job := range dayJobs {
		if proceed != nil && !proceed(ctx) {
			return total, errStopped
		}
		n, err := r.dayJob(ctx, job, day, mode, recount)
		total += n
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return total, firstErr
}

func (r *Runner) dayJob(ctx context.Context, job DayJob, day calendar.Date, mode string, recount bool) (int64, error) {
	pass := Pass{Recount: recount, Live: day.End().After(r.Now()), Afresh: mode != ModePartial}
	return r.record(ctx, job.Name, mode, day, day, func(ctx context.Context) (int64, error) {
		return job.Run(ctx, r, day, pass)
	})
}

// Month recomputes user_cohorts and cohort_retention for one activity month.
func (r *Runner) Month(ctx context.Context, month calendar.Date) (int64, error) {
	month = month.MonthStart()
	return r.month(ctx, month, r.modeFor(month.AddMonths(1).Start()))
}

func (r *Runner) month(ctx context.Context, month calendar.Date, mode string) (int64, error) {
	return r.record(ctx, JobCohorts, mode, month, month.MonthEnd(), func(ctx context.Context) (int64, error) {
		var n int64
		err := pgx.BeginFunc(ctx, r.PG, func(tx pgx.Tx) error {
			var err error
			n, err = queries.RebuildCohortMonth(ctx, tx, month)
			return err
		})
		return n, err
	})
}

// record runs job, within r.JobTimeout, and writes its start, end, row count and error to
// rollup_runs.
func (r *Runner) record(ctx context.Context, job, mode string, from, to calendar.Date, run func(context.Context) (int64, error)) (int64, error) {
	ctx, cancel := r.jobContext(ctx)
	defer cancel()
	id, err := queries.StartRollupRun(ctx, r.PG, job, mode, from, to, r.Now())
	if err != nil {
		err = fmt.Errorf("%s %s: recording start: %w", job, from, err)
		r.ran(RunOutcome{Job: job, Mode: mode, Err: err})
		return 0, err
	}
	started := time.Now()
	rows, runErr := run(ctx)
	outcome := RunOutcome{Job: job, Mode: mode, Started: true, Took: time.Since(started)}
	defer func() { r.ran(outcome) }()
	var errText *string
	if runErr != nil {
		s := runErr.Error()
		errText = &s
		rows = 0
	}
	// Record the outcome even when ctx was cancelled mid-run.
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := queries.FinishRollupRun(finishCtx, r.PG, id, r.Now(), rows, errText); err != nil && runErr == nil {
		outcome.Err = fmt.Errorf("%s %s: recording end: %w", job, from, err)
		return rows, outcome.Err
	}
	if runErr != nil {
		outcome.Err = fmt.Errorf("%s %s: %w", job, from, runErr)
		return 0, outcome.Err
	}
	return rows, nil
}

func (r *Runner) ran(o RunOutcome) {
	if r.Ran != nil {
		r.Ran(o)
	}
}

// jobContext is ctx within r.JobTimeout, when it has one: the deadline of one job run.
func (r *Runner) jobContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.JobTimeout > 0 {
		return context.WithTimeout(ctx, r.JobTimeout)
	}
	return context.WithCancel(ctx)
}

// Backfill recomputes every day in [from, to] and every month they touch, writing a progress
// line per month to w. Days after today are skipped: there is nothing to compute yet.
func (r *Runner) Backfill(ctx context.Context, from, to calendar.Date, w io.Writer) error {
	if to.Before(from) {
		return fmt.Errorf("backfill: %s is before %s", to, from)
	}
	if today := calendar.Today(r.Now()); to.After(today) {
		to = today
	}
	if w == nil {
		w = io.Discard
	}
	for _, month := range (calendar.Range{From: from, To: to}).Months() {
		start := time.Now()
		first, last := month, month.MonthEnd()
		if first.Before(from) {
			first = from
		}
		if last.After(to) {
			last = to
		}
		for d := first; !d.After(last); d = d.AddDays(1) {
			if err := ctx.Err(); err != nil {
				return err
			}
			if _, err := r.dayWhile(ctx, d, ModeBackfill, d == from, nil); err != nil {
				return err
			}
		}
		if _, err := r.month(ctx, month, ModeBackfill); err != nil {
			return err
		}
		fmt.Fprintf(w, "rollup %s: days %s to %s and cohorts (%s)\n", month.MonthKey(), first, last, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// CatchUp backfills, from the launch month to today, every day job that has never completed a
// run on a database that has data: a job added by a newer release (with its migration) starts
// with an empty table, and this fills it without recomputing the jobs that are up to date. It
// is cheap when there is nothing to do, so serve and bench call it on every start.
func (r *Runner) CatchUp(ctx context.Context, w io.Writer) error {
	return r.catchUpWhile(ctx, w, nil)
}

// catchUpWhile is CatchUp, asking proceed (when not nil) before each job run.
func (r *Runner) catchUpWhile(ctx context.Context, w io.Writer, proceed func(context.Context) bool) error {
	if w == nil {
		w = io.Discard
	}
	first, ok, err := queries.ExecFirstSignup(ctx, r.PG)
	if err != nil || !ok {
		return err
	}
	from, to := calendar.DateOf(first).MonthStart(), calendar.Today(r.Now())
	for _, job := range dayJobs {
		done, err := queries.RollupJobHasRun(ctx, r.PG, job.Name)
		if err != nil {
			return err
		}
		if done {
			continue
		}
		start := time.Now()
		for d := from; !d.After(to); d = d.AddDays(1) {
			if err := ctx.Err(); err != nil {
				return err
			}
			if proceed != nil && !proceed(ctx) {
				return errStopped
			}
			if _, err := r.dayJob(ctx, job, d, ModeBackfill, d == from); err != nil {
				return err
			}
		}
		fmt.Fprintf(w, "rollup %s: caught up %s to %s (%s)\n", job.Name, from, to, time.Since(start).Round(time.Millisecond))
	}
	return nil
}
