package handlers

import (
	"context"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"mari/catalogue"
	"mari/views"
)

// dailyChartPanel: completed volume and transactions initiated on each day of the range. A day
// without a rollup row is a gap, never zero.
var dailyChartPanel = panelSpec[execIn]{Name: "daily", Title: "Daily completed volume and transactions", Metric: catalogue.IDCompletedVolume,
	DB: dbPG, Chart: true, Tall: true,
	Load: func(ctx context.Context, in execIn) (panelOut, error) {
		var s [3]catalogue.Series
		for i, id := range []string{catalogue.IDTransactions, catalogue.IDCompletedVolume, catalogue.IDCompleted} {
			var err error
			if s[i], err = in.ask(ctx, id, in.rc.Range, catalogue.Day); err != nil {
				return panelOut{}, err
			}
		}
		tx, vol, completed := s[0], s[1], s[2]
		t := Table{Columns: cols("date", "transactions", "completed_transactions", "completed_volume")}
		t.Columns[1].Unit, t.Columns[2].Unit, t.Columns[3].Unit = catalogue.Count, catalogue.Count, catalogue.Rand
		var cats []string
		var bars []opts.BarData
		var line []opts.LineData
		hasData := false
		for i, p := range vol.Points {
			cats = append(cats, p.Period.From.String())
			t.Rows = append(t.Rows, []any{p.Period.From, tx.Points[i].Value, completed.Points[i].Value, p.Value})
			var b, l any
			if p.Value.OK {
				hasData = true
				b, l = drawn(p.Value.V), tx.Points[i].Value.V.IntPart()
			}
			bars, line = append(bars, barValue(b)), append(line, lineValue(l))
		}
		if !hasData {
			return panelOut{Chart: views.Chart{Empty: "No rollup data for " + rangeLabel(in.rc.Range) + " yet."}, Table: t}, nil
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(chartGlobals(randYAxis("completed volume"))...)
		bar.ExtendYAxis(countYAxis("transactions", true))
		if len(cats) > 45 {
			bar.SetGlobalOptions(charts.WithDataZoomOpts(opts.DataZoom{Type: "inside"}))
		}
		bar.SetXAxis(cats).AddSeries("Completed volume", bars, randSeries(), colour(green))
		l := charts.NewLine()
		l.SetXAxis(cats).AddSeries("Transactions", line, countSeries(), colour(amber),
			charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1, ShowSymbol: opts.Bool(false)}))
		bar.Overlap(l)
		return panelOut{Chart: views.Chart{Options: chartJSON(bar)}, Table: t}, nil
	}}
