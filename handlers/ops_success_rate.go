package handlers

import (
	"context"

	"mari/catalogue"
	"mari/views"
)

// successRateTile: the success rate of the last 24 hours' final events, with its counts.
var successRateTile = opsTile{field: "success.rate", detail: "success.detail", panel: panelSpec[opsIn]{
	Name: "success", Title: "Success rate, 24 h", Metric: catalogue.IDOpsSuccessRate, DB: dbCH,
	Load: func(ctx context.Context, in opsIn) (panelOut, error) {
		f, err := in.final(ctx)
		if err != nil {
			return panelOut{}, err
		}
		t := metricTile(catalogue.Must(catalogue.IDOpsSuccessRate), catalogue.OpsSuccessRate(f))
		t.Lines = []string{views.Count(f.Completed) + " completed · " + views.Count(f.Failed) + " failed"}
		return panelOut{Tile: t}, nil
	}}}
