package handlers

import (
	"context"

	"mari/catalogue"
	"mari/views"
)

// totalUsersPanel: total users at the end of the range, its growth over the range, and the
// new users in it.
var totalUsersPanel = panelSpec[execIn]{Name: "total-users", Title: "Total users", Metric: catalogue.IDTotalUsers, DB: dbPG,
	Load: func(ctx context.Context, in execIn) (panelOut, error) {
		total, err := in.ask(ctx, catalogue.IDTotalUsers, in.rc.Range, catalogue.Month)
		if err != nil {
			return panelOut{}, err
		}
		growth, err := in.ask(ctx, catalogue.IDUserGrowth, in.rc.Range, catalogue.Month)
		if err != nil {
			return panelOut{}, err
		}
		newUsers, err := in.ask(ctx, catalogue.IDNewUsers, in.rc.Range, catalogue.Month)
		if err != nil {
			return panelOut{}, err
		}
		t := metricTile(catalogue.Must(catalogue.IDTotalUsers), total.Total)
		t.Lines = []string{"at end of " + notAfter(in.rc.Range.To, in.today).String()}
		if g := growth.Total; g.OK {
			t.Delta, t.DeltaClass = views.SignedPercent(g.V, 1)+" growth over the range", "up"
			if !g.V.IsPositive() {
				t.DeltaClass = "flat"
			}
		} else {
			t.Delta, t.DeltaClass = "growth n/a: no users before "+in.rc.Range.From.String(), "flat"
		}
		if n := newUsers.Total; n.OK {
			t.Lines = append(t.Lines, views.Value(catalogue.Count, 0, n)+" new users in the range")
		}
		return panelOut{Tile: t}, nil
	}}
