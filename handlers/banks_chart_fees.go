package handlers

import (
	"context"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"mari/catalogue"
	"mari/metrics"
	"mari/views"
)

// bankFeesChartPanel: the transaction fees billed on the bank's completed transactions per
// calendar month of the range, split into Mari's share and the bank's: each bar's height is the
// fees billed. It prints the same monthly table as the volume chart.
var bankFeesChartPanel = panelSpec[bankIn]{Name: "bank-fees", Title: "Monthly transaction fees billed and their split",
	Metric: catalogue.IDBankShare, DB: dbPG, Chart: true,
	Load: func(ctx context.Context, in bankIn) (panelOut, error) {
		m, err := in.months(ctx, true, bankMonthMetrics...)
		if err != nil {
			return panelOut{}, err
		}
		t := m.table()
		if billed := m.total(catalogue.IDFeesBilled); !billed.OK || !billed.V.IsPositive() {
			return panelOut{Chart: views.Chart{Empty: "No completed transactions through this bank in the range, so no transaction fees."}, Table: t}, nil
		}
		var cats []string
		var mari, bank []opts.BarData
		mariS, bankS := m.series[catalogue.IDTransactionRevenue], m.series[catalogue.IDBankShare]
		for i, p := range m.points() {
			cats = append(cats, monthBarLabel(p, in.today))
			mari = append(mari, barValue(drawnValue(mariS.Points[i].Value)))
			bank = append(bank, barValue(drawnValue(bankS.Points[i].Value)))
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(chartGlobals(randYAxis("fees billed"))...)
		bar.SetGlobalOptions(monthAxis())
		bar.SetXAxis(cats).
			AddSeries("Mari's share", mari, randSeries(), colour(green), charts.WithBarChartOpts(opts.BarChart{Stack: "fees"})).
			AddSeries("Bank's share", bank, randSeries(), colour(lightTeal), charts.WithBarChartOpts(opts.BarChart{Stack: "fees"}))
		note := views.Rand(metrics.TransactionFee) + " per completed transaction. Each month the bank receives " +
			views.Percent(in.p.BankShare, 2) + " of that month's fees, rounded to the cent, and Mari keeps the rest: over the range " +
			views.Value(catalogue.Rand, 2, m.total(catalogue.IDFeesBilled)) + " billed, the bank's share " +
			views.Value(catalogue.Rand, 2, m.total(catalogue.IDBankShare)) + ", Mari's " +
			views.Value(catalogue.Rand, 2, m.total(catalogue.IDTransactionRevenue)) + "."
		return panelOut{Chart: views.Chart{Options: chartJSON(bar), Note: note}, Table: t}, nil
	}}
