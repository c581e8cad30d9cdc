package handlers

import (
	"bytes"
	"encoding/json"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
	"github.com/shopspring/decimal"
)

// Charts are built with go-echarts' typed options and sent to the page as JSON data
// (templ.JSONScript), which static/charts.js draws; never through go-echarts' own templates,
// which put unescaped JSON inside a script. Formatters are named ("fmt:rand") and charts.js
// replaces the names with its functions, so the page needs no inline script.

// chartGlobals are the options every chart shares.
func chartGlobals(yAxis opts.YAxis) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithAnimation(true),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Top: "0", Type: "scroll"}),
		charts.WithGridOpts(opts.Grid{Left: "16", Right: "16", Top: "48", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithYAxisOpts(yAxis),
	}
}

// randYAxis is a money axis with compact labels; countYAxis a count axis.
func randYAxis(name string) opts.YAxis {
	return opts.YAxis{Type: "value", Name: name, AxisLabel: &opts.AxisLabel{Formatter: types.FuncStr("fmt:randCompact")}}
}

func countYAxis(name string, right bool) opts.YAxis {
	return opts.YAxis{Type: "value", Name: name,
		AxisLabel: &opts.AxisLabel{Formatter: types.FuncStr("fmt:count")}, SplitLine: &opts.SplitLine{Show: opts.Bool(!right)}}
}

// Series options: how a series' values read in the tooltip, and its colour.
func randSeries() charts.SeriesOpts {
	return charts.WithSeriesTooltipOpts(opts.SeriesTooltip{ValueFormatter: types.FuncStr("fmt:rand")})
}

func countSeries() charts.SeriesOpts {
	return charts.WithSeriesTooltipOpts(opts.SeriesTooltip{ValueFormatter: types.FuncStr("fmt:count")})
}

func colour(c string) charts.SeriesOpts { return charts.WithItemStyleOpts(opts.ItemStyle{Color: c}) }

// The palette: Mari green for the main series, blue and amber beside it, red for targets.
const (
	green     = "#0b6e4f"
	lightTeal = "#8cc9b3"
	blue      = "#5b8def"
	amber     = "#d97706"
	red       = "#b42318"
)

// barValue and lineValue are chart points; nil draws a gap. Decimals become floats only here,
// to be drawn: tooltips read the exact figure from the same table the CSV prints.
func barValue(v any) opts.BarData   { return opts.BarData{Value: v} }
func lineValue(v any) opts.LineData { return opts.LineData{Value: v} }

func drawn(d decimal.Decimal) any { return d.InexactFloat64() }

// chartJSON is the chart's options as the page's JSON data. go-echarts' axis type has no
// nameTextStyle, so the axes' names are aligned here: the first axis's name to the left, a
// second (right-hand) axis's to the right, so both stay inside the chart.
func chartJSON(c interface {
	Validate()
	JSON() map[string]any
}) map[string]any {
	c.Validate()
	m := c.JSON()
	b, err := json.Marshal(m["yAxis"])
	var axes []map[string]any
	if err != nil || json.Unmarshal(b, &axes) != nil {
		return m
	}
	for i, a := range axes {
		align := "left"
		if i > 0 {
			align = "right"
		}
		a["nameTextStyle"] = map[string]any{"align": align}
	}
	m["yAxis"] = axes
	return m
}

// plainChartJSON is chartJSON plus what go-echarts' typed options cannot say:
//   - the tooltip is confined to the chart, so a long one (a scenario's name, a driver's
//     label) next to a panel's edge is not cut off;
//   - the first draw animates for 300 ms (BaseConfiguration has animationDuration but never
//     writes it);
//   - mark lines are silent: a reference line (zero, break-even) is not data to hover;
//   - a point holding nothing but its value is written as the bare value, ECharts' plain
//     form, so getOption reads numbers back where a page patches or reads a chart's data
//     (the model editor's live preview does).
func plainChartJSON(c interface {
	Validate()
	JSON() map[string]any
}) map[string]any {
	m := chartJSON(c)
	b, err := json.Marshal(m)
	if err != nil {
		return m
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // the numbers go back out exactly as go-echarts wrote them
	var out map[string]any
	if dec.Decode(&out) != nil {
		return m
	}
	out["animationDuration"] = 300
	if tip, ok := out["tooltip"].(map[string]any); ok {
		tip["confine"] = true
	}
	series, _ := out["series"].([]any)
	for _, s := range series {
		s, ok := s.(map[string]any)
		if !ok {
			continue
		}
		if ml, ok := s["markLine"].(map[string]any); ok {
			ml["silent"] = true
		}
		data, _ := s["data"].([]any)
		for i, d := range data {
			if p, ok := d.(map[string]any); ok && len(p) <= 1 {
				if v, ok := p["value"]; ok || len(p) == 0 {
					data[i] = v // an empty point ({}) is a gap: null
				}
			}
		}
	}
	return out
}

// withDrill links points of a chart to the rows behind them: drills maps a series' name to the
// address of each of its points' transactions (drillHref; "" for a point without), which
// static/charts.js opens when the point is clicked. A point becomes {"value": v, "drill": href},
// a form ECharts keeps whole in the click's params.data; gaps stay gaps. Only figures that are
// exactly a count or a sum of transactions rows get a link.
func withDrill(options map[string]any, drills map[string][]string) map[string]any {
	b, err := json.Marshal(options)
	if err != nil {
		return options
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // the numbers go back out exactly as go-echarts wrote them
	var out map[string]any
	if dec.Decode(&out) != nil {
		return options
	}
	series, _ := out["series"].([]any)
	for _, s := range series {
		s, ok := s.(map[string]any)
		if !ok {
			continue
		}
		name, _ := s["name"].(string)
		hrefs, ok := drills[name]
		if !ok {
			continue
		}
		data, _ := s["data"].([]any)
		for i, d := range data {
			if i >= len(hrefs) || hrefs[i] == "" {
				continue
			}
			p, isPoint := d.(map[string]any)
			if !isPoint {
				p = map[string]any{"value": d}
			}
			if v, ok := p["value"]; !ok || v == nil {
				continue // a gap has no rows to show
			}
			p["drill"] = hrefs[i]
			data[i] = p
		}
	}
	return out
}
