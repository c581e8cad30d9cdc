package handlers

import (
	"context"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"mari/catalogue"
	"mari/queries"
	"mari/views"
)

// processingTimeChart: the exact p50 and p95 processing time of each of the last 24 hours'
// final events (nearest rank, from the histogram; queries.OpsProcessingHourly). An hour without
// final events is a gap in the chart and empty cells in the CSV, which gives each hour's count.
var processingTimeChart = opsChart{empty: func(wall bool) map[string]any { return processingTimeOptions(wall, nil) }, panel: panelSpec[opsIn]{
	Name: "latency", Title: "Processing time per hour (p50, p95), last 24 hours", Metric: catalogue.IDOpsProcessingTime, DB: dbCH, Chart: true,
	Load: func(ctx context.Context, in opsIn) (panelOut, error) {
		hours, err := in.hourly(ctx)
		if err != nil {
			return panelOut{}, err
		}
		t := Table{Columns: []Column{{Name: "hour_sast"}, {Name: "p50_ms", Unit: catalogue.Milliseconds},
			{Name: "p95_ms", Unit: catalogue.Milliseconds}, {Name: "final_events", Unit: catalogue.Count}}}
		for _, h := range hours {
			p50, p95 := hourPercentiles(h)
			t.Rows = append(t.Rows, []any{opsMinute(h.Hour), msCell(p50), msCell(p95), int64(h.Events)})
		}
		return panelOut{Chart: views.Chart{Options: processingTimeOptions(in.wall, hours)}, Table: t}, nil
	}}}

// hourPercentiles are an hour's p50 and p95, nil for an hour without final events (no
// percentile, not 0 ms).
func hourPercentiles(h queries.HourLatency) (p50, p95 *int64) {
	if h.Events == 0 {
		return nil, nil
	}
	return &h.P50, &h.P95
}

func processingTimeOptions(wall bool, hours []queries.HourLatency) map[string]any {
	th := opsThemeFor(wall)
	labels, p50, p95 := []string{}, []opts.LineData{}, []opts.LineData{}
	for _, h := range hours {
		labels = append(labels, sastClock(h.Hour, "15:04"))
		lo, hi := hourPercentiles(h)
		p50, p95 = append(p50, lineValue(msCell(lo))), append(p95, lineValue(msCell(hi)))
	}
	l := charts.NewLine()
	l.SetGlobalOptions(th.globals(true)...)
	l.SetGlobalOptions(charts.WithXAxisOpts(th.xCategories()), charts.WithYAxisOpts(th.yValues("ms")))
	l.SetXAxis(labels).
		AddSeries("p50", p50, colour(opsBlue), animated(), msTooltip()).
		AddSeries("p95", p95, colour(opsAmber), animated(), msTooltip())
	return opsChartJSON(l, th.extras(false))
}

// msTooltip: the hover text of a duration names its unit, "p95  2 227 ms".
func msTooltip() charts.SeriesOpts {
	return charts.WithSeriesTooltipOpts(opts.SeriesTooltip{ValueFormatter: types.FuncStr("fmt:ms")})
}
