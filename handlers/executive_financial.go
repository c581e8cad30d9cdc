package handlers

import (
	"context"

	"mari/catalogue"
	"mari/views"
)

// The financial KPIs use the complete months of the range (catalogue.FinancialMonths); each
// tile says which, and shows its working.

// financialTile is a panel showing one financial KPI of the range's complete months; lines
// adds its working.
func financialTile(name, id string, lines func(catalogue.Financials) []string) panelSpec[execIn] {
	m := catalogue.Must(id)
	return panelSpec[execIn]{Name: name, Title: m.Name, Metric: id, DB: dbPG,
		Load: func(ctx context.Context, in execIn) (panelOut, error) {
			f, err := catalogue.LoadFinancials(ctx, in.h.metrics, in.rc.Range, in.today)
			if err != nil {
				return panelOut{}, err
			}
			if !f.HasMonths {
				return panelOut{Tile: views.Tile{Value: views.NA, Lines: []string{"no complete month yet"}}}, nil
			}
			s, err := in.ask(ctx, id, in.rc.Range, catalogue.Month)
			if err != nil {
				return panelOut{}, err
			}
			t := metricTile(m, s.Total)
			months := "from " + f.MonthsLabel()
			if f.Fallback {
				months += " (no complete month in the range)"
			}
			t.Lines = append([]string{months}, lines(f)...)
			if m.Target != "" {
				if err := withTarget(ctx, in, m, s.Total, &t); err != nil {
					return panelOut{}, err
				}
			}
			return panelOut{Tile: t}, nil
		}}
}

func randOf(v catalogue.Value) string { return views.Value(catalogue.Rand, 2, v) }

// grossMarginPanel: the blended gross margin (revenue with licensing) against its target.
var grossMarginPanel = financialTile("gross-margin", catalogue.IDGrossMargin, func(f catalogue.Financials) []string {
	return []string{"revenue " + randOf(catalogue.Of(f.Revenue)) + ", cost of revenue " + randOf(catalogue.Of(f.CostOfRevenue))}
})

// transactionMarginPanel: the margin on transaction fees alone, beside the blended one.
var transactionMarginPanel = financialTile("transaction-margin", catalogue.IDTransactionMargin, func(f catalogue.Financials) []string {
	return []string{"transaction revenue " + randOf(catalogue.Of(f.TransactionRevenue)) + ", cost of revenue " + randOf(catalogue.Of(f.CostOfRevenue))}
})

// ltvCACPanel: LTV (transaction basis) over blended CAC against its target.
var ltvCACPanel = financialTile("ltv-cac", catalogue.IDLTVCAC, func(f catalogue.Financials) []string {
	ltv := catalogue.Value{V: f.LTV.LTV, OK: f.LTV.OK}
	cac := f.CAC
	if cac.OK {
		cac.V = cac.V.Round(2)
	}
	lines := []string{"LTV " + randOf(ltv) + " (transaction basis) · CAC " + randOf(cac) + " (blended)"}
	if f.LTV.ChurnOK {
		lines = append(lines, "churn "+views.Percent(f.LTV.Churn, 1)+"/month → lifetime "+f.LTV.Lifetime.StringFixed(1)+" months")
	} else {
		lines = append(lines, "churn n/a: no active users the month before")
	}
	return lines
})
