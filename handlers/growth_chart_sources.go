package handlers

import (
	"context"
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"mari/catalogue"
	"mari/views"
)

// sourcesChartPanel: activation and D1/D7/D30 retention of the range's sign-ups side by side
// for each signup source. It compares the sources, so it always covers every one, whatever
// the source filter. The page also lays its table out beneath (sourcesTable).
var sourcesChartPanel = panelSpec[growthIn]{Name: "sources", Title: "Referred against organic users", Metric: catalogue.IDGrowthReferredOrganic,
	DB: dbPG, Chart: true,
	Load: func(ctx context.Context, in growthIn) (panelOut, error) {
		t := Table{Columns: cols("signup_source", "signups", "activation_known", "activated", "activation_rate")}
		for _, n := range catalogue.RetentionDays {
			t.Columns = append(t.Columns, cols(fmt.Sprintf("d%d_eligible", n), fmt.Sprintf("d%d_active", n), fmt.Sprintf("d%d_retention", n))...)
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(chartGlobals(rateYAxis())...)
		bar.SetXAxis([]string{"Activation", "D1", "D7", "D30"})
		counts := make([]catalogue.CohortCounts, len(catalogue.SignupSources))
		loads := make([]func(context.Context) error, len(counts))
		for i, s := range catalogue.SignupSources {
			loads[i] = func(ctx context.Context) (err error) {
				_, counts[i], err = in.cohorts(ctx, s)
				return err
			}
		}
		if err := atOnce(ctx, loads...); err != nil {
			return panelOut{}, err
		}
		var total int64
		for i, s := range catalogue.SignupSources {
			c := counts[i]
			total += c.Signups
			row := []any{s, c.Signups, c.Known, c.Activated, fraction(c.ActivationRate())}
			bars := []opts.BarData{barValue(rateDrawn(c.ActivationRate()))}
			for i := range catalogue.RetentionDays {
				row = append(row, c.Eligible[i], c.Active[i], fraction(c.Retention(i)))
				bars = append(bars, barValue(rateDrawn(c.Retention(i))))
			}
			t.Rows = append(t.Rows, row)
			bar.AddSeries(sourceLabel(s), bars, rateSeries(), colour(sourceColours[s]))
		}
		if total == 0 {
			return panelOut{Chart: views.Chart{Empty: "No sign-ups in " + rangeLabel(in.f.rc.Range) + "."}, Table: t}, nil
		}
		note := "Users who signed up in the range, by source, in percent. A missing bar is n/a (nobody eligible yet)."
		return panelOut{Chart: views.Chart{Options: chartJSON(bar), Note: note}, Table: t}, nil
	}}

// sourcesTable lays the sources panel's table out on the page: each rate with its counts.
func sourcesTable(chart views.Chart, t Table) views.BankTable {
	out := pageTable("Activation and retention by signup source", catalogue.IDGrowthReferredOrganic, chart)
	if out.Unavailable != "" {
		return out
	}
	out.Header = []string{"Source", "Sign-ups", "Activation", "D1", "D7", "D30"}
	out.Numeric = []bool{false, true, true, true, true, true}
	c := cellsOf(t)
	for _, r := range t.Rows {
		source, _ := c.get(r, "signup_source").(string)
		row := []string{sourceLabel(source), views.Count(c.count(r, "signups")),
			rateCell(c.rate(r, "activation_rate"), c.count(r, "activated"), c.count(r, "activation_known"))}
		for _, n := range catalogue.RetentionDays {
			d := fmt.Sprintf("d%d_", n)
			row = append(row, rateCell(c.rate(r, d+"retention"), c.count(r, d+"active"), c.count(r, d+"eligible")))
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}
