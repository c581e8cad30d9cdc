package handlers

import (
	"context"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/shopspring/decimal"

	"mari/catalogue"
	"mari/views"
)

// successGaugeChart: the last 24 hours' success rate on a gauge, red below 92%, amber below
// 97% (the success_rate alarm levels' defaults), green above. Its table is the rate with its
// counts and window. Without any final event it says "no data" in words and has no needle:
// a needle at 0% would read as a total outage.
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
	reading := gaugeReading{Detail: &gaugeReadingDetail{Formatter: "no data"}, ItemStyle: &gaugeReadingStyle{Opacity: 0}}
	if rate.OK {
		reading = gaugeReading{Value: rate.V.Mul(decimal.NewFromInt(100)).Round(2).InexactFloat64()}
	}
	// The reading is the gauge's largest text: at 1280×720 the wall's gauge is about 300 px
	// high, so its scale has three short labels and the value takes the room.
	readingSize, labelSize := 30, 12
	if wall {
		readingSize, labelSize = 48, 15
	}
	g := charts.NewGauge()
	g.SetGlobalOptions(th.globals(false)...)
	g.SetGlobalOptions(charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(false)}))
	g.AddSeries("Success rate", nil, animated(), charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.Data = []gaugeReading{reading}
		s.Min, s.Max = 0, 100
		s.StartAngle, s.EndAngle = 200, -20
		s.Radius, s.Center = "95%", []string{"50%", "60%"}
		s.Pointer = &opts.Pointer{ItemStyle: &opts.ItemStyle{Color: "auto"}}
		s.AxisLabel = &opts.AxisLabel{Color: th.text, FontSize: labelSize, Formatter: "{value}"}
		s.AxisTick = &opts.AxisTick{Show: opts.Bool(false)}
		// On the page the reading takes its band's colour (ECharts' "inherit"): readable on a
		// light or a dark page, and it says the level at a glance.
		readingColour := th.text
		if readingColour == "" {
			readingColour = "inherit"
		}
		s.Detail = &opts.Detail{Formatter: "fmt:gaugePercent", Color: readingColour, FontSize: readingSize, OffsetCenter: []string{"0", "40%"}}
	}))
	return opsChartJSON(g, gaugeExtras{opsExtras: th.extras(false), shortReading: readingSize * 2 / 3})
}

// gaugeExtras adds to the gauge what go-echarts' gauge series has no field for: the coloured
// bands of its arc and a reading that counts to its new value at a refresh.
type gaugeExtras struct {
	opsExtras
	shortReading int // the reading's font size on a short chart
}

// gaugeBand is the colour of the arc up to a fraction of the scale.
type gaugeBand [2]any

// gaugeReading is the gauge's one data item; without a rate it carries its own "no data"
// text and an invisible needle, and a refresh (which replaces the data) brings both back.
type gaugeReading struct {
	Value     any                 `json:"value"`
	Detail    *gaugeReadingDetail `json:"detail,omitempty"`
	ItemStyle *gaugeReadingStyle  `json:"itemStyle,omitempty"`
}

type gaugeReadingDetail struct {
	Formatter string `json:"formatter"`
}

type gaugeReadingStyle struct {
	Opacity float64 `json:"opacity"`
}

type gaugeSeries struct {
	charts.SingleSeries
	SplitNumber int `json:"splitNumber"` // 0, 50, 100: more labels run together at 1280×720
	SplitLine   struct {
		Length   int `json:"length"`
		Distance int `json:"distance"`
	} `json:"splitLine"`
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

// gaugeMedia is an ECharts media query: on a short chart (the wall screen at 1280×720 leaves
// the gauge about 150 px) the reading shrinks and moves under the arc instead of covering it.
type gaugeMedia struct {
	Query  map[string]int `json:"query"`
	Option struct {
		Series []gaugeMediaSeries `json:"series"`
	} `json:"option"`
}

type gaugeMediaSeries struct {
	Radius    string         `json:"radius"`
	Center    []string       `json:"center"`
	AxisLabel map[string]any `json:"axisLabel"`
	Detail    map[string]any `json:"detail"`
}

func (x gaugeExtras) Visit(chart map[string]any) {
	x.opsExtras.Visit(chart)
	var short gaugeMedia
	short.Query = map[string]int{"maxHeight": 240}
	short.Option.Series = []gaugeMediaSeries{{Radius: "88%", Center: []string{"50%", "52%"},
		AxisLabel: map[string]any{"fontSize": 11, "distance": 4},
		Detail:    map[string]any{"fontSize": x.shortReading, "offsetCenter": []string{"0", "62%"}}}}
	chart["media"] = []gaugeMedia{short}
}

func (x gaugeExtras) VisitSeriesOpt(series charts.MultiSeries) any {
	out := make([]gaugeSeries, len(series))
	for i, s := range series {
		out[i].SingleSeries = s
		out[i].AxisLine.LineStyle.Width = 18
		out[i].AxisLine.LineStyle.Color = []gaugeBand{{0.92, opsRed}, {0.97, opsAmber}, {1, opsGreen}}
		out[i].SplitNumber = 2
		out[i].SplitLine.Length, out[i].SplitLine.Distance = 10, 0
		if s.Detail != nil {
			out[i].Detail.Detail = *s.Detail
		}
		out[i].Detail.ValueAnimation = true
	}
	return out
}
