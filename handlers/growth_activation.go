package handlers

import (
	"context"

	"mari/catalogue"
	"mari/views"
)

// activationTilePanel: the activation rate of the range's sign-ups whose 7 days have passed,
// with its counts, and how many are not yet known.
var activationTilePanel = panelSpec[growthIn]{Name: "activation", Title: "Activation rate (7 days)", Metric: catalogue.IDGrowthActivation, DB: dbPG,
	Load: func(ctx context.Context, in growthIn) (panelOut, error) {
		m := catalogue.Must(catalogue.IDGrowthActivation)
		s, c, err := in.withCounts(ctx, m.ID)
		if err != nil {
			return panelOut{}, err
		}
		t := metricTile(m, s.Total)
		if s.Total.OK {
			t.Lines = append(t.Lines, views.Count(c.Activated)+" activated of "+views.Count(c.Known)+" whose 7 days have passed")
		} else {
			t.Lines = append(t.Lines, "no sign-up in the range has had its 7 days yet")
		}
		if c.Open > 0 {
			t.Lines = append(t.Lines, views.Count(c.Open)+" not yet known (still in their 7 days; "+views.Count(c.OpenActivated)+" activated so far)")
		}
		return panelOut{Tile: t}, nil
	}}
