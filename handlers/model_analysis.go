package handlers

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/catalogue"
	"mari/finmodel"
	"mari/queries"
	"mari/views"
)

func stepLabel(step int) string {
	if step < 0 {
		return fmt.Sprintf("−%d%%", -step)
	}
	return fmt.Sprintf("+%d%%", step)
}

// sensitivityData is the sensitivity table, typed: a row per driver (most impact first), the
// change of final-year and cumulative operating profit for each step. The CSV prints it and the
// page shows the same cells.
func sensitivityData(sens []finmodel.Sensitivity) Table {
	t := Table{Columns: cols("driver")}
	for _, which := range []string{"final_year_profit", "cumulative_profit"} {
		for _, st := range finmodel.SensitivitySteps {
			t.Columns = append(t.Columns, Column{Name: fmt.Sprintf("%s_change_at_%+d%%", which, st), Unit: catalogue.Rand})
		}
	}
	for _, s := range sens {
		row := []any{s.Driver.Key}
		for _, v := range s.LastYearProfit {
			row = append(row, v)
		}
		for _, v := range s.CumulativeProfit {
			row = append(row, v)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// sensitivityTable is the sensitivity CSV.
func sensitivityTable(sens []finmodel.Sensitivity) table { return sensitivityData(sens).strings() }

// tornado is a horizontal bar chart of each driver's effect, largest at the top: the ±20%
// bars with the ±10% bars drawn over them on the same line.
func tornado(sens []finmodel.Sensitivity, pick func(s finmodel.Sensitivity) []decimal.Decimal) map[string]any {
	var cats []string
	n := len(sens)
	data := make([][]opts.BarData, len(finmodel.SensitivitySteps))
	for i := n - 1; i >= 0; i-- { // ECharts draws the first category at the bottom
		cats = append(cats, sens[i].Driver.Label)
		for k, v := range pick(sens[i]) {
			data[k] = append(data[k], barValue(drawn(v)))
		}
	}
	colours := map[int]string{-20: "#f4a6a0", -10: "#b42318", 10: "#0b6e4f", 20: "#8fd3b6"}
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithAnimation(true),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "shadow"}}),
		charts.WithLegendOpts(opts.Legend{Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "16", Right: "24", Top: "48", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", AxisLabel: &opts.AxisLabel{Formatter: types.FuncStr("fmt:randCompact")}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category"}),
	)
	bar.XYReversal().SetXAxis(cats)
	// The ±20% bars first, the ±10% bars over them.
	for _, k := range []int{0, 3, 1, 2} {
		st := finmodel.SensitivitySteps[k]
		bar.AddSeries("driver "+stepLabel(st), data[k], randSeries(), colour(colours[st]),
			charts.WithBarChartOpts(opts.BarChart{BarGap: "-100%", BarWidth: "55%"}))
	}
	return plainChartJSON(bar)
}

// Sensitivity serves GET /model/:id/sensitivity: the tornado charts of final-year and
// cumulative operating profit, and the table behind them.
func (h *Model) Sensitivity(c echo.Context) error {
	s, err := h.scenario(c)
	if done, err := scenarioNotFoundPage(c, err); done || err != nil {
		return err
	}
	sens := finmodel.SensitivityOf(s.Assumptions)
	base := finalYear(finmodel.Compute(s.Assumptions))
	v := views.ModelSensitivity{Head: h.head(s, "sensitivity"),
		Note: fmt.Sprintf("Each driver moved by −20%%, −10%%, +10%% and +20%% in every year at once, everything else unchanged. Base: year %d operating profit %s, cumulative %s.",
			base.Year, views.Rand(base.OperatingProfit), views.Rand(base.CumulativeProfit))}
	v.Charts = []views.Chart{
		{ID: "model-tornado-final", Title: fmt.Sprintf("Change in year %d operating profit", base.Year), Tall: true,
			Options: tornado(sens, func(s finmodel.Sensitivity) []decimal.Decimal { return s.LastYearProfit })},
		{ID: "model-tornado-cumulative", Title: "Change in cumulative operating profit", Tall: true,
			Options: tornado(sens, func(s finmodel.Sensitivity) []decimal.Decimal { return s.CumulativeProfit })},
	}
	t := views.ModelTable{Title: "Sensitivity, ordered by impact", HelpID: catalogue.IDModelSensitivity, CSVHref: s.href("/sensitivity.csv"),
		Header: []string{"Driver"}}
	for _, st := range finmodel.SensitivitySteps {
		t.Header = append(t.Header, fmt.Sprintf("Year %d profit, driver %s", base.Year, stepLabel(st)))
	}
	for _, st := range finmodel.SensitivitySteps {
		t.Header = append(t.Header, "Cumulative, driver "+stepLabel(st))
	}
	for i, cells := range sensitivityData(sens).Rows {
		row := []views.ModelResultCell{{Text: sens[i].Driver.Label}}
		for _, cell := range cells[1:] {
			d := cell.(decimal.Decimal)
			cls := ""
			if d.IsNegative() {
				cls = "loss"
			}
			row = append(row, views.ModelResultCell{Text: signedRand(d), Exact: csvCell(d, catalogue.Rand), Class: cls})
		}
		t.Rows = append(t.Rows, row)
	}
	v.Table = t
	return render(c, http.StatusOK, views.ModelSensitivityPage(v))
}

// maxCompare bounds a comparison: more columns than this are unreadable.
const maxCompare = 6

// Compare serves GET /model/compare?s=a&s=b…: two to six scenarios side by side, the first
// as the baseline; every figure and assumption that differs from it is highlighted with the
// difference.
func (h *Model) Compare(c echo.Context) error {
	ctx := c.Request().Context()
	all, err := queries.ScenarioList(ctx, h.db)
	if err != nil {
		return err
	}
	chosen := c.QueryParams()["s"]
	picked := map[string]bool{}
	for _, id := range chosen {
		picked[id] = true
	}
	v := views.ModelCompare{}
	options := append([]scenarioRef{seedScenario()}, nil...)
	for _, s := range all {
		options = append(options, refOf(s))
	}
	byID := map[string]scenarioRef{}
	for _, s := range options {
		byID[s.ID] = s
		v.Choices = append(v.Choices, views.ModelCompareChoice{ID: s.ID, Name: s.Name, Checked: picked[s.ID]})
	}
	var list []scenarioRef
	seen := map[string]bool{}
	for _, id := range chosen {
		s, ok := byID[id]
		if !ok {
			v.Error = fmt.Sprintf("There is no scenario %q; tick the scenarios to compare.", id)
			return render(c, http.StatusBadRequest, views.ModelComparePage(v))
		}
		if !seen[id] {
			seen[id] = true
			list = append(list, s)
		}
	}
	switch {
	case len(list) > maxCompare:
		v.Error = fmt.Sprintf("Compare at most %d scenarios at a time; %d are ticked.", maxCompare, len(list))
		return render(c, http.StatusBadRequest, views.ModelComparePage(v))
	case len(list) < 2:
		if len(chosen) > 0 {
			v.Error = "Tick two or more scenarios to compare them."
		}
		return render(c, http.StatusOK, views.ModelComparePage(v))
	}
	for _, s := range list {
		v.Names = append(v.Names, s.Name)
	}
	results := make([]finmodel.Result, len(list))
	for i, s := range list {
		results[i] = finmodel.Compute(s.Assumptions)
	}
	v.Tables = compareTables(list, results)
	v.Charts = []views.Chart{compareChart(list, results)}
	return render(c, http.StatusOK, views.ModelComparePage(v))
}

func compareChart(list []scenarioRef, results []finmodel.Result) views.Chart {
	years := 0
	for _, r := range results {
		years = max(years, len(r.Years))
	}
	var cats []string
	for y := 1; y <= years; y++ {
		cats = append(cats, fmt.Sprintf("Year %d", y))
	}
	// No colours of our own: each scenario takes the next of ECharts' palette.
	line := charts.NewLine()
	line.SetGlobalOptions(chartGlobals(randYAxis("rand"))...)
	line.SetXAxis(cats)
	for i, r := range results {
		var data []opts.LineData
		for _, y := range r.Years {
			data = append(data, lineValue(drawn(y.CumulativeProfit)))
		}
		line.AddSeries(list[i].Name, data, randSeries())
	}
	return views.Chart{ID: "model-compare-cumulative", Title: "Cumulative operating profit by scenario", Options: plainChartJSON(line), Tall: true}
}

// compareTables are the outcome table (a row per year and measure) and the assumptions
// table (only the assumptions that differ somewhere).
func compareTables(list []scenarioRef, results []finmodel.Result) []views.ModelTable {
	header := []string{""}
	for i, s := range list {
		name := s.Name
		if i == 0 {
			name += " (baseline)"
		}
		header = append(header, name)
	}
	years := 0
	for _, r := range results {
		years = max(years, len(r.Years))
	}
	outcomes := views.ModelTable{Title: "Results", Header: header, HelpID: catalogue.IDModelOperatingProfit}
	measures := []struct {
		label string
		get   func(l finmodel.Lines) decimal.Decimal
	}{
		{"revenue", func(l finmodel.Lines) decimal.Decimal { return l.TotalRevenue }},
		{"costs", func(l finmodel.Lines) decimal.Decimal { return l.TotalCosts }},
		{"operating profit", func(l finmodel.Lines) decimal.Decimal { return l.OperatingProfit }},
		{"cumulative operating profit", func(l finmodel.Lines) decimal.Decimal { return l.CumulativeProfit }},
	}
	for y := 1; y <= years; y++ {
		for _, m := range measures {
			row := []views.ModelResultCell{{Text: fmt.Sprintf("Year %d %s", y, m.label)}}
			var base *decimal.Decimal
			for i, r := range results {
				if y > len(r.Years) {
					row = append(row, views.ModelResultCell{Text: "—", Class: diffClass(i > 0)})
					continue
				}
				val := m.get(r.Years[y-1].Lines)
				cell := views.ModelResultCell{Text: views.Rand(val), Exact: val.StringFixed(2)}
				if i == 0 {
					base = &val
				} else if base == nil || !val.Equal(*base) {
					cell.Class = "diff"
					if base != nil {
						cell.Text += " (" + signedRand(val.Sub(*base)) + ")"
					}
				}
				row = append(row, cell)
			}
			outcomes.Rows = append(outcomes.Rows, row)
		}
	}
	beRow := []views.ModelResultCell{{Text: "Break-even"}}
	var baseBE int
	for i, r := range results {
		be := finmodel.BreakEvenOf(r).ProfitableMonth
		cell := views.ModelResultCell{Text: breakEvenText(be)}
		if i == 0 {
			baseBE = be
		} else if be != baseBE {
			cell.Class = "diff"
		}
		beRow = append(beRow, cell)
	}
	outcomes.Rows = append(outcomes.Rows, beRow)

	assumptions := views.ModelTable{Title: "Assumptions that differ", Header: header,
		Note: "Only the assumptions that are not the same in every scenario are listed."}
	for y := 1; y <= years; y++ {
		for _, dr := range finmodel.Drivers {
			row := []views.ModelResultCell{{Text: fmt.Sprintf("Year %d %s", y, dr.Label)}}
			differs := false
			var base *decimal.Decimal
			for i, s := range list {
				if y > len(s.Assumptions.Years) {
					row = append(row, views.ModelResultCell{Text: "—", Class: diffClass(i > 0)})
					differs = true
					continue
				}
				val := dr.Get(s.Assumptions.Years[y-1])
				cell := views.ModelResultCell{Text: dr.Format(val)}
				if i == 0 {
					base = &val
				} else if base == nil || !val.Equal(*base) {
					cell.Class, differs = "diff", true
				}
				row = append(row, cell)
			}
			if differs {
				assumptions.Rows = append(assumptions.Rows, row)
			}
		}
	}
	if len(assumptions.Rows) == 0 {
		assumptions.Empty = "Every assumption is the same in all " + strconv.Itoa(len(list)) + " scenarios."
	}
	return []views.ModelTable{outcomes, assumptions}
}

func diffClass(b bool) string {
	if b {
		return "diff"
	}
	return ""
}
