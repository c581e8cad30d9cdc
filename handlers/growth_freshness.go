package handlers

import (
	"context"

	"mari/views"
)

// growthFreshnessPanel says when the growth rollup last finished; its text goes beside the
// page's title.
var growthFreshnessPanel = panelSpec[growthIn]{Name: "freshness", Title: "Figures as of", DB: dbPG,
	Load: func(ctx context.Context, in growthIn) (panelOut, error) {
		at, ok, err := in.h.src.RollupFreshness(ctx)
		if err != nil {
			return panelOut{}, err
		}
		text := rollupAsOf(at, ok, in.now,
			"the growth rollup has not run yet: figures will appear after its first run")
		return panelOut{Tile: views.Tile{Value: text}}, nil
	}}
