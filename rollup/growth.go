package rollup

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mari/calendar"
	"mari/queries"
)

// JobGrowth is the growth dashboard's rollup (growth_users, growth_daily) in rollup_runs.
const JobGrowth = queries.GrowthRollupJob

// The growth job for day D recomputes the users who signed up on D-7 … D and on D-30: the
// days whose 7-day activation window, day-1 or day-7 check, or day-30 check falls on D. A
// backfill walks days oldest first, so by the time D is final every flag that depends on D
// has been recomputed from the source tables.
func init() {
	dayJobs = append(dayJobs, DayJob{Name: JobGrowth, Run: func(ctx context.Context, r *Runner, day calendar.Date, _ Pass) (int64, error) {
		var n int64
		err := pgx.BeginFunc(ctx, r.PG, func(tx pgx.Tx) error {
			var err error
			n, err = queries.RebuildGrowthDay(ctx, tx, day)
			return err
		})
		return n, err
	}})
}
