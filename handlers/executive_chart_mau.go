package handlers

import (
	"context"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"mari/calendar"
	"mari/catalogue"
	"mari/views"
)

// mauChartPanel: monthly active users and transactions per user for each calendar month the
// range touches. Both are calendar-month figures: a month the range cuts at its start is
// counted from its 1st; the month still running is month to date.
var mauChartPanel = panelSpec[execIn]{Name: "mau", Title: "Monthly active users and transactions per user", Metric: catalogue.IDMAU, DB: dbPG, Chart: true,
	Load: func(ctx context.Context, in execIn) (panelOut, error) {
		mau, err := in.ask(ctx, catalogue.IDMAU, in.rc.Range, catalogue.Month)
		if err != nil {
			return panelOut{}, err
		}
		tpu, err := in.ask(ctx, catalogue.IDTxPerUser, in.rc.Range, catalogue.Month)
		if err != nil {
			return panelOut{}, err
		}
		// Transactions of each whole calendar month, as transactions per user divides them.
		whole := calendar.Range{From: in.rc.Range.From.MonthStart(), To: in.rc.Range.To}
		tx, err := in.ask(ctx, catalogue.IDTransactions, whole, catalogue.Month)
		if err != nil {
			return panelOut{}, err
		}
		t := Table{Columns: cols("month", "mau", "transactions", "transactions_per_user", "complete")}
		t.Columns[1].Unit, t.Columns[2].Unit, t.Columns[3].Unit = catalogue.Count, catalogue.Count, catalogue.PerUser
		var cats []string
		var bars []opts.BarData
		var line []opts.LineData
		for i, p := range mau.Points {
			rate := tpu.Points[i].Value
			if rate.OK {
				rate.V = rate.V.Round(2)
			}
			cats = append(cats, monthBarLabel(p, in.today))
			t.Rows = append(t.Rows, []any{p.Period.From.MonthKey(), p.Value, tx.Points[i].Value, rate, p.Complete})
			var b, l any
			if p.Value.OK {
				b = p.Value.V.IntPart()
			}
			if rate.OK {
				l = drawn(rate.V)
			}
			bars, line = append(bars, barValue(b)), append(line, lineValue(l))
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(chartGlobals(countYAxis("active users", false))...)
		bar.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Interval: "0", HideOverlap: opts.Bool(true)}}))
		bar.ExtendYAxis(countYAxis("transactions per user", true))
		bar.SetXAxis(cats).AddSeries("Monthly active users", bars, countSeries(), colour(green))
		l := charts.NewLine()
		l.SetXAxis(cats).AddSeries("Transactions per user", line, countSeries(), colour(amber),
			charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1}))
		bar.Overlap(l)
		return panelOut{Chart: views.Chart{Options: chartJSON(bar),
			Note: "Calendar months, each counted from its 1st; a month still running shows month to date (MTD)."}, Table: t}, nil
	}}
