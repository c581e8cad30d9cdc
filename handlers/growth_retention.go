package handlers

import (
	"context"
	"fmt"

	"mari/catalogue"
	"mari/views"
)

// retentionTilePanels: D1, D7 and D30 retention of the range's sign-ups whose day N has
// passed, each with its counts and how many are not yet eligible.
var retentionTilePanels = [3]panelSpec[growthIn]{retentionTile(0), retentionTile(1), retentionTile(2)}

func retentionTile(i int) panelSpec[growthIn] {
	n, id := catalogue.RetentionDays[i], catalogue.RetentionIDs[i]
	return panelSpec[growthIn]{Name: id, Title: fmt.Sprintf("D%d retention", n), Metric: id, DB: dbPG,
		Load: func(ctx context.Context, in growthIn) (panelOut, error) {
			m := catalogue.Must(id)
			s, c, err := in.withCounts(ctx, id)
			if err != nil {
				return panelOut{}, err
			}
			t := metricTile(m, s.Total)
			if s.Total.OK {
				t.Lines = append(t.Lines, fmt.Sprintf("%s of %s sent a transaction on day %d", views.Count(c.Active[i]), views.Count(c.Eligible[i]), n))
			} else {
				t.Lines = append(t.Lines, fmt.Sprintf("no sign-up in the range has reached day %d yet", n))
			}
			if wait := c.Signups - c.Eligible[i]; wait > 0 {
				t.Lines = append(t.Lines, views.Count(wait)+" not yet eligible")
			}
			return panelOut{Tile: t}, nil
		}}
}
