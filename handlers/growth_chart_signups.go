package handlers

import (
	"context"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"mari/catalogue"
	"mari/views"
)

// signupsChartPanel: sign-ups per period of the "by" choice, stacked by source (only the
// chosen source when there is one). A period the range cuts counts its days inside the range
// and is marked partial.
var signupsChartPanel = panelSpec[growthIn]{Name: "signups", Title: "New sign-ups by source", Metric: catalogue.IDGrowthSignups,
	DB: dbPG, Chart: true, Tall: true,
	Load: func(ctx context.Context, in growthIn) (panelOut, error) {
		shown := catalogue.SignupSources
		if in.f.Source != "" {
			shown = []string{in.f.Source}
		}
		series := make([]catalogue.Series, len(shown))
		loads := make([]func(context.Context) error, len(shown))
		for i, s := range shown {
			loads[i] = func(ctx context.Context) (err error) {
				series[i], err = in.ask(ctx, catalogue.IDGrowthSignups, in.f.rc.Range, in.f.By, s)
				return err
			}
		}
		if err := atOnce(ctx, loads...); err != nil {
			return panelOut{}, err
		}
		t := Table{Columns: cols(append(append([]string{"period_start", "period_end"}, shown...), "total", "partial_period")...)}
		for i := range shown {
			t.Columns[2+i].Unit = catalogue.Count
		}
		t.Columns[2+len(shown)].Unit = catalogue.Count
		var cats []string
		bars := make([][]opts.BarData, len(shown))
		for p, point := range series[0].Points {
			cats = append(cats, cohortLabel(point.Period, in.f.By))
			row := []any{point.Period.From, point.Period.To}
			var total int64
			for i := range shown {
				n := series[i].Points[p].Value.V.IntPart()
				total += n
				row = append(row, n)
				bars[i] = append(bars[i], barValue(n))
			}
			t.Rows = append(t.Rows, append(row, total, cutByRange(point.Period, in.f.By)))
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(chartGlobals(countYAxis("sign-ups", false))...)
		if len(cats) > 45 {
			bar.SetGlobalOptions(charts.WithDataZoomOpts(opts.DataZoom{Type: "inside"}))
		}
		bar.SetXAxis(cats)
		for i, s := range shown {
			bar.AddSeries(sourceLabel(s), bars[i], countSeries(), colour(sourceColours[s]),
				charts.WithBarChartOpts(opts.BarChart{Stack: "signups"}))
		}
		note := "Sign-ups per " + byLabel(in.f.By) + ", counted from users.created_at in SAST."
		return panelOut{Chart: views.Chart{Options: chartJSON(bar), Note: note}, Table: t}, nil
	}}
