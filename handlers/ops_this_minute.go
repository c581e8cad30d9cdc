package handlers

import (
	"context"

	"github.com/shopspring/decimal"

	"mari/catalogue"
	"mari/metrics"
	"mari/views"
)

// thisMinuteTile: transactions initiated in the last full minute, against the same minute a
// week earlier (a minute that has just begun would compare a few seconds with a whole
// minute). Its table is the week CSV (/ops/week.csv).
var thisMinuteTile = opsTile{field: "week.current", detail: "week.change", panel: panelSpec[opsIn]{
	Name: "week", Title: "Initiated, last full minute", Metric: catalogue.IDOpsMinuteVsWeek, DB: dbCH,
	Load: func(ctx context.Context, in opsIn) (panelOut, error) {
		w, err := in.week(ctx)
		if err != nil {
			return panelOut{}, err
		}
		change := "n/a (none last week)"
		if g, ok := metrics.Growth(decimal.NewFromUint64(w.Current), decimal.NewFromUint64(w.LastWeek)); ok {
			change = signedPercent(g) + " vs last week"
		}
		change = sastClock(w.Minute, "15:04") + " (last full minute): " + change
		t := Table{Columns: []Column{{Name: "minute_sast"}, {Name: "initiated", Unit: catalogue.Count},
			{Name: "same_minute_last_week_sast"}, {Name: "initiated_last_week", Unit: catalogue.Count}},
			Rows: [][]any{{opsMinute(w.Minute), int64(w.Current), opsMinute(w.Minute.AddDate(0, 0, -7)), int64(w.LastWeek)}}}
		return panelOut{Tile: views.Tile{Value: views.Count(w.Current), Lines: []string{change}}, Table: t}, nil
	}}}

// signedPercent is a change with one decimal and its sign: "+12.5%", "-50.0%".
func signedPercent(g decimal.Decimal) string {
	s := g.Mul(decimal.NewFromInt(100)).StringFixed(1)
	if !g.IsNegative() {
		s = "+" + s
	}
	return s + "%"
}
