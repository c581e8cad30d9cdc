package queries

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"mari/calendar"
)

// Querier is what both a pool and a transaction offer.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// DB runs statements and starts transactions: what code that writes a change together with
// its audit entry needs (a *pgxpool.Pool).
type DB interface {
	Querier
	Begin(ctx context.Context) (pgx.Tx, error)
}

// UpsertDailyMetrics recomputes the daily_metrics row of one SAST day.
func UpsertDailyMetrics(ctx context.Context, q Querier, day calendar.Date, feePerTransaction decimal.Decimal, now time.Time) (int64, error) {
	month := day.MonthStart()
	churnDay := day.AddDays(-30)
	tag, err := q.Exec(ctx, SQL("pg/rollup_daily_metrics"),
		day.Time(), day.Start(), day.End(),
		month.Start(), month.AddMonths(-1).Start(),
		churnDay.Start(), churnDay.End(),
		feePerTransaction, now)
	return tag.RowsAffected(), err
}

// RebuildCohortMonth recomputes user_cohorts and cohort_retention for one activity month,
// inside tx, holding a lock so two runs of the same month never interleave.
func RebuildCohortMonth(ctx context.Context, tx pgx.Tx, month calendar.Date) (int64, error) {
	month = month.MonthStart()
	end := month.AddMonths(1).Start()
	if _, err := tx.Exec(ctx, SQL("pg/rollup_lock"), "cohorts", int32(month.Year()*100+int(month.Month()))); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, SQL("pg/rollup_user_cohorts_delete"), month.Time()); err != nil {
		return 0, err
	}
	users, err := tx.Exec(ctx, SQL("pg/rollup_user_cohorts_insert"), month.Time(), month.Start(), end)
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, SQL("pg/rollup_cohort_retention_delete"), month.Time()); err != nil {
		return 0, err
	}
	cells, err := tx.Exec(ctx, SQL("pg/rollup_cohort_retention_insert"), month.Time(), end)
	if err != nil {
		return 0, err
	}
	return users.RowsAffected() + cells.RowsAffected(), nil
}

// StartRollupRun records the start of a run and returns its id.
func StartRollupRun(ctx context.Context, q Querier, job, mode string, from, to calendar.Date, at time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, SQL("pg/rollup_run_start"), job, mode, from.Time(), to.Time(), at).Scan(&id)
	return id, err
}

// FinishRollupRun records the end of a run; errText is nil on success.
func FinishRollupRun(ctx context.Context, q Querier, id int64, at time.Time, rows int64, errText *string) error {
	_, err := q.Exec(ctx, SQL("pg/rollup_run_finish"), id, at, rows, errText)
	return err
}

// LatestDailyRunStarts maps each day (YYYY-MM-DD) since `since` on which every job in jobs has
// a successful run to the earliest of those jobs' latest successful starts.
func LatestDailyRunStarts(ctx context.Context, q Querier, since calendar.Date, jobs []string) (map[string]time.Time, error) {
	rows, err := q.Query(ctx, SQL("pg/rollup_final_runs"), since.Time(), jobs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var day, started time.Time
		if err := rows.Scan(&day, &started); err != nil {
			return nil, err
		}
		out[calendar.DateFromDB(day).String()] = started
	}
	return out, rows.Err()
}

// RollupJobHasRun reports whether job has ever finished a run without error.
func RollupJobHasRun(ctx context.Context, q Querier, job string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, SQL("pg/rollup_job_has_run"), job).Scan(&ok)
	return ok, err
}
