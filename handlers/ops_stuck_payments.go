package handlers

import (
	"context"

	"mari/catalogue"
	"mari/views"
)

// stuckPaymentsTile: payments still pending more than 10 minutes after they started
// (PostgreSQL, the record of each payment's current state).
var stuckPaymentsTile = opsTile{field: "pending.stuck", detail: "pending.detail", panel: panelSpec[opsIn]{
	Name: "pending", Title: "Stuck payments", Metric: catalogue.IDOpsStuckPayments, DB: dbPG,
	Load: func(ctx context.Context, in opsIn) (panelOut, error) {
		st, err := in.stuck(ctx)
		if err != nil {
			return panelOut{}, err
		}
		line := "none pending over 10 min"
		if st.Count > 0 {
			line = "oldest started " + humanAge(in.now.Sub(st.Oldest))
		}
		t := Table{Columns: []Column{{Name: "stuck_payments", Unit: catalogue.Count}}, Rows: [][]any{{st.Count}}}
		return panelOut{Tile: views.Tile{Value: views.Count(st.Count), Lines: []string{line}}, Table: t}, nil
	}}}
