package handlers

import (
	"context"
	"fmt"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/catalogue"
	"mari/metrics"
	"mari/views"
)

// northStarChartPanel: completed volume per month since launch against the milestones, with
// the compound trend projected forward. It ignores the page's range: the north star is always
// counted from launch.
var northStarChartPanel = panelSpec[execIn]{Name: "northstar", Title: "North star: monthly completed volume vs milestones",
	Metric: catalogue.IDNorthStar, DB: dbPG, Chart: true, Tall: true,
	Load: func(ctx context.Context, in execIn) (panelOut, error) {
		launch, hasLaunch, err := in.h.launchMonth(ctx)
		if err != nil {
			return panelOut{}, err
		}
		if !hasLaunch {
			return panelOut{Chart: views.Chart{Empty: "No users yet: the north star starts with the launch month (the first sign-up)."}}, nil
		}
		milestones, err := in.h.src.Milestones(ctx)
		if err != nil {
			return panelOut{}, err
		}
		var months []metrics.MonthVolume
		if !launch.After(in.today) {
			s, err := in.ask(ctx, catalogue.IDCompletedVolume, calendar.Range{From: launch, To: in.today}, catalogue.Month)
			if err != nil {
				return panelOut{}, err
			}
			for i, p := range s.Points {
				months = append(months, metrics.MonthVolume{N: i + 1, Month: p.Period.From, Volume: p.Value.V,
					Complete: p.Complete && p.Value.OK})
			}
		}
		return northStar(launch, months, milestones), nil
	}}

func northStar(launch calendar.Date, months []metrics.MonthVolume, milestones []metrics.Milestone) panelOut {
	trend := metrics.ProjectNorthStar(launch, months, milestones)
	horizon := len(months)
	for _, p := range trend.Projection {
		horizon = max(horizon, p.N)
	}
	mile := map[int]decimal.Decimal{}
	for _, m := range milestones {
		mile[m.N] = m.Volume
		horizon = max(horizon, m.N)
	}
	projected := map[int]decimal.Decimal{}
	if trend.OK {
		last := trend.Months[len(trend.Months)-1]
		projected[last.N] = last.Volume // the trend line starts at the last complete month
		for _, p := range trend.Projection {
			projected[p.N] = p.Volume
		}
	}
	t := Table{Columns: cols("month_after_launch", "month", "completed_volume", "month_complete", "trend_projection", "milestone")}
	t.Columns[2].Unit, t.Columns[4].Unit, t.Columns[5].Unit = catalogue.Rand, catalogue.Rand, catalogue.Rand
	var cats []string
	var actual, mtd []opts.BarData
	var proj []opts.LineData
	var ms []opts.ScatterData
	// A month's bar is the sum of the completed amounts initiated in that SAST month (to date
	// for the month still running): each links to exactly those rows.
	var actualDrill, mtdDrill []string
	for k := 1; k <= horizon; k++ {
		month := launch.AddMonths(k - 1)
		cats = append(cats, fmt.Sprintf("M%d %s", k, month.MonthLabel()))
		row := []any{int64(k), month.MonthKey(), nil, nil, nil, nil}
		var a, m, p, s any
		var ad, md string
		if k <= len(months) {
			mv := months[k-1]
			row[2], row[3] = mv.Volume, mv.Complete
			if mv.Volume.IsPositive() { // a log axis cannot draw zero
				href := drillHref(monthParams(mv.Month), drillFilter{Status: "COMPLETED"},
					"Completed volume in "+mv.Month.MonthLabel()+" (north star, executive dashboard)")
				if mv.Complete {
					a, ad = drawn(mv.Volume), href
				} else {
					m, md = drawn(mv.Volume), href
				}
			}
		}
		actualDrill, mtdDrill = append(actualDrill, ad), append(mtdDrill, md)
		if v, ok := projected[k]; ok {
			row[4], p = v, drawn(v)
		}
		if v, ok := mile[k]; ok {
			row[5], s = v, drawn(v)
		}
		actual, mtd, proj = append(actual, barValue(a)), append(mtd, barValue(m)), append(proj, lineValue(p))
		ms = append(ms, opts.ScatterData{Value: s, Symbol: "diamond", SymbolSize: 14})
		t.Rows = append(t.Rows, row)
	}
	axis := randYAxis("completed volume (log scale)")
	axis.Type, axis.Min = "log", 1000 // base 10
	bar := charts.NewBar()
	bar.SetGlobalOptions(chartGlobals(axis)...)
	bar.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Rotate: 45, FontSize: 10}}))
	bar.SetXAxis(cats).
		AddSeries("Completed volume", actual, randSeries(), colour(green)).
		AddSeries("Current month to date", mtd, randSeries(), colour(lightTeal), charts.WithBarChartOpts(opts.BarChart{BarGap: "-100%"}))
	line := charts.NewLine()
	line.SetXAxis(cats).AddSeries("Trend projection", proj, randSeries(), colour(amber),
		charts.WithLineChartOpts(opts.LineChart{ConnectNulls: opts.Bool(true), SymbolSize: 4}),
		charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	scatter := charts.NewScatter()
	scatter.SetXAxis(cats).AddSeries("Milestone", ms, randSeries(), colour(red),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top", Formatter: "fmt:randCompactLabel"}))
	bar.Overlap(line, scatter)
	options := withDrill(chartJSON(bar), map[string][]string{"Completed volume": actualDrill, "Current month to date": mtdDrill})
	options["media"] = narrowNorthStar
	return panelOut{Chart: views.Chart{Options: options, Notes: northStarNotes(launch, trend)}, Table: t}
}

func northStarNotes(launch calendar.Date, t metrics.Trend) []string {
	parts := []string{"Month 1 = " + launch.MonthLabel() + "."}
	if t.OK {
		first, last := t.Months[0], t.Months[len(t.Months)-1]
		parts = append(parts, fmt.Sprintf("Trend: %s a month, compound, over %s – %s (%d complete months).",
			views.SignedPercent(t.Growth, 1), first.Month.MonthLabel(), last.Month.MonthLabel(), len(t.Months)))
	} else {
		parts = append(parts, "Trend: n/a (needs two complete months with volume).")
	}
	for _, e := range t.ETAs {
		label := views.RandShort(e.Volume) + " by M" + strconv.Itoa(e.N) + " (" + e.Month.MonthLabel() + "): "
		switch {
		case e.ReachedActual:
			label += "reached in M" + strconv.Itoa(e.ReachedN) + " (" + e.ReachedMonth.MonthLabel() + ")"
		case e.NotAtThisTrend:
			label += "not at this trend"
		default:
			label += "projected M" + strconv.Itoa(e.ReachedN) + " (" + e.ReachedMonth.MonthLabel() + ")"
			if e.OnTrack {
				label += ", on track"
			} else {
				label += fmt.Sprintf(", %d months late", e.ReachedN-e.N)
			}
		}
		parts = append(parts, label+".")
	}
	return parts
}

// narrowNorthStar is how the north star changes on a phone (an ECharts media query, applied
// as the chart is drawn and resized): two dozen months do not fit under a chart 300 px wide
// even turned, so every sixth month is labelled (M1, M7, M13, M19); the tooltip names each.
var narrowNorthStar = []map[string]any{{
	"query":  map[string]any{"maxWidth": 600},
	"option": map[string]any{"xAxis": []map[string]any{{"axisLabel": map[string]any{"interval": 5}}}},
}}
