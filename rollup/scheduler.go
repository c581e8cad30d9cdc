package rollup

import (
	"context"
	"errors"
	"time"

	"mari/calendar"
	"mari/queries"
)

// FinalizeHour is the SAST hour after which yesterday is final: late events (offline SMS
// payments that settle after midnight) have had two hours to arrive.
const FinalizeHour = 2

// catchUpDays is how far back the scheduler looks for days that never got a final run
// (the app was down at 02:00, say).
const catchUpDays = 7

// Tick does one round of the scheduler's work: finalise past days that need it, then refresh
// today and the current month. It does the work whoever else is running: a process that shares
// its database with other instances goes through Scheduler, which does it on one of them.
func (r *Runner) Tick(ctx context.Context) {
	r.tick(ctx, nil)
}

// tick is Tick, asking proceed (when not nil) before each job run and stopping at the first no.
func (r *Runner) tick(ctx context.Context, proceed func(context.Context) bool) {
	goOn := func() bool { return proceed == nil || proceed(ctx) }
	now := r.Now()
	today := calendar.Today(now)
	for _, day := range r.DaysToFinalize(ctx, now) {
		if _, err := r.dayWhile(ctx, day, ModeFinal, false, proceed); errors.Is(err, errStopped) {
			return
		} else if err != nil {
			r.Log.Error("rollup: finalising day", "day", day, "err", err)
			continue
		}
		if !goOn() {
			return
		}
		if _, err := r.month(ctx, day.MonthStart(), r.modeFor(day.MonthStart().AddMonths(1).Start())); err != nil {
			r.Log.Error("rollup: finalising cohorts", "month", day.MonthKey(), "err", err)
		}
	}
	if _, err := r.dayWhile(ctx, today, r.modeFor(today.End()), false, proceed); errors.Is(err, errStopped) {
		return
	} else if err != nil {
		r.Log.Error("rollup: refreshing today", "day", today, "err", err)
	}
	if !goOn() {
		return
	}
	if _, err := r.Month(ctx, today.MonthStart()); err != nil {
		r.Log.Error("rollup: refreshing this month's cohorts", "month", today.MonthKey(), "err", err)
	}
	if _, err := queries.PruneRollupRuns(ctx, r.PG, now.AddDate(0, 0, -catchUpDays)); err != nil {
		r.Log.Error("rollup: pruning old partial runs", "err", err)
	}
}

// DaysToFinalize lists the past days (within catchUpDays) whose 02:00 SAST of the next day has
// passed and for which some day job has no successful run started after that moment.
func (r *Runner) DaysToFinalize(ctx context.Context, now time.Time) []calendar.Date {
	today := calendar.Today(now)
	since := today.AddDays(-catchUpDays)
	jobs := make([]string, len(dayJobs))
	for i, j := range dayJobs {
		jobs[i] = j.Name
	}
	latest, err := queries.LatestDailyRunStarts(ctx, r.PG, since, jobs)
	if err != nil {
		r.Log.Error("rollup: reading runs", "err", err)
		return nil
	}
	var out []calendar.Date
	for d := since; d.Before(today); d = d.AddDays(1) {
		finalAfter := d.End().Add(FinalizeHour * time.Hour)
		if now.Before(finalAfter) {
			continue
		}
		if started, ok := latest[d.String()]; ok && !started.Before(finalAfter) {
			continue
		}
		out = append(out, d)
	}
	return out
}
