package queries

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"mari/calendar"
)

// The data-quality page's statements (/quality): how fresh each source is, whether PostgreSQL
// and ClickHouse hold the same payments, the rollup runs and the dead letters.

// NewestPayments is PostgreSQL's newest payment activity; nil when there is none.
type NewestPayments struct {
	Initiated *time.Time
	Finalised *time.Time // among payments initiated since the bound asked for
}

// QualityNewestPayments reads the newest initiation, and the newest final state reached by a
// payment initiated since finalisedSince.
func QualityNewestPayments(ctx context.Context, q Querier, finalisedSince time.Time) (NewestPayments, error) {
	var n NewestPayments
	err := q.QueryRow(ctx, SQL("pg/quality_payments_newest"), finalisedSince).Scan(&n.Initiated, &n.Finalised)
	return n, err
}

// QualityNewestReceived is the newest event ingestion received on each topic after since;
// topics without one are absent.
func QualityNewestReceived(ctx context.Context, q Querier, since time.Time) (map[string]time.Time, error) {
	rows, err := q.Query(ctx, SQL("pg/quality_ingest_newest"), since)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	var topic string
	var at time.Time
	_, err = pgx.ForEachRow(rows, []any{&topic, &at}, func() error {
		out[topic] = at
		return nil
	})
	return out, err
}

// OutboxWaiting is what waits for ClickHouse in each outbox, and since when its oldest row was
// queued (nil when none waits).
type OutboxWaiting struct {
	TxEvents, Activity           int64
	TxEventsSince, ActivitySince *time.Time
}

// QualityOutboxWaiting reads the outboxes.
func QualityOutboxWaiting(ctx context.Context, q Querier) (OutboxWaiting, error) {
	var o OutboxWaiting
	err := q.QueryRow(ctx, SQL("pg/quality_outbox_waiting")).Scan(&o.TxEvents, &o.TxEventsSince, &o.Activity, &o.ActivitySince)
	return o, err
}

// QualityHeld counts the held events and says since when the oldest waits (nil when none).
func QualityHeld(ctx context.Context, q Querier) (int64, *time.Time, error) {
	var n int64
	var oldest *time.Time
	err := q.QueryRow(ctx, SQL("pg/quality_held")).Scan(&n, &oldest)
	return n, oldest, err
}

// RollupNewest is one rollup job's newest successful runs.
type RollupNewest struct {
	Job string
	// Finished is when its newest successful run ended; nil when none ever has.
	Finished *time.Time
	// TodayStarted is when its newest successful run of a period reaching today started: what
	// it can have included. nil when none has.
	TodayStarted *time.Time
}

// QualityRollupNewest reads each job's newest successful runs; today is the SAST date.
func QualityRollupNewest(ctx context.Context, q Querier, today calendar.Date) (map[string]RollupNewest, error) {
	rows, err := q.Query(ctx, SQL("pg/quality_rollup_newest"), today.String())
	if err != nil {
		return nil, err
	}
	out := map[string]RollupNewest{}
	var r RollupNewest
	_, err = pgx.ForEachRow(rows, []any{&r.Job, &r.Finished, &r.TodayStarted}, func() error {
		out[r.Job] = r
		return nil
	})
	return out, err
}

// DayPayments is one SAST day's payments in one store: initiated, and the completed volume.
type DayPayments struct {
	Day             calendar.Date
	Initiated       int64
	CompletedVolume decimal.Decimal
}

// QualityDailyPaymentsPG reads PostgreSQL's payments per SAST day of [from, to]; days without
// any are absent.
func QualityDailyPaymentsPG(ctx context.Context, q Querier, from, to calendar.Date) ([]DayPayments, error) {
	rows, err := q.Query(ctx, SQL("pg/quality_daily_payments"), from.Start(), to.End())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DayPayments, error) {
		var d DayPayments
		var day time.Time
		var volume string
		if err := r.Scan(&day, &d.Initiated, &volume); err != nil {
			return d, err
		}
		d.Day = calendar.DateFromDB(day)
		var err error
		d.CompletedVolume, err = decimal.NewFromString(volume)
		return d, err
	})
}

// QualityDailyPaymentsCH reads ClickHouse's payments per SAST date of [from, to] from the raw
// event stream; dates without any are absent.
func QualityDailyPaymentsCH(ctx context.Context, ch driver.Conn, from, to calendar.Date) ([]DayPayments, error) {
	rows, err := ch.Query(ctx, SQL("ch/quality_daily_payments"), from.String(), to.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DayPayments
	for rows.Next() {
		var d DayPayments
		var day string
		var initiated uint64
		if err := rows.Scan(&day, &initiated, &d.CompletedVolume); err != nil {
			return nil, err
		}
		date, err := calendar.ParseDate(day)
		if err != nil {
			return nil, err
		}
		d.Day, d.Initiated = date, int64(initiated)
		out = append(out, d)
	}
	return out, rows.Err()
}

// QualityNewestCH is the newest transaction event and the newest app activity in ClickHouse
// dated from the SAST date since on; nil when there is none.
func QualityNewestCH(ctx context.Context, ch driver.Conn, since calendar.Date) (events, activity *time.Time, err error) {
	read := func(file string) (*time.Time, error) {
		var n uint64
		var newest time.Time
		if err := ch.QueryRow(ctx, SQL(file), since.String()).Scan(&n, &newest); err != nil || n == 0 {
			return nil, err
		}
		return &newest, nil
	}
	if events, err = read("ch/quality_newest_transaction_event"); err != nil {
		return nil, nil, err
	}
	activity, err = read("ch/quality_newest_activity")
	return events, activity, err
}

// RollupRunCounts are the runs of one job and mode in a window, by outcome.
type RollupRunCounts struct {
	Job, Mode                     string
	Succeeded, Failed, Unfinished int64
}

// QualityRollupRuns counts the rollup runs started since since, by job and mode.
func QualityRollupRuns(ctx context.Context, q Querier, since time.Time) ([]RollupRunCounts, error) {
	rows, err := q.Query(ctx, SQL("pg/quality_rollup_runs_recent"), since)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RollupRunCounts, error) {
		var c RollupRunCounts
		err := r.Scan(&c.Job, &c.Mode, &c.Succeeded, &c.Failed, &c.Unfinished)
		return c, err
	})
}

// RollupFailure is one failed rollup run.
type RollupFailure struct {
	Job, Mode            string
	PeriodFrom, PeriodTo calendar.Date
	Started              time.Time
	Finished             *time.Time
	Error                string
}

// QualityRollupFailures lists the newest limit failed runs started since since.
func QualityRollupFailures(ctx context.Context, q Querier, since time.Time, limit int) ([]RollupFailure, error) {
	rows, err := q.Query(ctx, SQL("pg/quality_rollup_failures"), since, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RollupFailure, error) {
		var f RollupFailure
		var from, to time.Time
		err := r.Scan(&f.Job, &f.Mode, &from, &to, &f.Started, &f.Finished, &f.Error)
		f.PeriodFrom, f.PeriodTo = calendar.DateFromDB(from), calendar.DateFromDB(to)
		return f, err
	})
}

// DeadLetterCounts are one topic's dead letters seen in the last day and the last week.
type DeadLetterCounts struct {
	Topic         string
	LastDay, Week int64
}

// QualityDeadLetters counts the dead letters by topic seen since daySince and since
// weekSince (the earlier).
func QualityDeadLetters(ctx context.Context, q Querier, daySince, weekSince time.Time) ([]DeadLetterCounts, error) {
	rows, err := q.Query(ctx, SQL("pg/quality_dead_letters"), daySince, weekSince)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DeadLetterCounts, error) {
		var c DeadLetterCounts
		err := r.Scan(&c.Topic, &c.LastDay, &c.Week)
		return c, err
	})
}
