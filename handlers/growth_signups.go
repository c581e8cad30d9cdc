package handlers

import (
	"context"
	"strings"

	"mari/catalogue"
	"mari/views"
)

// signupsTilePanel: the range's sign-ups of the chosen source against the previous period;
// for every source, the split by source beneath.
var signupsTilePanel = panelSpec[growthIn]{Name: "signups", Title: "New sign-ups", Metric: catalogue.IDGrowthSignups, DB: dbPG,
	Load: func(ctx context.Context, in growthIn) (panelOut, error) {
		m := catalogue.Must(catalogue.IDGrowthSignups)
		var cur, prev catalogue.Series
		var prevErr error
		bySource := make([]catalogue.Series, len(catalogue.SignupSources))
		loads := []func(context.Context) error{
			func(ctx context.Context) (err error) {
				cur, err = in.ask(ctx, m.ID, in.f.rc.Range, catalogue.Month, in.f.Source)
				return err
			},
			// When the previous period alone fails, the tile still shows the range and says
			// what is missing.
			func(ctx context.Context) error {
				prev, prevErr = in.ask(ctx, m.ID, in.prev, catalogue.Month, in.f.Source)
				return nil
			},
		}
		if in.f.Source == "" {
			for i, s := range catalogue.SignupSources {
				loads = append(loads, func(ctx context.Context) (err error) {
					bySource[i], err = in.ask(ctx, m.ID, in.f.rc.Range, catalogue.Month, s)
					return err
				})
			}
		}
		if err := atOnce(ctx, loads...); err != nil {
			return panelOut{}, err
		}
		t := metricTile(m, cur.Total)
		if in.f.Source != "" {
			t.Lines = append(t.Lines, sourceLabel(in.f.Source)+" only")
		} else {
			parts := make([]string, len(catalogue.SignupSources))
			for i, s := range catalogue.SignupSources {
				parts[i] = views.Value(m.Unit, m.Decimals, bySource[i].Total) + " " + strings.ToLower(sourceLabel(s))
			}
			t.Lines = append(t.Lines, strings.Join(parts, " · "))
		}
		if prevErr != nil {
			t.Delta, t.DeltaClass = "previous period unavailable — "+shortReason(prevErr, dbPG, in.h.opts.PanelTimeout), "flat"
			return panelOut{Tile: t}, nil
		}
		t = withDelta(t, cur.Total, prev.Total, rangeLabel(in.prev))
		t.Lines = append(t.Lines, views.Value(m.Unit, m.Decimals, prev.Total)+" in the previous period")
		return panelOut{Tile: t}, nil
	}}
