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
		// Each day's bar is the sum of that SAST day's completed amounts, and its point on the
		// line the count of every payment initiated that day: each links to exactly those rows.
		var volDrill, txDrill []string
		hasData := false
		for i, p := range vol.Points {
			day := p.Period.From
			cats = append(cats, day.String())
			t.Rows = append(t.Rows, []any{day, tx.Points[i].Value, completed.Points[i].Value, p.Value})
			var b, l any
			var vd, td string
			if p.Value.OK {
				hasData = true
				b, l = drawn(p.Value.V), tx.Points[i].Value.V.IntPart()
				vd = drillHref(dayParams(day), drillFilter{Status: "COMPLETED"}, "Completed volume on "+day.String()+" (executive dashboard)")
				td = drillHref(dayParams(day), drillFilter{}, "Transactions on "+day.String()+" (executive dashboard)")
			}
			bars, line = append(bars, barValue(b)), append(line, lineValue(l))
			volDrill, txDrill = append(volDrill, vd), append(txDrill, td)
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
		options := withDrill(chartJSON(bar), map[string][]string{"Completed volume": volDrill, "Transactions": txDrill})
		return panelOut{Chart: views.Chart{Options: options,
			Note: "Click a day's bar for its completed payments, or its point on the line for all its payments."}, Table: t}, nil
	}}
