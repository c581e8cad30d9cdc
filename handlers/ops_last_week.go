package handlers

import (
	"context"

	"mari/catalogue"
	"mari/views"
)

// lastWeekTile: transactions initiated in the same minute seven days earlier, the comparison
// of the this-minute tile (one statement serves both).
var lastWeekTile = opsTile{field: "week.lastWeek", detail: "week.minute", panel: panelSpec[opsIn]{
	Name: "last-week", Title: "Same minute last week", Metric: catalogue.IDOpsMinuteVsWeek, DB: dbCH,
	Load: func(ctx context.Context, in opsIn) (panelOut, error) {
		w, err := in.week(ctx)
		if err != nil {
			return panelOut{}, err
		}
		return panelOut{Tile: views.Tile{Value: views.Count(w.LastWeek), Lines: []string{sastClock(w.Minute, "15:04")}}}, nil
	}}}
