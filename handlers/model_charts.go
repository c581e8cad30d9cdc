package handlers

import (
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/shopspring/decimal"

	"mari/finmodel"
	"mari/views"
)

// Charts of the financial-model pages. Values go to ECharts as numbers (charts need no
// cents-exactness; tables and CSVs carry the exact figures).

const (
	colourRevenue    = "#0b6e4f"
	colourCosts      = "#d97706"
	colourProfit     = "#5b8def"
	colourCumulative = "#7c3aed"
	colourLoss       = "#b42318"
)

// planCategories are the x-axis labels: "Year 1"… or "Y1 M1"….
func planCategories(r finmodel.Result, view string) []string {
	var out []string
	if view == "monthly" {
		for _, m := range r.Months() {
			out = append(out, shortMonth(m.Month))
		}
		return out
	}
	for _, y := range r.Years {
		out = append(out, fmt.Sprintf("Year %d", y.Year))
	}
	return out
}

func planLines(r finmodel.Result, view string) []finmodel.Lines {
	var out []finmodel.Lines
	if view == "monthly" {
		for _, m := range r.Months() {
			out = append(out, m.Lines)
		}
		return out
	}
	for _, y := range r.Years {
		out = append(out, y.Lines)
	}
	return out
}

func barsOf(lines []finmodel.Lines, get func(l finmodel.Lines) decimal.Decimal) []opts.BarData {
	out := make([]opts.BarData, 0, len(lines))
	for _, l := range lines {
		out = append(out, barValue(drawn(get(l))))
	}
	return out
}

func linesOf(lines []finmodel.Lines, get func(l finmodel.Lines) decimal.Decimal) []opts.LineData {
	out := make([]opts.LineData, 0, len(lines))
	for _, l := range lines {
		out = append(out, lineValue(drawn(get(l))))
	}
	return out
}

// modelCharts are the editor's two charts: revenue against costs, and operating profit with
// cumulative operating profit, the zero line and the break-even month marked. The preview
// sends the same options, which static/model.js passes to MariCharts.update.
func modelCharts(r finmodel.Result, view string) []views.Chart {
	cats := planCategories(r, view)
	lines := planLines(r, view)
	period := "year"
	if view == "monthly" {
		period = "month"
	}

	rc := charts.NewBar()
	rc.SetGlobalOptions(chartGlobals(randYAxis("rand per " + period))...)
	rc.SetXAxis(cats).
		AddSeries("Revenue", barsOf(lines, func(l finmodel.Lines) decimal.Decimal { return l.TotalRevenue }), randSeries(), colour(colourRevenue)).
		AddSeries("Costs", barsOf(lines, func(l finmodel.Lines) decimal.Decimal { return l.TotalCosts }), randSeries(), colour(colourCosts))

	// The zero line has no name, so its label (the mark's name) is empty; the break-even
	// line's reads "break-even".
	be := finmodel.BreakEvenOf(r)
	marks := []charts.SeriesOpts{
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"},
			Label: &opts.Label{Formatter: "{b}"}, LineStyle: &opts.LineStyle{Color: colourLoss, Type: "dashed"}}),
		charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{YAxis: 0}),
	}
	if be.ProfitableMonth > 0 {
		at := shortMonth(be.ProfitableMonth)
		if view != "monthly" {
			y, _ := finmodel.YearAndMonth(be.ProfitableMonth)
			at = fmt.Sprintf("Year %d", y)
		}
		marks = append(marks, charts.WithMarkLineNameXAxisItemOpts(opts.MarkLineNameXAxisItem{Name: "break-even", XAxis: at}))
	}
	symbols := charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(view != "monthly")})
	pc := charts.NewLine()
	pc.SetGlobalOptions(chartGlobals(randYAxis("rand"))...)
	pc.SetXAxis(cats).
		AddSeries("Operating profit", linesOf(lines, func(l finmodel.Lines) decimal.Decimal { return l.OperatingProfit }),
			append([]charts.SeriesOpts{randSeries(), colour(colourProfit), symbols}, marks...)...).
		AddSeries("Cumulative operating profit", linesOf(lines, func(l finmodel.Lines) decimal.Decimal { return l.CumulativeProfit }),
			randSeries(), colour(colourCumulative), symbols)
	return []views.Chart{
		{ID: "model-revenue-costs", Title: "Revenue against costs, per " + period, Options: plainChartJSON(rc)},
		{ID: "model-profit", Title: "Operating profit and cumulative operating profit", Options: plainChartJSON(pc),
			Note: "The dashed line is zero; break-even is where operating profit crosses it for good (" + breakEvenText(be.ProfitableMonth) + ")."},
	}
}
