package handlers

import (
	"encoding/json"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
)

// The operations dashboard's charts, built with go-echarts like every chart of the app, in two
// looks: dark text on the light page, light text and larger type on the wall screen's dark
// background.

// The dashboard's colours: bright enough to read on the wall screen from across a room.
const (
	opsBlue  = "#38bdf8"
	opsAmber = "#f59e0b"
	opsRed   = "#ef4444"
	opsGreen = "#22c55e"
)

// opsTheme is the look of a chart on the page or on the wall screen.
type opsTheme struct {
	text, line string
	size       int // font size of labels, legends and axis names
}

func opsThemeFor(wall bool) opsTheme {
	if wall {
		return opsTheme{text: "#e6edf3", line: "#475569", size: 16}
	}
	// On the page the colours of text and lines are left to the ECharts theme, which follows
	// the system's light or dark setting (charts.js).
	return opsTheme{size: 12}
}

// globals are the options every chart of the dashboard shares.
func (t opsTheme) globals(legend bool) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{BackgroundColor: "transparent"}),
		charts.WithColorsOpts(opts.Colors{opsBlue, opsAmber, opsRed, opsGreen}),
		charts.WithAnimation(true),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(legend), Top: "0", TextStyle: &opts.TextStyle{Color: t.text, FontSize: t.size}}),
		charts.WithGridOpts(opts.Grid{Left: "12", Right: "24", Top: "36", Bottom: "8", ContainLabel: opts.Bool(true)}),
	}
}

func (t opsTheme) label(formatter string) *opts.AxisLabel {
	return &opts.AxisLabel{Color: t.text, FontSize: t.size, Formatter: types.FuncStr(formatter)}
}

func (t opsTheme) axisLine() *opts.AxisLine {
	return &opts.AxisLine{LineStyle: &opts.LineStyle{Color: t.line}}
}

func (t opsTheme) splitLine() *opts.SplitLine {
	return &opts.SplitLine{LineStyle: &opts.LineStyle{Color: t.line, Opacity: opts.Float(0.4)}}
}

// xCategories is a category x axis (minutes, hours); yValues a value y axis named name.
func (t opsTheme) xCategories() opts.XAxis {
	return opts.XAxis{Type: "category", AxisLabel: t.label(""), AxisLine: t.axisLine(), SplitLine: t.splitLine()}
}

func (t opsTheme) yValues(name string) opts.YAxis {
	// counts and milliseconds grouped as every other page groups them ("4 000", never "4,000")
	return opts.YAxis{Type: "value", Name: name, AxisLabel: t.label("fmt:count"), AxisLine: t.axisLine(), SplitLine: t.splitLine()}
}

// animated makes a series' first draw and its refreshes quick: a refresh every 5 s should
// glide, not replay a second-long entrance.
func animated() charts.SeriesOpts {
	return charts.WithAnimationOpts(opts.Animation{AnimationDuration: 300, AnimationDurationUpdate: 300})
}

// opsExtras adds, as go-echarts turns a chart into JSON (its visitor), the few ECharts options
// the dashboard needs that go-echarts has no field for, as typed values: the default text
// style (light on the wall screen), tooltips kept inside their chart (the wall screen's charts
// fill the screen), and a category axis drawn edge to edge for the per-minute line.
type opsExtras struct {
	charts.BaseConfigurationVisitor
	text       opts.TextStyle
	edgeToEdge bool
}

func (t opsTheme) extras(edgeToEdge bool) opsExtras {
	return opsExtras{text: opts.TextStyle{Color: t.text, FontSize: t.size}, edgeToEdge: edgeToEdge}
}

func (x opsExtras) Visit(chart map[string]any) { chart["textStyle"] = x.text }

// confinedTooltip is a tooltip that stays inside its chart.
type confinedTooltip struct {
	opts.Tooltip
	Confine bool `json:"confine"`
}

func (x opsExtras) VisitTooltipOpt(t opts.Tooltip) any {
	return confinedTooltip{Tooltip: t, Confine: true}
}

// edgeAxis is an x axis with ECharts' boundaryGap, which go-echarts' XAxis lacks.
type edgeAxis struct {
	opts.XAxis
	BoundaryGap bool `json:"boundaryGap"`
}

func (x opsExtras) VisitXAxis(axes []opts.XAxis) any {
	if !x.edgeToEdge {
		return axes
	}
	out := make([]edgeAxis, len(axes))
	for i, a := range axes {
		out[i] = edgeAxis{XAxis: a}
	}
	return out
}

// opsChartJSON is the chart's options as the page's JSON data, with the dashboard's extras.
func opsChartJSON(c interface {
	Validate()
	JSON() map[string]any
	Accept(charts.ConfigurationVisitor)
}, extras charts.ConfigurationVisitor) map[string]any {
	c.Accept(extras)
	m := chartJSON(c)
	if axes, ok := m["yAxis"].([]map[string]any); ok && len(axes) == 0 {
		delete(m, "yAxis") // a gauge has no axes; chartJSON's name alignment leaves a null
	}
	return m
}

// chartData is what a refresh replaces in a chart: every axis's categories and every series'
// points, by position (ECharts' setOption merges arrays of components by index). Colours, axes
// and formatters stay as the page drew them. Taken from the very options the page draws, so a
// chart after a refresh is the chart a reload would draw.
func chartData(options map[string]any) map[string]any {
	b, err := json.Marshal(options)
	if err != nil {
		return nil
	}
	var o struct {
		XAxis  []map[string]json.RawMessage `json:"xAxis"`
		YAxis  []map[string]json.RawMessage `json:"yAxis"`
		Series []map[string]json.RawMessage `json:"series"`
	}
	if json.Unmarshal(b, &o) != nil {
		return nil
	}
	patch := map[string]any{}
	for key, list := range map[string][]map[string]json.RawMessage{"xAxis": o.XAxis, "yAxis": o.YAxis, "series": o.Series} {
		if len(list) == 0 {
			continue
		}
		data := make([]map[string]json.RawMessage, len(list))
		for i, c := range list {
			data[i] = map[string]json.RawMessage{}
			if d, ok := c["data"]; ok {
				data[i]["data"] = d
			}
		}
		patch[key] = data
	}
	return patch
}
