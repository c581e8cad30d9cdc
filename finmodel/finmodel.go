// Package finmodel is the 5-year financial model of seed §7, done with exact decimal
// arithmetic: per-year assumptions in, yearly and monthly revenue, costs and operating profit
// out, plus break-even, sensitivity and validation. It knows nothing of HTTP or SQL.
//
// The seed reads each year's user count as the users of every month of that year (revenue =
// users × transactions per user per month × 12 × fee), so the monthly view is flat within a
// year and its twelve months add up to the year exactly, to the cent.
package finmodel

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// MonthsPerYear is the number of months in a plan year.
const MonthsPerYear = 12

// Year holds one plan year's assumptions. Counts (users, banks, team size) are decimals so
// that sensitivity analysis can move them by ±10% (1.1 banks reads as 110% of one bank's
// licensing); the editor accepts only whole numbers for them (see Validate).
type Year struct {
	Users                    decimal.Decimal `json:"users"`                        // active users in each month of the year
	TxPerUserPerMonth        decimal.Decimal `json:"tx_per_user_per_month"`        // transactions per user per month
	FeePerTransaction        decimal.Decimal `json:"fee_per_transaction"`          // rand per transaction
	Banks                    decimal.Decimal `json:"banks"`                        // bank partnerships paying licensing
	LicensingPerBankPerMonth decimal.Decimal `json:"licensing_per_bank_per_month"` // rand per bank per month
	TeamSize                 decimal.Decimal `json:"team_size"`                    // people
	CostPerPersonPerYear     decimal.Decimal `json:"cost_per_person_per_year"`     // rand per person per year
	InfraPerUserPerYear      decimal.Decimal `json:"infra_per_user_per_year"`      // rand per user per year
	Marketing                decimal.Decimal `json:"marketing"`                    // rand per year
	Compliance               decimal.Decimal `json:"compliance"`                   // rand per year (compliance and legal)
}

// Assumptions is a whole plan: one Year per plan year, year 1 first.
type Assumptions struct {
	Years []Year `json:"years"`
}

// Clone returns a deep copy (Years is a slice).
func (a Assumptions) Clone() Assumptions {
	return Assumptions{Years: append([]Year(nil), a.Years...)}
}

func d(v int64) decimal.Decimal { return decimal.NewFromInt(v) }

// SeedPlan returns the assumptions of seed §7's FinancialModel, unchanged.
func SeedPlan() Assumptions {
	users := []int64{350_000, 700_000, 1_750_000, 3_500_000, 5_250_000}
	banks := []int64{1, 3, 5, 8, 10}
	team := []int64{10, 25, 50, 75, 100}
	marketing := []int64{5_000_000, 10_000_000, 20_000_000, 30_000_000, 40_000_000}
	compliance := []int64{2_000_000, 3_000_000, 5_000_000, 7_000_000, 10_000_000}
	var a Assumptions
	for i := range users {
		a.Years = append(a.Years, Year{
			Users:                    d(users[i]),
			TxPerUserPerMonth:        d(20),
			FeePerTransaction:        decimal.RequireFromString("0.10"),
			Banks:                    d(banks[i]),
			LicensingPerBankPerMonth: d(50_000),
			TeamSize:                 d(team[i]),
			CostPerPersonPerYear:     d(600_000),
			InfraPerUserPerYear:      d(6),
			Marketing:                d(marketing[i]),
			Compliance:               d(compliance[i]),
		})
	}
	return a
}

// Lines are the revenue and cost lines of one period (a year or a month), each rounded to
// the cent; totals are sums of the rounded lines, so every table adds up exactly.
type Lines struct {
	Users              decimal.Decimal `json:"users"`
	Transactions       decimal.Decimal `json:"transactions"`
	TransactionRevenue decimal.Decimal `json:"transaction_revenue"`
	LicensingRevenue   decimal.Decimal `json:"licensing_revenue"`
	TotalRevenue       decimal.Decimal `json:"total_revenue"`
	TeamCosts          decimal.Decimal `json:"team_costs"`
	InfraCosts         decimal.Decimal `json:"infrastructure_costs"`
	MarketingCosts     decimal.Decimal `json:"marketing_costs"`
	ComplianceCosts    decimal.Decimal `json:"compliance_costs"`
	TotalCosts         decimal.Decimal `json:"total_costs"`
	// OperatingProfit is revenue minus all costs. The seed calls it "gross profit", but
	// gross profit deducts only the cost of revenue; team, marketing and compliance are
	// operating costs.
	OperatingProfit  decimal.Decimal `json:"operating_profit"`
	CumulativeProfit decimal.Decimal `json:"cumulative_profit"`
}

// OperatingMargin is operating profit as a percentage of revenue, rounded to 2 places; ok is
// false when there is no revenue (the seed divides by zero there).
func (l Lines) OperatingMargin() (decimal.Decimal, bool) {
	if l.TotalRevenue.IsZero() {
		return decimal.Zero, false
	}
	return l.OperatingProfit.Mul(d(100)).DivRound(l.TotalRevenue, 2), true
}

// YearResult is one plan year's figures and its months.
type YearResult struct {
	Year   int           `json:"year"` // 1-based
	Lines                // the year's totals
	Months []MonthResult `json:"months"`
}

// MonthResult is one month of the plan.
type MonthResult struct {
	Month int `json:"month"` // 1-based from the start of the plan (month 13 is year 2's first)
	Lines
}

// Result is a computed plan.
type Result struct {
	Years []YearResult `json:"years"`
}

var cent = 2

// Compute projects every year and month of a. It does not validate: call Validate first for
// user input.
func Compute(a Assumptions) Result {
	var res Result
	cumulative := decimal.Zero
	monthCumulative := decimal.Zero
	twelve := d(MonthsPerYear)
	for i, y := range a.Years {
		yr := YearResult{Year: i + 1}
		monthlyTx := y.Users.Mul(y.TxPerUserPerMonth)
		l := Lines{
			Users:              y.Users,
			Transactions:       monthlyTx.Mul(twelve),
			TransactionRevenue: monthlyTx.Mul(twelve).Mul(y.FeePerTransaction).Round(int32(cent)),
			LicensingRevenue:   y.Banks.Mul(y.LicensingPerBankPerMonth).Mul(twelve).Round(int32(cent)),
			TeamCosts:          y.TeamSize.Mul(y.CostPerPersonPerYear).Round(int32(cent)),
			InfraCosts:         y.Users.Mul(y.InfraPerUserPerYear).Round(int32(cent)),
			MarketingCosts:     y.Marketing.Round(int32(cent)),
			ComplianceCosts:    y.Compliance.Round(int32(cent)),
		}
		l.total()
		cumulative = cumulative.Add(l.OperatingProfit)
		l.CumulativeProfit = cumulative
		yr.Lines = l

		// Months: each money line is the year's line split into twelve cent amounts that add
		// up to it exactly (the last month takes the rounding remainder).
		split := func(v decimal.Decimal, m int) decimal.Decimal {
			part := v.DivRound(twelve, int32(cent))
			if m < MonthsPerYear {
				return part
			}
			return v.Sub(part.Mul(d(MonthsPerYear - 1)))
		}
		for m := 1; m <= MonthsPerYear; m++ {
			ml := Lines{
				Users:              y.Users,
				Transactions:       monthlyTx,
				TransactionRevenue: split(l.TransactionRevenue, m),
				LicensingRevenue:   split(l.LicensingRevenue, m),
				TeamCosts:          split(l.TeamCosts, m),
				InfraCosts:         split(l.InfraCosts, m),
				MarketingCosts:     split(l.MarketingCosts, m),
				ComplianceCosts:    split(l.ComplianceCosts, m),
			}
			ml.total()
			monthCumulative = monthCumulative.Add(ml.OperatingProfit)
			ml.CumulativeProfit = monthCumulative
			yr.Months = append(yr.Months, MonthResult{Month: i*MonthsPerYear + m, Lines: ml})
		}
		res.Years = append(res.Years, yr)
	}
	return res
}

func (l *Lines) total() {
	l.TotalRevenue = l.TransactionRevenue.Add(l.LicensingRevenue)
	l.TotalCosts = l.TeamCosts.Add(l.InfraCosts).Add(l.MarketingCosts).Add(l.ComplianceCosts)
	l.OperatingProfit = l.TotalRevenue.Sub(l.TotalCosts)
}

// Months lists every month of the plan in order.
func (r Result) Months() []MonthResult {
	var out []MonthResult
	for _, y := range r.Years {
		out = append(out, y.Months...)
	}
	return out
}

// Total sums the plan's years (users is the last year's; cumulative profit is the final one).
func (r Result) Total() Lines {
	var t Lines
	for _, y := range r.Years {
		t.Users = y.Users
		t.Transactions = t.Transactions.Add(y.Transactions)
		t.TransactionRevenue = t.TransactionRevenue.Add(y.TransactionRevenue)
		t.LicensingRevenue = t.LicensingRevenue.Add(y.LicensingRevenue)
		t.TeamCosts = t.TeamCosts.Add(y.TeamCosts)
		t.InfraCosts = t.InfraCosts.Add(y.InfraCosts)
		t.MarketingCosts = t.MarketingCosts.Add(y.MarketingCosts)
		t.ComplianceCosts = t.ComplianceCosts.Add(y.ComplianceCosts)
		t.CumulativeProfit = y.CumulativeProfit
	}
	t.total()
	return t
}

// BreakEven says when a plan turns profitable. A month is a plan month (1-based).
type BreakEven struct {
	// ProfitableMonth is the first month whose operating profit is ≥ 0 and stays so for the
	// rest of the plan (a single good month before more losses is not break-even); 0 if never.
	ProfitableMonth int `json:"profitable_month"`
	// PaybackMonth is the first month from which cumulative operating profit is ≥ 0 for the
	// rest of the plan: every rand lost before it has been earned back; 0 if never.
	PaybackMonth int `json:"payback_month"`
}

// YearAndMonth splits a plan month into (year, month of year), both 1-based.
func YearAndMonth(month int) (int, int) {
	return (month-1)/MonthsPerYear + 1, (month-1)%MonthsPerYear + 1
}

// BreakEvenOf finds the break-even and payback months of r.
func BreakEvenOf(r Result) BreakEven {
	months := r.Months()
	var be BreakEven
	for i := len(months) - 1; i >= 0; i-- {
		if months[i].OperatingProfit.IsNegative() {
			break
		}
		be.ProfitableMonth = months[i].Month
	}
	for i := len(months) - 1; i >= 0; i-- {
		if months[i].CumulativeProfit.IsNegative() {
			break
		}
		be.PaybackMonth = months[i].Month
	}
	return be
}

// String describes a plan month for people: "year 3, month 7 (plan month 31)".
func MonthLabel(month int) string {
	if month <= 0 {
		return "not within the plan"
	}
	y, m := YearAndMonth(month)
	return fmt.Sprintf("year %d, month %d", y, m)
}
