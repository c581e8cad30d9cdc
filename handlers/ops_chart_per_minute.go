package handlers

import (
	"context"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"mari/catalogue"
	"mari/queries"
	"mari/views"
)

// perMinuteChart: transactions initiated in each of the last 60 minutes, 0 where there were
// none.
var perMinuteChart = opsChart{empty: func(wall bool) map[string]any { return perMinuteOptions(wall, nil, nil) }, panel: panelSpec[opsIn]{
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
		// Each minute links to the payments initiated in it, of the dashboard's bank and
		// channel. The wall screen gets the same data (its refresh is the page's), and
		// static/charts.js follows no link there.
		f := drillFilter{Bank: in.filter.Bank, Channel: in.filter.Channel}
		drill := func(minute time.Time) string {
			return drillHref(minuteParams(minute), f, "Transactions initiated at "+sastClock(minute, "15:04")+" SAST (operations dashboard)")
		}
		return panelOut{Chart: views.Chart{Options: perMinuteOptions(in.wall, rows, drill)}, Table: t}, nil
	}}}

// perMinuteOptions draws the initiated payments per minute; drill, when not nil, is the
// address of a minute's payments.
func perMinuteOptions(wall bool, rows []queries.MinuteCount, drill func(minute time.Time) string) map[string]any {
	th := opsThemeFor(wall)
	labels, points, hrefs := []string{}, []opts.LineData{}, []string{}
	for _, m := range rows {
		labels = append(labels, sastClock(m.Minute, "15:04"))
		points = append(points, lineValue(int64(m.Events)))
		if drill != nil && m.Events > 0 {
			hrefs = append(hrefs, drill(m.Minute))
		} else {
			hrefs = append(hrefs, "")
		}
	}
	y := th.yValues("per minute")
	y.MinInterval = 1
	l := charts.NewLine()
	l.SetGlobalOptions(th.globals(false)...)
	l.SetGlobalOptions(charts.WithXAxisOpts(th.xCategories()), charts.WithYAxisOpts(y))
	l.SetXAxis(labels).AddSeries("Initiated", points, colour(opsBlue), animated(),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.25)}))
	return withDrill(opsChartJSON(l, th.extras(true)), map[string][]string{"Initiated": hrefs})
}
