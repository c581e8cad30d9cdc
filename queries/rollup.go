package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
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

// DailyMetricsCarry is an earlier day's daily_metrics row whose running totals a later day
// continues from, so that the later day reads only its own data (and its bounded look-back
// windows) instead of the whole history.
type DailyMetricsCarry struct {
	Day              calendar.Date
	TotalUsers       int64 // users created before the end of Day
	MTDActiveUsers   int64 // senders from the first of Day's month through Day
	MTDRetainedUsers int64 // of them, also senders in the month before
}

// DailyMetricsCarryFor returns the newest daily_metrics row among the lookBack days before day
// that was computed at least settle after its day ended, when there is one. Such a row's
// figures no longer change (late data has had settle to arrive), so continuing from it gives
// exactly what a recount would. A row computed earlier than that (the last refresh of a day
// that has only just ended) is skipped: the days after the carry are read in full.
func DailyMetricsCarryFor(ctx context.Context, q Querier, day calendar.Date, lookBack int, settle time.Duration) (DailyMetricsCarry, bool, error) {
	rows, err := q.Query(ctx, SQL("pg/rollup_daily_metrics_carries"), day.AddDays(-lookBack).Time(), day.Time())
	if err != nil {
		return DailyMetricsCarry{}, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var c DailyMetricsCarry
		var d time.Time
		var computed *time.Time
		if err := rows.Scan(&d, &computed, &c.TotalUsers, &c.MTDActiveUsers, &c.MTDRetainedUsers); err != nil {
			return DailyMetricsCarry{}, false, err
		}
		c.Day = calendar.DateFromDB(d)
		if computed != nil && !computed.Before(c.Day.End().Add(settle)) {
			return c, true, rows.Err()
		}
	}
	return DailyMetricsCarry{}, false, rows.Err()
}

// UpsertDailyMetrics computes the daily_metrics row of one SAST day. With carry nil every
// figure is counted from the source tables (total_users over all users, the month-to-date
// senders over the month so far); with a carry from an earlier day, the running totals
// continue from it and only the days after it are read, which gives the same numbers.
//
// live is a run of a day still running (today): the day's senders and churn candidates, whose
// answers depend only on the days before it, are kept for the day's next refresh
// (00020_rollup_live_day.sql), which then probes the history only for the senders new since,
// instead of for all of them. afresh forgets what was kept first (every run but the
// scheduler's refreshes of today; late data for a past day sets off a backfill through today,
// so it is never hidden by what was kept). A run of a past day reads the source tables.
func UpsertDailyMetrics(ctx context.Context, db DB, day calendar.Date, feePerTransaction decimal.Decimal, now time.Time, carry *DailyMetricsCarry, live, afresh bool) (int64, error) {
	month := day.MonthStart()
	churnDay := day.AddDays(-30)
	var baseUsers, baseActive, baseRetained int64
	usersFrom := pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	sendersFrom := month.Start()
	if carry != nil {
		if !carry.Day.Before(day) {
			return 0, fmt.Errorf("daily_metrics %s: carry from %s, not an earlier day", day, carry.Day)
		}
		baseUsers = carry.TotalUsers
		usersFrom = pgtype.Timestamptz{Time: carry.Day.End(), Valid: true}
		// Month-to-date totals carry only within the month; a carry from an earlier month
		// leaves the whole month to be read.
		if !carry.Day.Before(month) {
			baseActive, baseRetained = carry.MTDActiveUsers, carry.MTDRetainedUsers
			sendersFrom = carry.Day.End()
		}
	}
	// The kept senders answer for the day alone, so they serve only when the month-to-date
	// count continues from the day before (or the day is the month's first).
	keptSenders := live && sendersFrom.Equal(day.Start())
	var rows int64
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, SQL("pg/rollup_lock"), "daily_metrics", int32(day.Year()*10000+int(day.Month())*100+day.Day())); err != nil {
			return err
		}
		if afresh || !live {
			if _, err := tx.Exec(ctx, SQL("pg/live_day_drop"), day.Time()); err != nil {
				return err
			}
		}
		if live {
			if _, err := tx.Exec(ctx, SQL("pg/live_day_begin"), day.Time(), churnDay.Start(), churnDay.End(), day.Start(), now); err != nil {
				return err
			}
			if keptSenders {
				if _, err := tx.Exec(ctx, SQL("pg/live_day_senders_add"), day.Time(), day.Start(), day.End(),
					month.Start(), month.AddMonths(-1).Start()); err != nil {
					return err
				}
			}
		}
		tag, err := tx.Exec(ctx, SQL("pg/rollup_daily_metrics"),
			day.Time(), day.Start(), day.End(),
			month.Start(), month.AddMonths(-1).Start(),
			churnDay.Start(), churnDay.End(),
			feePerTransaction, now,
			baseUsers, usersFrom, baseActive, baseRetained, sendersFrom,
			keptSenders, live)
		rows = tag.RowsAffected()
		return err
	})
	return rows, err
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
