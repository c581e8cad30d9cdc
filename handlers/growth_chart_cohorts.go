package handlers

import (
	"context"
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"mari/calendar"
	"mari/catalogue"
	"mari/views"
)

// cohortsChartPanel: each signup cohort of the "by" choice (of the chosen source) with its
// activation and D1/D7/D30 retention, each counting only the users for whom it is known today.
// The page also lays its table out beneath the chart (cohortsTable).
var cohortsChartPanel = panelSpec[growthIn]{Name: "cohorts", Title: "Activation and retention by signup cohort", Metric: catalogue.IDGrowthCohort,
	DB: dbPG, Chart: true, Tall: true,
	Load: func(ctx context.Context, in growthIn) (panelOut, error) {
		cohorts, _, err := in.cohorts(ctx, in.f.Source)
		if err != nil {
			return panelOut{}, err
		}
		t := Table{Columns: cols("cohort_start", "cohort_end", "partial_period", "signups",
			"activation_known", "activated", "activation_rate", "activation_not_yet_known", "activated_so_far_not_yet_known")}
		for _, n := range catalogue.RetentionDays {
			t.Columns = append(t.Columns, cols(fmt.Sprintf("d%d_eligible", n), fmt.Sprintf("d%d_active", n), fmt.Sprintf("d%d_retention", n))...)
		}
		var cats []string
		var signups []opts.BarData
		act := make([]opts.LineData, 0, len(cohorts))
		var ret [3][]opts.LineData
		hasSignups := false
		for _, co := range cohorts {
			c := co.Counts
			cats = append(cats, cohortLabel(co.Period, in.f.By))
			row := []any{co.Period.From, co.Period.To, cutByRange(co.Period, in.f.By), c.Signups,
				c.Known, c.Activated, fraction(c.ActivationRate()), c.Open, c.OpenActivated}
			signups, act = append(signups, barValue(c.Signups)), append(act, lineValue(rateDrawn(c.ActivationRate())))
			for i := range catalogue.RetentionDays {
				row = append(row, c.Eligible[i], c.Active[i], fraction(c.Retention(i)))
				ret[i] = append(ret[i], lineValue(rateDrawn(c.Retention(i))))
			}
			hasSignups = hasSignups || c.Signups > 0
			t.Rows = append(t.Rows, row)
		}
		if !hasSignups {
			return panelOut{Chart: views.Chart{Empty: "No sign-ups in " + rangeLabel(in.f.rc.Range) + "."}, Table: t}, nil
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(chartGlobals(rateYAxis())...)
		bar.ExtendYAxis(countYAxis("sign-ups", true))
		if len(cats) > 45 {
			bar.SetGlobalOptions(charts.WithDataZoomOpts(opts.DataZoom{Type: "inside"}))
		}
		bar.SetXAxis(cats).AddSeries("Sign-ups", signups, countSeries(), colour("#d6e4dd"),
			charts.WithBarChartOpts(opts.BarChart{YAxisIndex: 1}))
		lines := charts.NewLine()
		lines.SetXAxis(cats)
		for _, l := range []struct {
			name, colour string
			data         []opts.LineData
		}{{"Activation %", green, act}, {"D1 %", blue, ret[0]}, {"D7 %", amber, ret[1]}, {"D30 %", red, ret[2]}} {
			lines.AddSeries(l.name, l.data, rateSeries(), colour(l.colour),
				charts.WithLineChartOpts(opts.LineChart{ConnectNulls: opts.Bool(false), SymbolSize: 5}))
		}
		bar.Overlap(lines)
		note := "Rates in percent. A gap in a line is a cohort whose figure is not known yet (n/a), never a zero."
		return panelOut{Chart: views.Chart{Options: chartJSON(bar), Note: note}, Table: t}, nil
	}}

// cohortsTable lays the cohorts panel's table out on the page: each rate with its counts.
func cohortsTable(chart views.Chart, t Table, by catalogue.Grain) views.BankTable {
	out := pageTable("Signup cohorts", catalogue.IDGrowthCohort, chart)
	if out.Unavailable != "" {
		return out
	}
	out.Header = []string{"Cohort", "Sign-ups", "Activation", "D1", "D7", "D30"}
	out.Numeric = []bool{false, true, true, true, true, true}
	c := cellsOf(t)
	for _, r := range t.Rows {
		from, _ := c.get(r, "cohort_start").(calendar.Date)
		to, _ := c.get(r, "cohort_end").(calendar.Date)
		row := []string{cohortLabel(calendar.Range{From: from, To: to}, by), views.Count(c.count(r, "signups")),
			rateCell(c.rate(r, "activation_rate"), c.count(r, "activated"), c.count(r, "activation_known"))}
		for _, n := range catalogue.RetentionDays {
			d := fmt.Sprintf("d%d_", n)
			row = append(row, rateCell(c.rate(r, d+"retention"), c.count(r, d+"active"), c.count(r, d+"eligible")))
		}
		out.Rows = append(out.Rows, row)
	}
	if out.Empty == "" {
		out.Note = "Each rate with its counts: activated or active ÷ users for whom it is known today."
	}
	return out
}
