package handlers

import (
	"context"

	"mari/catalogue"
	"mari/views"
)

// txPerUserPanel: transactions per active user in the last complete month, with the month
// still running beneath.
var txPerUserPanel = panelSpec[execIn]{Name: "transactions-per-user", Title: "Transactions per user per month", Metric: catalogue.IDTxPerUser, DB: dbPG,
	Load: func(ctx context.Context, in execIn) (panelOut, error) {
		m := catalogue.Must(catalogue.IDTxPerUser)
		s, err := in.ask(ctx, m.ID, in.monthsBefore(0), catalogue.Month)
		if err != nil {
			return panelOut{}, err
		}
		complete, partial := monthlyHeadline(s, in.rc.Range.From)
		var t views.Tile
		switch {
		case complete >= 0:
			p := s.Points[complete]
			t = metricTile(m, p.Value)
			t.Lines = []string{catalogue.PeriodLabel(p.Period, catalogue.Month)}
			if partial >= 0 {
				r := s.Points[partial]
				t.Lines = append(t.Lines, partialMonthLabel(r.Period, in.today)+": "+views.Value(m.Unit, m.Decimals, r.Value))
			}
		case partial >= 0:
			p := s.Points[partial]
			t = metricTile(m, p.Value)
			t.Lines = []string{partialMonthLabel(p.Period, in.today)}
		default:
			t = views.Tile{Value: views.NA, Lines: []string{"no rollup rows in the range yet"}}
		}
		return panelOut{Tile: t}, nil
	}}
