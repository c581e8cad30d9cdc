package handlers

import (
	"context"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"mari/catalogue"
	"mari/queries"
	"mari/views"
)

// perMinuteChart: transactions initiated in each of the last 60 minutes, 0 where there were
// none.
var perMinuteChart = opsChart{empty: func(wall bool) map[string]any { return perMinuteOptions(wall, nil) }, panel: panelSpec[opsIn]{
	Name: "tpm", Title: "Transactions initiated per minute, last 60 minutes", Metric: catalogue.IDOpsPerMinute, DB: dbCH, Chart: true,
	Load: func(ctx context.Context, in opsIn) (panelOut, error) {
		rows, err := in.perMinute(ctx)
		if err != nil {
			return panelOut{}, err
		}
		t := Table{Columns: []Column{{Name: "minute_sast"}, {Name: "initiated", Unit: catalogue.Count}}}
		for _, m := range rows {
			t.Rows = append(t.Rows, []any{opsMinute(m.Minute), int64(m.Events)})
		}
		return panelOut{Chart: views.Chart{Options: perMinuteOptions(in.wall, rows)}, Table: t}, nil
	}}}

func perMinuteOptions(wall bool, rows []queries.MinuteCount) map[string]any {
	th := opsThemeFor(wall)
	labels, points := []string{}, []opts.LineData{}
	for _, m := range rows {
		labels = append(labels, sastClock(m.Minute, "15:04"))
		points = append(points, lineValue(int64(m.Events)))
	}
	y := th.yValues("per minute")
	y.MinInterval = 1
	l := charts.NewLine()
	l.SetGlobalOptions(th.globals(false)...)
	l.SetGlobalOptions(charts.WithXAxisOpts(th.xCategories()), charts.WithYAxisOpts(y))
	l.SetXAxis(labels).AddSeries("Initiated", points, colour(opsBlue), animated(),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.25)}))
	return opsChartJSON(l, th.extras(true))
}
