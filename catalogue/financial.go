package catalogue

import (
	"context"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
	"mari/queries"
)

// The financial KPIs' ids.
const (
	IDFinancialMonths   = "financial-months"
	IDGrossMargin       = "gross-margin"
	IDTransactionMargin = "transaction-margin"
	IDCAC               = "cac"
	IDChurn             = "monthly-churn"
	IDLTV               = "ltv"
	IDLTVCAC            = "ltv-cac"
)

var monthOnly = []Grain{Month}

func init() {
	declare(&Metric{ID: IDFinancialMonths, Name: "Months used by the financial KPIs", Section: SectionFinancial,
		Definition: "Gross margin, transaction margin, CAC, churn, LTV and LTV/CAC are monthly figures: costs are booked per calendar month. They use the complete calendar months inside the selected range; if the range holds none, the last complete month before the range's end. Each tile says which months it used.",
		Formula:    "complete month = a calendar month that is over and lies wholly inside the range",
		Source:     "daily_metrics, monthly_costs, cost_categories, bank_partnerships"})
	declare(&Metric{ID: IDGrossMargin, Name: "Gross margin (blended)", Section: SectionFinancial,
		Definition: "The share of Mari's revenue (transaction revenue net of the banks' shares, plus licensing fees) left after the costs of carrying transactions (cost categories of kind cost_of_revenue: infrastructure, payment processing, SMS gateway). Licensing fees carry no cost of their own, so this margin is mostly licensing: read it beside the transaction margin. n/a without revenue.",
		Formula:    "(revenue − cost of revenue) ÷ revenue, over the months used",
		Source:     "revenue, monthly_costs joined to cost_categories.kind = 'cost_of_revenue'",
		Unit:       Ratio, Decimals: 1, Target: "gross_margin", Better: Higher, Grains: monthOnly,
		SQL:  monthsSQL,
		Load: financialMetric(func(f Financials) Value { return f.GrossMargin })})
	declare(&Metric{ID: IDTransactionMargin, Name: "Transaction margin", Section: SectionFinancial,
		Definition: "The share of Mari's transaction revenue (fees billed less the banks' shares) left after the costs of carrying transactions: whether moving money pays for itself, without licensing fees. Negative when carrying transactions costs more than Mari keeps of their fees. n/a without transaction revenue.",
		Formula:    "(transaction revenue − cost of revenue) ÷ transaction revenue, over the months used",
		Source:     "transaction revenue (Mari's share), monthly_costs joined to cost_categories.kind = 'cost_of_revenue'",
		Unit:       Ratio, Decimals: 1, Better: Higher, Grains: monthOnly,
		SQL:  monthsSQL,
		Load: financialMetric(func(f Financials) Value { return f.TransactionMargin })})
	declare(&Metric{ID: IDCAC, Name: "Customer acquisition cost (CAC, blended)", Section: SectionFinancial,
		Definition: "All marketing spend per new user, whatever brought them: organic and referred sign-ups count in the denominator too, so it is a blended figure, lower than the cost of a paid user. n/a when there were no new users.",
		Formula:    "Σ marketing costs ÷ Σ new users, over the months used",
		Source:     "monthly_costs joined to cost_categories.kind = 'marketing', daily_metrics.new_users",
		Unit:       Rand, Better: Lower, Grains: monthOnly,
		SQL:  monthsSQL,
		Load: financialMetric(func(f Financials) Value { return f.CAC })})
	declare(&Metric{ID: IDChurn, Name: "Monthly churn", Section: SectionFinancial,
		Definition: "The share of a month's active users who were not active in the next month.",
		Formula:    "1 − Σ retained(M) ÷ Σ MAU(M−1) over the months used, where retained(M) = users active in both M and M−1",
		Source:     "daily_metrics.mtd_retained_users and mtd_active_users on each month's last day",
		Unit:       Ratio, Decimals: 1, Better: Lower, Grains: monthOnly,
		SQL:  monthsSQL,
		Load: financialMetric(func(f Financials) Value { return Value{V: f.LTV.Churn, OK: f.LTV.ChurnOK} })})
	declare(&Metric{ID: IDLTV, Name: "Lifetime value (LTV, transaction basis)", Section: SectionFinancial,
		Definition: "What a user's transactions earn Mari over their expected life as a customer, after the cost of carrying them: transaction revenue (Mari's share) less cost of revenue, per active user per month, × the expected lifetime (1 ÷ monthly churn, capped at 60 months). Licensing fees are paid by banks, not users, and are left out. Negative while carrying transactions costs more than Mari keeps of their fees.",
		Formula:    "((Σ transaction revenue − Σ cost of revenue) ÷ Σ MAU) × min(1 ÷ monthly churn, 60)",
		Source:     "transaction revenue, monthly_costs, daily_metrics",
		Unit:       Rand, Better: Higher, Grains: monthOnly,
		SQL:  monthsSQL,
		Load: financialMetric(func(f Financials) Value { return Value{V: f.LTV.LTV, OK: f.LTV.OK} })})
	declare(&Metric{ID: IDLTVCAC, Name: "LTV/CAC", Section: SectionFinancial,
		Definition: "How many times over a user's lifetime value (transaction basis) repays what it cost to acquire them (blended CAC). Negative while the lifetime value is. n/a when either is n/a or CAC is zero.",
		Formula:    "LTV ÷ CAC",
		Source:     "LTV and CAC (above)",
		Unit:       Multiple, Decimals: 1, Target: "ltv_cac", Better: Higher, Grains: monthOnly,
		SQL:  monthsSQL,
		Load: financialMetric(func(f Financials) Value { return f.LTVCAC })})
}

// Financials are the financial KPIs over some complete months, with their working.
type Financials struct {
	First, Last calendar.Date // first days of the first and last month used
	Fallback    bool          // the range holds no complete month; the last one before its end is used
	HasMonths   bool          // false when no month has ended yet (nothing to compute from)

	Revenue, TransactionRevenue, CostOfRevenue, Marketing decimal.Decimal
	NewUsers                                              int64

	GrossMargin, TransactionMargin, CAC, LTVCAC Value
	LTV                                         metrics.LTVResult
}

// MonthsLabel names the months used: "Oct 2026" or "Jun 2026 – Oct 2026".
func (f Financials) MonthsLabel() string {
	if f.First.Equal(f.Last) {
		return f.First.MonthLabel()
	}
	return f.First.MonthLabel() + " – " + f.Last.MonthLabel()
}

// FinancialMonths picks the complete calendar months inside r (a month is complete once it
// has ended before today); if there are none, the last complete month before r's end.
func FinancialMonths(r calendar.Range, today calendar.Date) (first, last calendar.Date, fallback, ok bool) {
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

// LoadFinancials computes the financial KPIs over the months FinancialMonths picks for r.
func LoadFinancials(ctx context.Context, src *Sources, r calendar.Range, today calendar.Date) (Financials, error) {
	var f Financials
	var ok bool
	f.First, f.Last, f.Fallback, ok = FinancialMonths(r, today)
	if !ok {
		return f, nil
	}
	// One month more at the front: churn compares each month with the one before it.
	rows, err := src.months(ctx, calendar.Range{From: f.First.AddMonths(-1), To: f.Last.MonthEnd()})
	if err != nil {
		return f, err
	}
	f.HasMonths = true
	return computeFinancials(f, rows), nil
}

// computeFinancials sums the months used (rows[1:]; rows[0] is the month before) and derives
// the KPIs. Each is n/a when its denominator is zero.
func computeFinancials(f Financials, rows []queries.Month) Financials {
	var in metrics.LTVInputs
	for i := 1; i < len(rows); i++ {
		m, prev := rows[i], rows[i-1]
		f.Revenue = f.Revenue.Add(m.Revenue())
		f.TransactionRevenue = f.TransactionRevenue.Add(m.TransactionRevenue)
		f.CostOfRevenue = f.CostOfRevenue.Add(m.CostOfRevenue)
		f.Marketing = f.Marketing.Add(m.Marketing)
		f.NewUsers += m.NewUsers
		in.ActiveUserMonths += m.MAU
		in.Retained += m.Retained
		in.PreviousMAU += prev.MAU
	}
	in.TransactionRevenue, in.CostOfRevenue = f.TransactionRevenue, f.CostOfRevenue
	f.GrossMargin = valueOf(metrics.GrossMargin(f.Revenue, f.CostOfRevenue))
	f.TransactionMargin = valueOf(metrics.GrossMargin(f.TransactionRevenue, f.CostOfRevenue))
	f.CAC = valueOf(metrics.CAC(f.Marketing, f.NewUsers))
	f.LTV = metrics.LTV(in)
	if f.LTV.OK && f.CAC.OK {
		f.LTVCAC = valueOf(metrics.Ratio(f.LTV.LTV, f.CAC.V))
	}
	return f
}

// financialMetric makes the Load of a financial KPI: a point per complete month of the range
// (a month not yet complete is n/a) and the total over all of them, as the tiles show it; all
// from one read of the months.
func financialMetric(pick func(Financials) Value) func(context.Context, *Sources, Query) (Series, error) {
	return func(ctx context.Context, src *Sources, q Query) (Series, error) {
		total, err := LoadFinancials(ctx, src, q.Range, q.Today())
		if err != nil {
			return Series{}, err
		}
		s := Series{Points: Periods(q.Range, Month, q.Today())}
		if !total.HasMonths {
			return s, nil
		}
		s.Total = pick(total)
		rows, err := src.months(ctx, calendar.Range{From: total.First.AddMonths(-1), To: total.Last.MonthEnd()})
		if err != nil {
			return Series{}, err
		}
		for i, p := range s.Points {
			month := p.Period.From.MonthStart()
			if !p.Complete {
				continue
			}
			k := month.MonthsUntil(total.First) // rows[0] is the month before First
			if k > 0 || -k+1 >= len(rows) {
				continue // outside the months read: cannot happen for a complete month of the range
			}
			f := Financials{First: month, Last: month, HasMonths: true}
			s.Points[i].Value = pick(computeFinancials(f, rows[-k:-k+2]))
		}
		return s, nil
	}
}
