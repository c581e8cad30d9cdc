package handlers

import (
	"context"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"mari/catalogue"
	"mari/views"
)

// bankVolumeChartPanel: the bank's completed volume and transactions per calendar month of the
// range. Its table is the page's monthly CSV (monthly.csv), which the fee chart shares.
var bankVolumeChartPanel = panelSpec[bankIn]{Name: "bank-volume", Title: "Monthly completed volume and transactions",
	Metric: catalogue.IDCompletedVolume, DB: dbPG, Chart: true,
	Load: func(ctx context.Context, in bankIn) (panelOut, error) {
		m, err := in.months(ctx, true, bankMonthMetrics...)
		if err != nil {
			return panelOut{}, err
		}
		t := m.table()
		if !m.transacted() {
			return panelOut{Chart: views.Chart{Empty: "No transactions through this bank in the range."}, Table: t}, nil
		}
		var cats []string
		var bars []opts.BarData
		var line []opts.LineData
		vol, tx := m.series[catalogue.IDCompletedVolume], m.series[catalogue.IDTransactions]
		// A month's bar is the sum of the bank's completed amounts initiated on its days inside
		// the range, its point the count of all the bank's payments of those days: each links
		// to exactly those rows.
		var volDrill, txDrill []string
		for i, p := range m.points() {
			cats = append(cats, monthBarLabel(p, in.today))
			bars = append(bars, barValue(drawnValue(vol.Points[i].Value)))
			var n any
			if v := tx.Points[i].Value; v.OK {
				n = v.V.IntPart()
			}
			line = append(line, lineValue(n))
			label := catalogue.PeriodLabel(p.Period, catalogue.Month) + " through " + in.p.Code
			volDrill = append(volDrill, drillHref(rangeParams(p.Period), drillFilter{Bank: in.p.Code, Status: "COMPLETED"}, "Completed volume, "+label))
			txDrill = append(txDrill, drillHref(rangeParams(p.Period), drillFilter{Bank: in.p.Code}, "Transactions, "+label))
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(chartGlobals(randYAxis("completed volume"))...)
		bar.SetGlobalOptions(monthAxis())
		bar.ExtendYAxis(countYAxis("transactions", true))
		bar.SetXAxis(cats).AddSeries("Completed volume", bars, randSeries(), colour(green))
		l := charts.NewLine()
		l.SetXAxis(cats).AddSeries("Transactions", line, countSeries(), colour(amber),
			charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1}))
		bar.Overlap(l)
		note := "Months cut by the range count only their days inside it, so the bars add up to the completed-volume tile (" +
			views.Value(catalogue.Rand, 2, vol.Total) + "). The monthly success rate is in the CSV (n/a for a month without final transactions). " +
			"Click a bar for its completed payments, or a point on the line for all its payments."
		options := withDrill(chartJSON(bar), map[string][]string{"Completed volume": volDrill, "Transactions": txDrill})
		return panelOut{Chart: views.Chart{Options: options, Note: note}, Table: t}, nil
	}}

// monthAxis labels every month of a monthly chart, hiding only labels that would overlap.
func monthAxis() charts.GlobalOpts {
	return charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Interval: "0", HideOverlap: opts.Bool(true)}})
}
