package queries

import (
	"context"

	"github.com/shopspring/decimal"
)

// OpsThreshold is where one of the operations dashboard's tiles turns amber and red
// (kpi_targets.amber and .red); a nil level is never reached.
type OpsThreshold struct {
	Metric     string
	AtLeast    bool // at_least: the tile alarms below the levels; at_most: at or above them
	Amber, Red *decimal.Decimal
}

// OpsThresholds reads the alarm levels by metric.
func OpsThresholds(ctx context.Context, q Querier) (map[string]OpsThreshold, error) {
	rows, err := q.Query(ctx, SQL("pg/ops_thresholds"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]OpsThreshold{}
	for rows.Next() {
		var t OpsThreshold
		var comparison string
		var amber, red decimal.NullDecimal
		if err := rows.Scan(&t.Metric, &comparison, &amber, &red); err != nil {
			return nil, err
		}
		t.AtLeast = comparison == "at_least"
		if amber.Valid {
			t.Amber = &amber.Decimal
		}
		if red.Valid {
			t.Red = &red.Decimal
		}
		out[t.Metric] = t
	}
	return out, rows.Err()
}

// Thresholds reads the alarm levels of the dashboard's tiles.
func (o OpsState) Thresholds(ctx context.Context) (map[string]OpsThreshold, error) {
	return OpsThresholds(ctx, o.PG)
}
