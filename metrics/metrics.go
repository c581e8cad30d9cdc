// Package metrics holds the arithmetic the metric catalogue (package catalogue) declares its
// metrics with: ratios, growth, churn, lifetime value, targets, the north-star projection, on
// exact decimals. Nothing here touches a database.
package metrics

import (
	"github.com/shopspring/decimal"
)

// divisionPrecision is the number of decimal places kept by ratios. Rates are shown with at
// most four significant decimals, so 12 places never shows rounding.
const divisionPrecision = 12

// Ratio is num / den. ok is false when den is zero: the caller shows "n/a", never a number
// invented from a division by zero.
func Ratio(num, den decimal.Decimal) (decimal.Decimal, bool) {
	if den.IsZero() {
		return decimal.Zero, false
	}
	return num.DivRound(den, divisionPrecision), true
}

// RatioInt is Ratio on counts.
func RatioInt(num, den int64) (decimal.Decimal, bool) {
	return Ratio(decimal.NewFromInt(num), decimal.NewFromInt(den))
}

// Growth is (current - previous) / previous; ok is false when previous is zero.
func Growth(current, previous decimal.Decimal) (decimal.Decimal, bool) {
	return Ratio(current.Sub(previous), previous)
}

// Comparison says which side of a target is good.
type Comparison string

const (
	AtLeast Comparison = "at_least"
	AtMost  Comparison = "at_most"
)

// Target is one row of kpi_targets.
type Target struct {
	Metric     string
	Comparison Comparison
	Value      decimal.Decimal
}

// Status is the outcome of comparing a value with its target.
type Status int

const (
	NoData Status = iota // the value is n/a (or there is no target)
	Met
	Missed
)

func (s Status) String() string {
	switch s {
	case Met:
		return "met"
	case Missed:
		return "missed"
	default:
		return "no data"
	}
}

// Evaluate compares a value (ok=false: n/a) with the target. Equal to the target counts as met.
func (t Target) Evaluate(v decimal.Decimal, ok bool) Status {
	if !ok {
		return NoData
	}
	switch t.Comparison {
	case AtLeast:
		if v.GreaterThanOrEqual(t.Value) {
			return Met
		}
		return Missed
	case AtMost:
		if v.LessThanOrEqual(t.Value) {
			return Met
		}
		return Missed
	}
	return NoData
}

// GrossMargin is (revenue - cost of revenue) / revenue; n/a without revenue.
func GrossMargin(revenue, costOfRevenue decimal.Decimal) (decimal.Decimal, bool) {
	return Ratio(revenue.Sub(costOfRevenue), revenue)
}

// CAC is marketing spend per new user; n/a without new users.
func CAC(marketing decimal.Decimal, newUsers int64) (decimal.Decimal, bool) {
	return Ratio(marketing, decimal.NewFromInt(newUsers))
}

// MaxLifetimeMonths caps the expected customer lifetime: with (almost) no churn, 1/churn
// would promise centuries of revenue.
var MaxLifetimeMonths = decimal.NewFromInt(60)

// MonthlyChurn is 1 - Σ retained(M) / Σ MAU(M-1): the share of last month's active users who
// were not active again. n/a when there were no active users in the previous months.
func MonthlyChurn(retained, previousMAU int64) (decimal.Decimal, bool) {
	kept, ok := RatioInt(retained, previousMAU)
	if !ok {
		return decimal.Zero, false
	}
	return decimal.NewFromInt(1).Sub(kept), true
}

// LifetimeMonths is 1 / churn, capped at MaxLifetimeMonths (churn 0 gives the cap).
func LifetimeMonths(churn decimal.Decimal) decimal.Decimal {
	if !churn.IsPositive() {
		return MaxLifetimeMonths
	}
	l, _ := Ratio(decimal.NewFromInt(1), churn)
	if l.GreaterThan(MaxLifetimeMonths) {
		return MaxLifetimeMonths
	}
	return l
}

// LTVInputs are the monthly figures LTV is computed from, summed over the months used.
type LTVInputs struct {
	TransactionRevenue decimal.Decimal // Σ Mari's transaction revenue (net of the banks' shares)
	CostOfRevenue      decimal.Decimal // Σ cost of revenue: what carrying transactions cost
	ActiveUserMonths   int64           // Σ MAU(M)
	Retained           int64           // Σ retained(M)
	PreviousMAU        int64           // Σ MAU(M-1)
}

// LTVResult shows its working, so the tile and the glossary can explain the number.
type LTVResult struct {
	ProfitPerUserMonth decimal.Decimal // transaction gross profit per active user per month
	ProfitOK           bool
	Churn              decimal.Decimal
	ChurnOK            bool
	Lifetime           decimal.Decimal
	LTV                decimal.Decimal
	OK                 bool
}

// LTV is on the transaction basis: what a user's transactions earn Mari after the cost of
// carrying them, per active user per month, × the expected lifetime (1 ÷ monthly churn,
// capped). Licensing fees are paid by banks, not users, so they are not in it. It is negative
// when carrying transactions costs more than Mari keeps of their fees. n/a when any input is.
func LTV(in LTVInputs) LTVResult {
	var r LTVResult
	r.ProfitPerUserMonth, r.ProfitOK = Ratio(in.TransactionRevenue.Sub(in.CostOfRevenue), decimal.NewFromInt(in.ActiveUserMonths))
	r.Churn, r.ChurnOK = MonthlyChurn(in.Retained, in.PreviousMAU)
	if r.ChurnOK {
		r.Lifetime = LifetimeMonths(r.Churn)
	}
	if !r.ProfitOK || !r.ChurnOK {
		return r
	}
	r.LTV = r.ProfitPerUserMonth.Mul(r.Lifetime)
	r.OK = true
	return r
}
