package handlers

import (
	"context"
	"sort"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"mari/catalogue"
	"mari/queries"
	"mari/views"
)

// errorRateChart: for each failure reason, its failed transactions as a share of the last 24
// hours' final events, largest first.
var errorRateChart = opsChart{empty: func(wall bool) map[string]any { return errorRateOptions(wall, nil) }, panel: panelSpec[opsIn]{
	Name: "errors", Title: "Error rate by failure reason, last 24 hours", Metric: catalogue.IDOpsErrorRate, DB: dbCH, Chart: true,
	Load: func(ctx context.Context, in opsIn) (panelOut, error) {
		f, err := in.final(ctx)
		if err != nil {
			return panelOut{}, err
		}
		rates := reasonRates(f)
		t := Table{Columns: []Column{{Name: "failure_reason"}, {Name: "failed", Unit: catalogue.Count},
			{Name: "final_events", Unit: catalogue.Count}, {Name: "error_rate", Unit: catalogue.Ratio}}}
		for _, r := range rates {
			t.Rows = append(t.Rows, []any{r.Reason, int64(r.Failed), int64(f.Completed + f.Failed), opsRatio(r.Rate)})
		}
		return panelOut{Chart: views.Chart{Options: errorRateOptions(in.wall, rates)}, Table: t}, nil
	}}}

// reasonRate is one failure reason's failed events and error rate.
type reasonRate struct {
	Reason string
	Failed uint64
	Rate   catalogue.Value
}

// reasonRates are the error rates by failure reason, largest first, then by name.
func reasonRates(f queries.FinalEvents) []reasonRate {
	var out []reasonRate
	for r, n := range f.ByReason {
		if r == "" {
			r = "(no reason given)"
		}
		out = append(out, reasonRate{Reason: r, Failed: n, Rate: catalogue.OpsErrorRate(n, f)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Failed != out[j].Failed {
			return out[i].Failed > out[j].Failed
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}

func errorRateOptions(wall bool, rates []reasonRate) map[string]any {
	th := opsThemeFor(wall)
	reasons, bars := []string{}, []opts.BarData{}
	for _, r := range rates {
		reasons = append(reasons, r.Reason)
		bars = append(bars, barValue(drawn(r.Rate.V)))
	}
	b := charts.NewBar()
	b.SetGlobalOptions(th.globals(false)...)
	b.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis", ValueFormatter: "fmt:percent"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", AxisLabel: th.label("fmt:percent"), AxisLine: th.axisLine(), SplitLine: th.splitLine()}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: th.label(""), AxisLine: th.axisLine()}))
	b.SetXAxis(reasons).AddSeries("Error rate", bars, colour(opsRed), animated(),
		charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.BarMaxWidth = "48" }))
	b.XYReversal()
	return opsChartJSON(b, th.extras(false))
}
