package queries

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"mari/calendar"
)

// MarkStaleDays records past days whose rollups late events have changed.
func MarkStaleDays(ctx context.Context, q Querier, days []calendar.Date, at time.Time) error {
	if len(days) == 0 {
		return nil
	}
	// As text: a date, not an instant a session time zone could move to another day.
	ds := make([]string, len(days))
	for i, d := range days {
		ds[i] = d.String()
	}
	_, err := q.Exec(ctx, SQL("pg/rollup_stale_days_mark"), ds, at)
	return err
}

// StaleDay is a day marked as changed, and when.
type StaleDay struct {
	Day      calendar.Date
	MarkedAt time.Time
}

// StaleDays lists the marked days, oldest first.
func StaleDays(ctx context.Context, q Querier) ([]StaleDay, error) {
	rows, err := q.Query(ctx, SQL("pg/rollup_stale_days_list"))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (StaleDay, error) {
		var s StaleDay
		var d time.Time // a date column: midnight UTC of that date
		err := r.Scan(&d, &s.MarkedAt)
		s.Day = calendar.DateFromDB(d)
		return s, err
	})
}

// ClearStaleDays forgets the marks on days from `from` made no later than before.
func ClearStaleDays(ctx context.Context, q Querier, from calendar.Date, before time.Time) error {
	_, err := q.Exec(ctx, SQL("pg/rollup_stale_days_clear"), from.String(), before)
	return err
}

// IngestReceivedSince reports whether any event was applied after at.
func IngestReceivedSince(ctx context.Context, q Querier, at time.Time) (bool, error) {
	var yes bool
	err := q.QueryRow(ctx, SQL("pg/ingest_received_since"), at).Scan(&yes)
	return yes, err
}

// PruneRollupRuns deletes successful partial runs started before cutoff, keeping each job's
// newest successful run, and returns how many went.
func PruneRollupRuns(ctx context.Context, q Querier, cutoff time.Time) (int64, error) {
	tag, err := q.Exec(ctx, SQL("pg/rollup_runs_prune"), cutoff)
	return tag.RowsAffected(), err
}
