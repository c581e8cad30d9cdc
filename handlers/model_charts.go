package handlers

import (
	"fmt"

	"github.com/shopspring/decimal"

	"mari/finmodel"
	"mari/views"
)

// Chart options of the financial-model pages. Values go to ECharts as numbers (charts need
// no cents-exactness; tables and CSVs carry the exact figures).

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

func series(lines []finmodel.Lines, get func(l finmodel.Lines) decimal.Decimal) []any {
	out := make([]any, 0, len(lines))
	for _, l := range lines {
		out = append(out, num(get(l)))
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

	rc := baseOptions(cats)
	rc["yAxis"] = randAxis("rand per "+period, false)
	rc["series"] = []any{
		map[string]any{"name": "Revenue", "type": "bar", "data": series(lines, func(l finmodel.Lines) decimal.Decimal { return l.TotalRevenue }),
			"tooltip": randTooltip(), "itemStyle": map[string]any{"color": colourRevenue}},
		map[string]any{"name": "Costs", "type": "bar", "data": series(lines, func(l finmodel.Lines) decimal.Decimal { return l.TotalCosts }),
			"tooltip": randTooltip(), "itemStyle": map[string]any{"color": colourCosts}},
	}

	be := finmodel.BreakEvenOf(r)
	marks := []any{map[string]any{"yAxis": 0, "name": "zero", "label": map[string]any{"show": false}}}
	if be.ProfitableMonth > 0 {
		at := shortMonth(be.ProfitableMonth)
		if view != "monthly" {
			y, _ := finmodel.YearAndMonth(be.ProfitableMonth)
			at = fmt.Sprintf("Year %d", y)
		}
		marks = append(marks, map[string]any{"xAxis": at, "name": "break-even", "label": map[string]any{"formatter": "break-even"}})
	}
	pc := baseOptions(cats)
	pc["yAxis"] = randAxis("rand", false)
	pc["series"] = []any{
		map[string]any{"name": "Operating profit", "type": "line", "data": series(lines, func(l finmodel.Lines) decimal.Decimal { return l.OperatingProfit }),
			"tooltip": randTooltip(), "itemStyle": map[string]any{"color": colourProfit}, "showSymbol": view != "monthly",
			"markLine": map[string]any{"symbol": "none", "silent": true, "lineStyle": map[string]any{"color": colourLoss, "type": "dashed"}, "data": marks}},
		map[string]any{"name": "Cumulative operating profit", "type": "line", "data": series(lines, func(l finmodel.Lines) decimal.Decimal { return l.CumulativeProfit }),
			"tooltip": randTooltip(), "itemStyle": map[string]any{"color": colourCumulative}, "showSymbol": view != "monthly"},
	}
	return []views.Chart{
		{ID: "model-revenue-costs", Title: "Revenue against costs, per " + period, Options: rc},
		{ID: "model-profit", Title: "Operating profit and cumulative operating profit", Options: pc,
			Note: "The dashed line is zero; break-even is where operating profit crosses it for good (" + breakEvenText(be.ProfitableMonth) + ")."},
	}
}
