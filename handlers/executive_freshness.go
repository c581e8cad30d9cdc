package handlers

import (
	"context"

	"mari/views"
)

// freshnessPanel says how fresh the rollups behind the page are, so nobody mistakes stale for
// live; its text goes beside the page's title.
var freshnessPanel = panelSpec[execIn]{Name: "freshness", Title: "Figures as of", DB: dbPG,
	Load: func(ctx context.Context, in execIn) (panelOut, error) {
		at, ok, err := in.h.src.RollupFreshness(ctx)
		if err != nil {
			return panelOut{}, err
		}
		text := rollupAsOf(at, ok, in.now,
			"rollups have not run yet: figures will appear after the first run")
		return panelOut{Tile: views.Tile{Value: text}}, nil
	}}
