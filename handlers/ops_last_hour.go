package handlers

import (
	"context"

	"github.com/shopspring/decimal"

	"mari/catalogue"
	"mari/views"
)

// lastHourTile: transactions initiated in the last 60 minutes (the per-minute chart's total)
// and their average per minute.
var lastHourTile = opsTile{field: "tpm.total", detail: "tpm.avg", panel: panelSpec[opsIn]{
	Name: "tpm", Title: "Initiated, last 60 min", Metric: catalogue.IDOpsPerMinute, DB: dbCH,
	Load: func(ctx context.Context, in opsIn) (panelOut, error) {
		rows, err := in.perMinute(ctx)
		if err != nil {
			return panelOut{}, err
		}
		var total uint64
		for _, m := range rows {
			total += m.Events
		}
		avg := decimal.NewFromUint64(total).Div(decimal.NewFromInt(opsMinutes)).StringFixed(1)
		return panelOut{Tile: views.Tile{Value: views.Count(total), Lines: []string{avg + " per minute on average"}}}, nil
	}}}
