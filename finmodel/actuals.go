package finmodel

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// ActualMonth is one calendar month of what really happened, aligned to the plan: PlanMonth 1
// is the launch month. Complete is false for the month still running (its figures are month
// to date).
type ActualMonth struct {
	PlanMonth    int
	Users        decimal.Decimal // monthly active users
	Transactions decimal.Decimal // transactions initiated
	Revenue      decimal.Decimal // what was billed on the plan's basis: transaction fees billed plus licensing fees, rand
	Complete     bool
}

// TolerancePercent is the seed's accuracy target: a plan within ±5% of actuals.
var TolerancePercent = decimal.NewFromInt(5)

// Variance is one measure of one month, plan against actual.
type Variance struct {
	Plan, Actual decimal.Decimal
	// Difference is actual − plan (positive: better than plan for users and revenue).
	Difference decimal.Decimal
	// Percent is Difference ÷ Plan × 100 rounded to 2 places; PercentOK is false when the
	// plan is zero (no percentage of nothing).
	Percent   decimal.Decimal
	PercentOK bool
	// Outside is true when the month is complete and the actual is more than ±5% from the
	// plan (compared exactly, before rounding), or when the plan is zero and the actual is not.
	Outside bool
}

func varianceOf(plan, actual decimal.Decimal, complete bool) Variance {
	v := Variance{Plan: plan, Actual: actual, Difference: actual.Sub(plan)}
	if plan.IsZero() {
		v.Outside = complete && !actual.IsZero()
		return v
	}
	ratio := v.Difference.Mul(d(100)).Div(plan)
	v.Percent, v.PercentOK = ratio.Round(2), true
	v.Outside = complete && ratio.Abs().GreaterThan(TolerancePercent)
	return v
}

// MonthComparison is one plan month laid against its actuals.
type MonthComparison struct {
	PlanMonth                    int
	Complete                     bool
	Users, Transactions, Revenue Variance
}

// Outside is true when any measure of the month is outside ±5%.
func (m MonthComparison) Outside() bool {
	return m.Users.Outside || m.Transactions.Outside || m.Revenue.Outside
}

// CompareActuals lays actuals against the plan month by month. Months of actuals beyond the
// plan's end are left out (there is nothing to compare them with).
func CompareActuals(r Result, actuals []ActualMonth) []MonthComparison {
	months := r.Months()
	var out []MonthComparison
	for _, a := range actuals {
		if a.PlanMonth < 1 || a.PlanMonth > len(months) {
			continue
		}
		p := months[a.PlanMonth-1]
		out = append(out, MonthComparison{
			PlanMonth:    a.PlanMonth,
			Complete:     a.Complete,
			Users:        varianceOf(p.Users, a.Users, a.Complete),
			Transactions: varianceOf(p.Transactions, a.Transactions, a.Complete),
			Revenue:      varianceOf(p.TotalRevenue, a.Revenue, a.Complete),
		})
	}
	return out
}

// ReforecastBasis says what a re-forecast was built from.
type ReforecastBasis struct {
	LatestMonth int // the latest complete month of actuals, a plan month
	// UsersRatio and TxPerUserRatio are actual ÷ plan in LatestMonth, rounded to 4 places for
	// people (the maths uses the exact ratios).
	UsersRatio, TxPerUserRatio decimal.Decimal
	ActualYears                int // plan years wholly before LatestMonth's year, replaced by actuals
}

// Reforecast re-bases a plan on actuals, keeping the plan's shape from the latest complete
// month of actuals (L, in plan year Y) onwards:
//
//   - every year before Y becomes what happened: users = the mean of its months' actual
//     users (whole users), transactions per user = Σ actual transactions ÷ Σ actual users
//     (2 places);
//   - year Y and every later year keep the plan's growth, scaled by how far month L was from
//     the plan: users × (actual users in L ÷ planned users in L), rounded to whole users, and
//     transactions per user × (actual transactions per user in L ÷ planned), rounded to 2
//     places;
//   - fees, banks, team and every cost stay as planned.
//
// Months that are not complete are ignored. It fails when there is no complete month within
// the plan, or when month L cannot be scaled (no actual users, or nothing planned).
func Reforecast(a Assumptions, actuals []ActualMonth) (Assumptions, ReforecastBasis, error) {
	var basis ReforecastBasis
	planMonths := len(a.Years) * MonthsPerYear
	var latest *ActualMonth
	for i := range actuals {
		m := &actuals[i]
		if m.Complete && m.PlanMonth >= 1 && m.PlanMonth <= planMonths && (latest == nil || m.PlanMonth > latest.PlanMonth) {
			latest = m
		}
	}
	if latest == nil {
		return a, basis, fmt.Errorf("there is no complete month of actuals within the plan yet, so there is nothing to re-forecast from")
	}
	basis.LatestMonth = latest.PlanMonth
	year, _ := YearAndMonth(latest.PlanMonth)
	planned := a.Years[year-1]
	if latest.Users.IsZero() {
		return a, basis, fmt.Errorf("%s had no active users, so transactions per user cannot be measured", MonthLabel(latest.PlanMonth))
	}
	if planned.Users.IsZero() || planned.TxPerUserPerMonth.IsZero() {
		return a, basis, fmt.Errorf("the plan has no users or no transactions in %s, so there is no plan to scale", MonthLabel(latest.PlanMonth))
	}
	usersRatio := latest.Users.Div(planned.Users)
	actualTPU := latest.Transactions.Div(latest.Users)
	tpuRatio := actualTPU.Div(planned.TxPerUserPerMonth)
	basis.UsersRatio, basis.TxPerUserRatio = usersRatio.Round(4), tpuRatio.Round(4)

	out := a.Clone()
	for y := 1; y < year; y++ {
		users, tx, n := decimal.Zero, decimal.Zero, 0
		for _, m := range actuals {
			if my, _ := YearAndMonth(m.PlanMonth); m.Complete && my == y && m.PlanMonth >= 1 {
				users, tx, n = users.Add(m.Users), tx.Add(m.Transactions), n+1
			}
		}
		if n == 0 || users.IsZero() {
			continue // no actuals for that year: keep the plan
		}
		out.Years[y-1].Users = users.Div(d(int64(n))).Round(0)
		out.Years[y-1].TxPerUserPerMonth = tx.Div(users).Round(2)
		basis.ActualYears++
	}
	for y := year; y <= len(out.Years); y++ {
		yr := &out.Years[y-1]
		yr.Users = yr.Users.Mul(usersRatio).Round(0)
		yr.TxPerUserPerMonth = yr.TxPerUserPerMonth.Mul(tpuRatio).Round(2)
	}
	if errs := Validate(out); len(errs) > 0 {
		return a, basis, fmt.Errorf("the re-forecast plan would not be valid: %s", errs[0].Error())
	}
	return out, basis, nil
}
