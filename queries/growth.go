package queries

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"mari/calendar"
)

// The growth dashboard's statements. The page reads the growth rollups (growth_daily,
// growth_users) and cohort_retention, never the transactions table: at scale 10 a user's
// first transaction cannot be found on the fly within the page's time budget.

// GrowthRollupJob is the growth rollup's name in rollup_runs.
const GrowthRollupJob = "growth"

// The signup days, before the day being rolled up, whose users the
// growth job recomputes: every signup day whose activation window (168 hours) or day-1 / day-7
// check can fall on the day (D-7 … D), and the day whose day-30 check is the day (D-30).
const (
	growthWindowDays = 7
	growthD30        = 30
)

// GrowthRollupDays are the signup days the growth job for day recomputes: the days [From, To]
// and Extra.
type GrowthRollupDays struct {
	From, To, Extra calendar.Date
}

// GrowthDaysFor is what the growth job for day recomputes.
func GrowthDaysFor(day calendar.Date) GrowthRollupDays {
	return GrowthRollupDays{From: day.AddDays(-growthWindowDays), To: day, Extra: day.AddDays(-growthD30)}
}

// RebuildGrowthDay recomputes growth_users and growth_daily for the signup days GrowthDaysFor(day),
// inside tx, and returns the rows it changed. One lock serialises every run of the job: runs of neighbouring days share signup
// days, and two of them interleaving would insert the same users twice.
func RebuildGrowthDay(ctx context.Context, tx pgx.Tx, day calendar.Date) (int64, error) {
	d := GrowthDaysFor(day)
	if _, err := tx.Exec(ctx, SQL("pg/rollup_lock"), GrowthRollupJob, int32(0)); err != nil {
		return 0, err
	}
	gone, err := tx.Exec(ctx, SQL("pg/growth_rollup_users_delete"), d.From.Time(), d.To.Time(), d.Extra.Time(),
		d.From.Start(), d.To.End(), d.Extra.Start(), d.Extra.End())
	if err != nil {
		return 0, err
	}
	users, err := tx.Exec(ctx, SQL("pg/growth_rollup_users_insert"), d.From.Start(), d.To.End(), d.Extra.Start(), d.Extra.End())
	if err != nil {
		return 0, err
	}
	// The sums are re-read after the users: the daily delete sees this run's growth_users.
	days, err := tx.Exec(ctx, SQL("pg/growth_rollup_daily_insert"), d.From.Time(), d.To.Time(), d.Extra.Time())
	if err != nil {
		return 0, err
	}
	emptied, err := tx.Exec(ctx, SQL("pg/growth_rollup_daily_delete"), d.From.Time(), d.To.Time(), d.Extra.Time())
	if err != nil {
		return 0, err
	}
	return gone.RowsAffected() + users.RowsAffected() + days.RowsAffected() + emptied.RowsAffected(), nil
}

// GrowthDay is one (SAST signup day, signup source) of growth_daily: counts only.
type GrowthDay struct {
	Day                calendar.Date
	Source             string
	Signups, Activated int64
	D1, D7, D30        int64 // users active on signup day + 1, + 7, + 30 (false until that day)
}

// GrowthDaily returns the growth_daily rows of the signup days of r, every source, oldest
// first. Days without sign-ups have no row.
func GrowthDaily(ctx context.Context, q Querier, r calendar.Range) ([]GrowthDay, error) {
	rows, err := q.Query(ctx, SQL("pg/growth_daily_range"), r.From.Time(), r.To.Time())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (GrowthDay, error) {
		var g GrowthDay
		var day time.Time
		err := row.Scan(&day, &g.Source, &g.Signups, &g.Activated, &g.D1, &g.D7, &g.D30)
		g.Day = calendar.DateFromDB(day)
		return g, err
	})
}

// CohortCell is one (cohort month, months since sign-up) of cohort_retention.
type CohortCell struct {
	Cohort       calendar.Date
	MonthsSince  int
	Size, Active int64
}

// GrowthCohortRetention returns the cohort_retention cells of the cohort months from..to
// (first days). Months that have not begun have no cell.
func GrowthCohortRetention(ctx context.Context, q Querier, from, to calendar.Date) ([]CohortCell, error) {
	rows, err := q.Query(ctx, SQL("pg/growth_cohort_retention"), from.MonthStart().Time(), to.MonthStart().Time())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (CohortCell, error) {
		var c CohortCell
		var month time.Time
		var since int16
		var size, active int32
		err := row.Scan(&month, &since, &size, &active)
		c.Cohort, c.MonthsSince, c.Size, c.Active = calendar.DateFromDB(month), int(since), int64(size), int64(active)
		return c, err
	})
}

// Referrer is one referrer of the top-referrers panel.
type Referrer struct {
	BloodHash      string
	Referred       int64 // referred users who signed up in the range
	ActivatedAll   int64 // of them, activated (windows still open included)
	Known          int64 // of them, whose 7-day window has closed
	ActivatedKnown int64 // of the known, activated
}

// GrowthTopReferrers returns the limit referrers who referred the most users signing up in r,
// and how many referrers r has in all. knownThrough is the last signup day whose activation
// window has closed.
func GrowthTopReferrers(ctx context.Context, q Querier, r calendar.Range, knownThrough calendar.Date, limit int) ([]Referrer, int64, error) {
	rows, err := q.Query(ctx, SQL("pg/growth_top_referrers"), r.From.Time(), r.To.Time(), knownThrough.Time(), limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Referrer
	var total int64
	for rows.Next() {
		var x Referrer
		if err := rows.Scan(&x.BloodHash, &x.Referred, &x.ActivatedAll, &x.Known, &x.ActivatedKnown, &total); err != nil {
			return nil, 0, err
		}
		out = append(out, x)
	}
	return out, total, rows.Err()
}

// Growth is what the growth dashboard reads besides the metric catalogue: the page-only
// panels (the cohort heatmap, the top referrers) and the page's dates.
type Growth struct {
	PG Querier
}

func (g Growth) CohortRetention(ctx context.Context, from, to calendar.Date) ([]CohortCell, error) {
	return GrowthCohortRetention(ctx, g.PG, from, to)
}
func (g Growth) TopReferrers(ctx context.Context, r calendar.Range, knownThrough calendar.Date, limit int) ([]Referrer, int64, error) {
	return GrowthTopReferrers(ctx, g.PG, r, knownThrough, limit)
}
func (g Growth) FirstSignup(ctx context.Context) (time.Time, bool, error) {
	return ExecFirstSignup(ctx, g.PG)
}
func (g Growth) RollupFreshness(ctx context.Context) (time.Time, bool, error) {
	return RollupFreshness(ctx, g.PG, GrowthRollupJob)
}
