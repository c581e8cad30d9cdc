package handlers

import (
	"context"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
	"mari/queries"
)

// financial holds the monthly financial KPIs (gross margin, CAC, LTV, LTV/CAC) and the months
// they were computed over.
type financial struct {
	First, Last calendar.Date // first days of the first and last month used
	Fallback    bool          // the range holds no complete month; the last one before its end is used
	HasMonths   bool          // false when no month has ended yet (nothing to compute from)

	Revenue, CostOfRevenue, Marketing decimal.Decimal
	TransactionRevenue                decimal.Decimal
	NewUsers                          int64
	ActiveUserMonths                  int64
	Retained, PreviousMAU             int64

	GrossMargin   decimal.Decimal
	GrossMarginOK bool
	CAC           decimal.Decimal
	CACOK         bool
	LTV           metrics.LTVResult
	LTVCAC        decimal.Decimal
	LTVCACOK      bool
}

// financialMonths picks the complete calendar months inside r (a month is complete once it
// has ended before today); if there are none, the last complete month before r's end.
func financialMonths(r calendar.Range, today calendar.Date) (first, last calendar.Date, fallback, ok bool) {
	end := r.To
	if !end.Before(today) {
		end = today.AddDays(-1) // today has not ended
	}
	last = end.MonthStart()
	if !end.Equal(end.MonthEnd()) {
		last = last.AddMonths(-1)
	}
	first = r.From.MonthStart()
	if r.From.Day() != 1 {
		first = first.AddMonths(1)
	}
	if first.After(last) {
		first, fallback = last, true
	}
	return first, last, fallback, last.Year() >= 2000
}

func loadFinancial(ctx context.Context, src ExecutiveSource, r calendar.Range, today calendar.Date) (financial, error) {
	var f financial
	var ok bool
	f.First, f.Last, f.Fallback, ok = financialMonths(r, today)
	if !ok {
		return f, nil
	}
	// One month more at the front: churn compares each month with the one before it.
	rows, err := src.Monthly(ctx, calendar.Range{From: f.First.AddMonths(-1), To: f.Last.MonthEnd()})
	if err != nil {
		return f, err
	}
	f.HasMonths = true
	return computeFinancial(f, rows), nil
}

// computeFinancial sums the months used (rows[1:]; rows[0] is the month before) and derives
// the KPIs. Each KPI is n/a when its denominator is zero.
func computeFinancial(f financial, rows []queries.Month) financial {
	for i := 1; i < len(rows); i++ {
		m, prev := rows[i], rows[i-1]
		f.Revenue = f.Revenue.Add(m.Revenue())
		f.TransactionRevenue = f.TransactionRevenue.Add(m.TransactionRevenue)
		f.CostOfRevenue = f.CostOfRevenue.Add(m.CostOfRevenue)
		f.Marketing = f.Marketing.Add(m.Marketing)
		f.NewUsers += m.NewUsers
		f.ActiveUserMonths += m.MAU
		f.Retained += m.Retained
		f.PreviousMAU += prev.MAU
	}
	f.GrossMargin, f.GrossMarginOK = metrics.GrossMargin(f.Revenue, f.CostOfRevenue)
	f.CAC, f.CACOK = metrics.CAC(f.Marketing, f.NewUsers)
	f.LTV = metrics.LTV(metrics.LTVInputs{
		TransactionRevenue: f.TransactionRevenue,
		ActiveUserMonths:   f.ActiveUserMonths,
		Retained:           f.Retained,
		PreviousMAU:        f.PreviousMAU,
		GrossMargin:        f.GrossMargin,
		GrossMarginOK:      f.GrossMarginOK,
	})
	if f.LTV.OK && f.CACOK {
		f.LTVCAC, f.LTVCACOK = metrics.Ratio(f.LTV.LTV, f.CAC)
	}
	return f
}

// monthsLabel names the months used: "Oct 2026" or "Jun 2026 – Oct 2026".
func (f financial) monthsLabel() string {
	if f.First.Equal(f.Last) {
		return f.First.MonthLabel()
	}
	return f.First.MonthLabel() + " – " + f.Last.MonthLabel()
}
