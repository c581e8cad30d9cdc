package handlers

import (
	"context"
	"fmt"
	"time"

	"mari/queries"
	"mari/views"
)

// qualityFailuresListed is how many failed runs the page lists with their error.
const qualityFailuresListed = 20

// loadRollupRuns counts the rollup runs started in the last 24 hours by job and mode, and lists
// the failures with their error.
func loadRollupRuns(ctx context.Context, in qualityIn) (views.QualityRollups, error) {
	var out views.QualityRollups
	since := in.now.Add(-24 * time.Hour)
	counts, err := queries.QualityRollupRuns(ctx, in.h.pg, since)
	if err != nil {
		return out, err
	}
	failures, err := queries.QualityRollupFailures(ctx, in.h.pg, since, qualityFailuresListed)
	if err != nil {
		return out, err
	}
	var runs, failed, unfinished int64
	for _, c := range counts {
		out.Counts = append(out.Counts, views.QualityRollupRow{Job: c.Job, Mode: c.Mode,
			Succeeded: views.Count(c.Succeeded), Failed: views.Count(c.Failed), Unfinished: views.Count(c.Unfinished),
			HasFailed: c.Failed > 0})
		runs += c.Succeeded + c.Failed + c.Unfinished
		failed += c.Failed
		unfinished += c.Unfinished
	}
	for _, f := range failures {
		period := f.PeriodFrom.String()
		if !f.PeriodTo.Equal(f.PeriodFrom) {
			period += " to " + f.PeriodTo.String()
		}
		out.Failures = append(out.Failures, views.QualityRollupFailure{Job: f.Job, Mode: f.Mode, Period: period,
			Started: qualityClock(f.Started), Error: f.Error})
	}
	out.Summary = fmt.Sprintf("%s runs started since %s: %s failed, %s unfinished (running, or cut off).",
		views.Count(runs), qualityClock(since), views.Count(failed), views.Count(unfinished))
	if failed > int64(len(failures)) {
		out.Summary += fmt.Sprintf(" The newest %d failures are listed.", len(failures))
	}
	return out, nil
}
