package queries

import (
	"context"
	"time"
)

// OpenIncidents summarises the incidents open at a moment.
type OpenIncidents struct {
	Count    int64
	Title    string // of the most severe, longest running one; "" when none
	Severity string
	Since    time.Time
}

// OpsOpenIncidents reads the incidents open at now.
func OpsOpenIncidents(ctx context.Context, q Querier, now time.Time) (OpenIncidents, error) {
	var o OpenIncidents
	var title, severity *string
	var since *time.Time
	if err := q.QueryRow(ctx, SQL("pg/ops_open_incidents"), now).Scan(&o.Count, &title, &severity, &since); err != nil {
		return o, err
	}
	if title != nil {
		o.Title, o.Severity, o.Since = *title, *severity, *since
	}
	return o, nil
}

// StuckPending counts payments pending since before a moment.
type StuckPending struct {
	Count  int64
	Oldest time.Time // zero when Count is 0
}

// OpsStuckPending reads the payments still pending that started before `before`.
func OpsStuckPending(ctx context.Context, q Querier, before time.Time) (StuckPending, error) {
	var s StuckPending
	var oldest *time.Time
	if err := q.QueryRow(ctx, SQL("pg/ops_stuck_pending"), before).Scan(&s.Count, &oldest); err != nil {
		return s, err
	}
	if oldest != nil {
		s.Oldest = *oldest
	}
	return s, nil
}

// OpsState is the PostgreSQL side of the operations dashboard (handlers.OpsStateSource).
type OpsState struct{ PG Querier }

// OpenIncidents implements handlers.OpsStateSource.
func (o OpsState) OpenIncidents(ctx context.Context, now time.Time) (OpenIncidents, error) {
	return OpsOpenIncidents(ctx, o.PG, now)
}

// StuckPending implements handlers.OpsStateSource.
func (o OpsState) StuckPending(ctx context.Context, before time.Time) (StuckPending, error) {
	return OpsStuckPending(ctx, o.PG, before)
}

// BankOption is one bank in a filter's list.
type BankOption struct{ Code, Name string }

// OpsBankOptions lists every bank partnership by name.
func OpsBankOptions(ctx context.Context, q Querier) ([]BankOption, error) {
	rows, err := q.Query(ctx, SQL("pg/ops_bank_options"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BankOption
	for rows.Next() {
		var b BankOption
		if err := rows.Scan(&b.Code, &b.Name); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Banks implements handlers.OpsStateSource.
func (o OpsState) Banks(ctx context.Context) ([]BankOption, error) { return OpsBankOptions(ctx, o.PG) }
