package handlers

import (
	"context"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/shopspring/decimal"

	"mari/catalogue"
	"mari/views"
)

// successGaugeChart: the last 24 hours' success rate on a gauge, red below 90%, amber below
// 97%, green above. Its table is the rate with its counts and window.
var successGaugeChart = opsChart{empty: func(wall bool) map[string]any { return successGaugeOptions(wall, catalogue.NA) }, panel: panelSpec[opsIn]{
	Name: "success", Title: "Success rate, last 24 hours", Metric: catalogue.IDOpsSuccessRate, DB: dbCH, Chart: true,
	Load: func(ctx context.Context, in opsIn) (panelOut, error) {
		f, err := in.final(ctx)
		if err != nil {
			return panelOut{}, err
		}
		rate := catalogue.OpsSuccessRate(f)
		w := in.windows()
		t := Table{Columns: []Column{{Name: "window_sast"}, {Name: "completed", Unit: catalogue.Count},
			{Name: "failed", Unit: catalogue.Count}, {Name: "success_rate", Unit: catalogue.Ratio}},
			Rows: [][]any{{sastClock(w.dayFrom, "2006-01-02 15:04") + " to " + sastClock(w.end, "2006-01-02 15:04"),
				int64(f.Completed), int64(f.Failed), opsRatio(rate)}}}
		return panelOut{Chart: views.Chart{Options: successGaugeOptions(in.wall, rate)}, Table: t}, nil
	}}}

func successGaugeOptions(wall bool, rate catalogue.Value) map[string]any {
	th := opsThemeFor(wall)
	var reading any // none: the gauge's formatter says n/a
	if rate.OK {
		reading = rate.V.Mul(decimal.NewFromInt(100)).Round(2).InexactFloat64()
	}
	readingSize := 28
	if wall {
		readingSize = 44
	}
	g := charts.NewGauge()
	g.SetGlobalOptions(th.globals(false)...)
	g.SetGlobalOptions(charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(false)}))
	g.AddSeries("Success rate", []opts.GaugeData{{Value: reading}}, animated(), charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.Min, s.Max = 0, 100
		s.StartAngle, s.EndAngle = 200, -20
		s.Radius, s.Center = "95%", []string{"50%", "60%"}
		s.Pointer = &opts.Pointer{ItemStyle: &opts.ItemStyle{Color: "auto"}}
		s.AxisLabel = &opts.AxisLabel{Color: th.text, FontSize: th.size, Formatter: "{value}%"}
		s.Detail = &opts.Detail{Formatter: "fmt:gaugePercent", Color: th.text, FontSize: readingSize, OffsetCenter: []string{"0", "45%"}}
	}))
	return opsChartJSON(g, gaugeExtras{opsExtras: th.extras(false)})
}

// gaugeExtras adds to the gauge what go-echarts' gauge series has no field for: the coloured
// bands of its arc and a reading that counts to its new value at a refresh.
type gaugeExtras struct{ opsExtras }

// gaugeBand is the colour of the arc up to a fraction of the scale.
type gaugeBand [2]any

type gaugeSeries struct {
	charts.SingleSeries
	AxisLine struct {
		LineStyle struct {
			Width int         `json:"width"`
			Color []gaugeBand `json:"color"`
		} `json:"lineStyle"`
	} `json:"axisLine"`
	Detail struct {
		opts.Detail
		ValueAnimation bool `json:"valueAnimation"`
	} `json:"detail"`
}

func (x gaugeExtras) VisitSeriesOpt(series charts.MultiSeries) any {
	out := make([]gaugeSeries, len(series))
	for i, s := range series {
		out[i].SingleSeries = s
		out[i].AxisLine.LineStyle.Width = 18
		out[i].AxisLine.LineStyle.Color = []gaugeBand{{0.9, opsRed}, {0.97, opsAmber}, {1, opsGreen}}
		if s.Detail != nil {
			out[i].Detail.Detail = *s.Detail
		}
		out[i].Detail.ValueAnimation = true
	}
	return out
}
