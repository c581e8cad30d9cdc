package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"mari/calendar"
	"mari/catalogue"
	"mari/queries"
	"mari/views"
)

// Heatmap size: at least 12 cohorts by 12 months, at most 36 cohorts.
const (
	minHeatCohorts = 12
	maxHeatCohorts = 36
)

// heatCohorts are the cohort months of the heatmap: the months of the range, at least the 12
// ending with the range's last month, at most the latest 36.
func heatCohorts(r calendar.Range) ([]calendar.Date, bool) {
	last := r.To.MonthStart()
	n := r.From.MonthsUntil(r.To) + 1
	capped := n > maxHeatCohorts
	n = min(max(n, minHeatCohorts), maxHeatCohorts)
	out := make([]calendar.Date, n)
	for i := range out {
		out[i] = last.AddMonths(i - n + 1)
	}
	return out, capped
}

// heatmapChartPanel: for each calendar-month signup cohort, the share active in each month
// since sign-up. It is a page-only panel: the cohort rollup has no source split, so it always
// covers every source. A month that has not begun is an empty cell, never 0%.
var heatmapChartPanel = panelSpec[growthIn]{Name: "retention-heatmap", Title: "Monthly cohort retention", Metric: catalogue.IDGrowthCohortHeatmap,
	DB: dbPG, Chart: true, Tall: true,
	Load: func(ctx context.Context, in growthIn) (panelOut, error) {
		all, capped := heatCohorts(in.f.rc.Range)
		found, err := in.h.src.CohortRetention(ctx, all[0], all[len(all)-1])
		if err != nil {
			return panelOut{}, err
		}
		type cellKey struct {
			cohort calendar.Date
			since  int
		}
		cells := map[cellKey]queries.CohortCell{}
		sizes := map[calendar.Date]int64{}
		for _, c := range found {
			cells[cellKey{c.Cohort, c.MonthsSince}] = c
			sizes[c.Cohort] = c.Size
		}
		// Cohorts before the first one with users (before launch) are left out.
		cohorts := all
		for len(cohorts) > 0 && sizes[cohorts[0]] == 0 {
			cohorts = cohorts[1:]
		}
		t := Table{Columns: cols("cohort_month", "months_since_signup", "activity_month", "cohort_size", "active_users", "retention", "month_to_date")}
		t.Columns[3].Unit, t.Columns[4].Unit = catalogue.Count, catalogue.Count
		if len(cohorts) == 0 {
			return panelOut{Chart: views.Chart{Empty: "No signup cohort with users in the months shown yet (or the cohort rollup has not run)."}, Table: t}, nil
		}
		months := max(len(all), minHeatCohorts)
		thisMonth := in.today.MonthStart()
		var xs, ys []string
		for k := range months {
			xs = append(xs, "M"+strconv.Itoa(k))
		}
		var data []opts.HeatMapData
		for y, c := range cohorts {
			ys = append(ys, fmt.Sprintf("%s (%s)", c.MonthLabel(), views.Count(sizes[c])))
			for k := range months {
				activity := c.AddMonths(k)
				row := []any{c.MonthKey(), int64(k), activity.MonthKey(), nil, nil, nil, nil}
				// A month that has not begun (no cell) stays empty in the CSV and on the chart.
				if cell, ok := cells[cellKey{c, k}]; ok {
					v := countRatio(cell.Active, cell.Size)
					row[3], row[4], row[5], row[6] = cell.Size, cell.Active, fraction(v), activity.Equal(thisMonth)
					if v.OK {
						// The name is the cell's hover text: which cohort, which month.
						data = append(data, opts.HeatMapData{Name: fmt.Sprintf("%s cohort, M%d", c.MonthLabel(), k), Value: [3]any{k, y, rateDrawn(v)}})
					}
				}
				t.Rows = append(t.Rows, row)
			}
		}
		hm := charts.NewHeatMap()
		hm.SetGlobalOptions(
			charts.WithAnimation(true),
			charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
			charts.WithTooltipOpts(opts.Tooltip{Position: "top"}),
			charts.WithGridOpts(opts.Grid{Left: "16", Right: "16", Top: "24", Bottom: "56", ContainLabel: opts.Bool(true)}),
			charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: xs, Name: "months since sign-up", NameLocation: "middle", NameGap: 24}),
			charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: ys, Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{FontSize: 11}}),
			charts.WithVisualMapOpts(opts.VisualMap{Min: 0, Max: 100, Calculable: opts.Bool(false), Orient: "horizontal", Left: "center", Bottom: "0",
				Text: []string{"100% active", "0%"}, InRange: &opts.VisualMapInRange{Color: []string{"#e1eee7", lightTeal, green}}}),
		)
		hm.SetXAxis(xs).AddSeries("Active users (% of cohort)", data,
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), FontSize: 10, Formatter: "fmt:heatPercentLabel"}),
			charts.WithSeriesTooltipOpts(opts.SeriesTooltip{ValueFormatter: types.FuncStr("fmt:percentDrawn")}),
			charts.WithEmphasisOpts(opts.Emphasis{ItemStyle: &opts.ItemStyle{BorderColor: "#333", BorderWidth: 1}}))
		notes := []string{
			"Each cell: the share of the cohort (signed up that calendar month, size in brackets) who sent a transaction in that month since sign-up, in percent. M0 is the signup month.",
			"Empty cells are months that have not happened yet, not zeros. The current month (" + thisMonth.MonthLabel() + ") is month to date.",
		}
		if in.f.Source != "" {
			notes = append(notes, "This heatmap covers every signup source (the cohort rollup has no source split); the source filter does not apply to it.")
		}
		if capped {
			notes = append(notes, fmt.Sprintf("The range has more than %d signup months: the latest %d are shown (the CSV has the same).", maxHeatCohorts, maxHeatCohorts))
		}
		return panelOut{Chart: views.Chart{Options: heatmapJSON(hm), Notes: notes}, Table: t}, nil
	}}

// heatmapJSON is the heatmap's options as the page's JSON data; go-echarts' visual map has no
// item height, so the colour scale's length is set here.
func heatmapJSON(hm *charts.HeatMap) map[string]any {
	m := chartJSON(hm)
	b, err := json.Marshal(m["visualMap"])
	var maps []map[string]any
	if err != nil || json.Unmarshal(b, &maps) != nil {
		return m
	}
	for _, vm := range maps {
		vm["itemHeight"] = 160
	}
	m["visualMap"] = maps
	m["media"] = narrowHeatmap
	return m
}

// narrowHeatmap is how the heatmap changes on a phone (ECharts media queries, applied as the
// chart is drawn and resized): a cell there is narrower than its "27.3%", so the cells show
// only their colour (the tooltip and the CSV keep the figure), every other month is labelled,
// and the cohorts' labels are smaller.
var narrowHeatmap = []map[string]any{{
	"query": map[string]any{"maxWidth": 600},
	"option": map[string]any{
		"series":    []map[string]any{{"label": map[string]any{"show": false}}},
		"xAxis":     []map[string]any{{"axisLabel": map[string]any{"interval": 1, "fontSize": 10}}},
		"yAxis":     []map[string]any{{"axisLabel": map[string]any{"fontSize": 9}}},
		"visualMap": []map[string]any{{"itemHeight": 120, "itemWidth": 12}},
	},
}}
