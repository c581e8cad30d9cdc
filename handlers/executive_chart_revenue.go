package handlers

import (
	"context"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"mari/calendar"
	"mari/catalogue"
	"mari/views"
)

// revenueChartPanel: Mari's revenue per calendar month of the range, in its two parts. Months
// cut by the range count only their days inside it, so the bars add up to the revenue tile.
var revenueChartPanel = panelSpec[execIn]{Name: "revenue", Title: "Monthly revenue", Metric: catalogue.IDRevenue, DB: dbPG, Chart: true,
	Load: func(ctx context.Context, in execIn) (panelOut, error) {
		var parts [3]catalogue.Series
		for i, id := range []string{catalogue.IDTransactionRevenue, catalogue.IDLicensingRevenue, catalogue.IDRevenue} {
			s, err := in.ask(ctx, id, in.rc.Range, catalogue.Month)
			if err != nil {
				return panelOut{}, err
			}
			parts[i] = s
		}
		fees, lic, rev := parts[0], parts[1], parts[2]
		t := Table{Columns: cols("month", "from", "to", "transaction_revenue", "licensing_revenue", "revenue", "complete")}
		for _, c := range []int{3, 4, 5} {
			t.Columns[c].Unit = catalogue.Rand
		}
		var cats []string
		var feeBars, licBars []opts.BarData
		for i, p := range rev.Points {
			cats = append(cats, monthBarLabel(p, in.today))
			t.Rows = append(t.Rows, []any{p.Period.From.MonthKey(), p.Period.From, p.Period.To,
				fees.Points[i].Value, lic.Points[i].Value, p.Value, p.Complete})
			feeBars = append(feeBars, barValue(drawnValue(fees.Points[i].Value)))
			licBars = append(licBars, barValue(drawnValue(lic.Points[i].Value)))
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(chartGlobals(randYAxis("revenue"))...)
		bar.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Interval: "0", HideOverlap: opts.Bool(true)}}))
		bar.SetXAxis(cats).
			AddSeries("Transaction revenue (Mari's share)", feeBars, randSeries(), colour(green), charts.WithBarChartOpts(opts.BarChart{Stack: "revenue"})).
			AddSeries("Licensing fees", licBars, randSeries(), colour(blue), charts.WithBarChartOpts(opts.BarChart{Stack: "revenue"}))
		note := "Mari's revenue: transaction fees less the banks' shares, and licensing fees accrued per day in force. " +
			"A month the range cuts counts only its days inside the range, so the bars add up to the revenue tile (" +
			views.Value(catalogue.Rand, 2, rev.Total) + ")."
		return panelOut{Chart: views.Chart{Options: chartJSON(bar), Note: note}, Table: t}, nil
	}}

// monthBarLabel is a month's axis label: "Oct 2026", "Oct 2026 (5–31)" when the range cuts
// it, "Dec 2026 (MTD)" for the month still running on today.
func monthBarLabel(p catalogue.Point, today calendar.Date) string {
	if !p.Complete && !p.Period.To.Before(today) && p.Period.From.Equal(p.Period.From.MonthStart()) {
		return p.Period.From.MonthLabel() + " (MTD)"
	}
	return catalogue.PeriodLabel(p.Period, catalogue.Month)
}

// drawnValue is a value as the chart draws it: nil (a gap) when n/a.
func drawnValue(v catalogue.Value) any {
	if !v.OK {
		return nil
	}
	return drawn(v.V)
}
