package finmodel

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// Driver is one editable assumption: how to read and write it on a Year, how to show it, and
// what values are sane. Drivers are listed in the order the editor shows them.
type Driver struct {
	Key   string // form and CSV name
	Label string
	Unit  string // "users", "R", "R per year", ...
	Whole bool   // whole numbers only (people, banks, users)
	// Places is the most decimal places a typed value may have (ignored when Whole).
	Places int32
	Max    decimal.Decimal
	Get    func(y Year) decimal.Decimal
	Set    func(y *Year, v decimal.Decimal)
}

func mustDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// Drivers are the assumptions of a plan year. The maximums reject typing mistakes (an extra
// three zeros), not ambition: 100 million users is more than South Africa's population.
var Drivers = []Driver{
	{Key: "users", Label: "Active users", Unit: "users per month", Whole: true, Max: mustDec("100000000"),
		Get: func(y Year) decimal.Decimal { return y.Users }, Set: func(y *Year, v decimal.Decimal) { y.Users = v }},
	{Key: "tx_per_user_per_month", Label: "Transactions per user per month", Unit: "transactions", Max: mustDec("1000"),
		Get: func(y Year) decimal.Decimal { return y.TxPerUserPerMonth }, Set: func(y *Year, v decimal.Decimal) { y.TxPerUserPerMonth = v }},
	{Key: "fee_per_transaction", Label: "Fee per transaction", Unit: "R", Places: 4, Max: mustDec("100"),
		Get: func(y Year) decimal.Decimal { return y.FeePerTransaction }, Set: func(y *Year, v decimal.Decimal) { y.FeePerTransaction = v }},
	{Key: "banks", Label: "Bank partnerships", Unit: "banks", Whole: true, Max: mustDec("1000"),
		Get: func(y Year) decimal.Decimal { return y.Banks }, Set: func(y *Year, v decimal.Decimal) { y.Banks = v }},
	{Key: "licensing_per_bank_per_month", Label: "Licensing fee per bank", Unit: "R per month", Max: mustDec("100000000"),
		Get: func(y Year) decimal.Decimal { return y.LicensingPerBankPerMonth }, Set: func(y *Year, v decimal.Decimal) { y.LicensingPerBankPerMonth = v }},
	{Key: "team_size", Label: "Team size", Unit: "people", Whole: true, Max: mustDec("100000"),
		Get: func(y Year) decimal.Decimal { return y.TeamSize }, Set: func(y *Year, v decimal.Decimal) { y.TeamSize = v }},
	{Key: "cost_per_person_per_year", Label: "Cost per person", Unit: "R per year", Max: mustDec("100000000"),
		Get: func(y Year) decimal.Decimal { return y.CostPerPersonPerYear }, Set: func(y *Year, v decimal.Decimal) { y.CostPerPersonPerYear = v }},
	{Key: "infra_per_user_per_year", Label: "Infrastructure per user", Unit: "R per year", Max: mustDec("100000"),
		Get: func(y Year) decimal.Decimal { return y.InfraPerUserPerYear }, Set: func(y *Year, v decimal.Decimal) { y.InfraPerUserPerYear = v }},
	{Key: "marketing", Label: "Marketing", Unit: "R per year", Max: mustDec("100000000000"),
		Get: func(y Year) decimal.Decimal { return y.Marketing }, Set: func(y *Year, v decimal.Decimal) { y.Marketing = v }},
	{Key: "compliance", Label: "Compliance and legal", Unit: "R per year", Max: mustDec("100000000000"),
		Get: func(y Year) decimal.Decimal { return y.Compliance }, Set: func(y *Year, v decimal.Decimal) { y.Compliance = v }},
}

func (dr Driver) places() int32 {
	if dr.Places == 0 {
		return 2
	}
	return dr.Places
}

// DriverByKey finds a driver.
func DriverByKey(key string) (Driver, bool) {
	for _, dr := range Drivers {
		if dr.Key == key {
			return dr, true
		}
	}
	return Driver{}, false
}

// MaxYears bounds a plan's length; the seed's plan has 5.
const MaxYears = 10

// FieldError is a problem with one value: Year is 1-based (0 for the plan as a whole).
type FieldError struct {
	Year    int
	Key     string
	Message string
}

func (e FieldError) Error() string {
	if e.Year == 0 {
		return e.Message
	}
	return fmt.Sprintf("year %d, %s: %s", e.Year, e.Key, e.Message)
}

// ParseValue reads one typed value for a driver: digits with an optional decimal point, spaces
// and thin spaces as thousands separators allowed, at most 2 decimal places for rand and none
// for whole-number drivers. NaN, infinity, exponents and negative numbers are refused with a
// message meant for the person typing.
func ParseValue(dr Driver, raw string) (decimal.Decimal, error) {
	s := strings.TrimSpace(raw)
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(s)
	s = strings.TrimPrefix(s, "R")
	// South African spreadsheets write decimals with a comma ("0,10"): dropping every comma
	// would read that as 10, a hundred times the value. A comma is only a thousands separator.
	if strings.Contains(s, ",") {
		if !commasGroupThousands(s) {
			return decimal.Zero, fmt.Errorf("%q has a comma that does not group thousands; write decimals with a point (0.10)", raw)
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	if s == "" {
		return decimal.Zero, fmt.Errorf("enter a number")
	}
	for i, r := range s {
		if !(r >= '0' && r <= '9') && r != '.' && !(r == '-' && i == 0) {
			return decimal.Zero, fmt.Errorf("%q is not a number (use digits and one decimal point)", raw)
		}
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%q is not a number (use digits and one decimal point)", raw)
	}
	return v, CheckValue(dr, v)
}

// commasGroupThousands: the commas of s (before any decimal point) split its whole part into
// a first group of 1 to 3 characters and further groups of exactly 3 ("1,750,000").
func commasGroupThousands(s string) bool {
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if strings.Contains(frac, ",") {
		return false
	}
	groups := strings.Split(whole, ",")
	if n := len(groups[0]); n < 1 || n > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

// CheckValue applies a driver's rules to a value.
func CheckValue(dr Driver, v decimal.Decimal) error {
	switch {
	case v.IsNegative():
		return fmt.Errorf("cannot be negative")
	case dr.Whole && !v.Equal(v.Truncate(0)):
		return fmt.Errorf("must be a whole number")
	case !dr.Whole && !v.Equal(v.Truncate(dr.places())):
		return fmt.Errorf("use at most %d decimal places", dr.places())
	case v.GreaterThan(dr.Max):
		return fmt.Errorf("%s is beyond the sane maximum of %s %s; check for extra zeros", v.String(), dr.Max.String(), dr.Unit)
	}
	return nil
}

// Validate checks a whole plan; it returns every problem, not just the first.
func Validate(a Assumptions) []FieldError {
	var errs []FieldError
	if len(a.Years) == 0 {
		return []FieldError{{Message: "a plan needs at least one year"}}
	}
	if len(a.Years) > MaxYears {
		errs = append(errs, FieldError{Message: fmt.Sprintf("a plan has at most %d years", MaxYears)})
	}
	for i, y := range a.Years {
		for _, dr := range Drivers {
			if err := CheckValue(dr, dr.Get(y)); err != nil {
				errs = append(errs, FieldError{Year: i + 1, Key: dr.Key, Message: err.Error()})
			}
		}
	}
	return errs
}

// SensitivitySteps are the moves applied to each driver, in percent.
var SensitivitySteps = []int{-20, -10, 10, 20}

// Sensitivity is how one driver moves the plan's outcomes when it changes by each step in
// every year at once.
type Sensitivity struct {
	Driver Driver
	// LastYearProfit[i] and CumulativeProfit[i] are the changes (not levels) against the base
	// plan for SensitivitySteps[i].
	LastYearProfit   []decimal.Decimal
	CumulativeProfit []decimal.Decimal
}

// Impact is the widest swing of final-year operating profit over the steps, used for
// ordering a tornado chart.
func (s Sensitivity) Impact() decimal.Decimal {
	lo, hi := decimal.Zero, decimal.Zero
	for _, v := range s.LastYearProfit {
		lo = decimal.Min(lo, v)
		hi = decimal.Max(hi, v)
	}
	return hi.Sub(lo)
}

// SensitivityOf moves each driver by each step (in every year) and reports the change in
// final-year and cumulative operating profit, drivers with the largest swing first (ties in
// the editor's order).
func SensitivityOf(a Assumptions) []Sensitivity {
	base := Compute(a)
	if len(base.Years) == 0 {
		return nil
	}
	baseLast := base.Years[len(base.Years)-1]
	var out []Sensitivity
	for _, dr := range Drivers {
		s := Sensitivity{Driver: dr}
		for _, step := range SensitivitySteps {
			factor := decimal.NewFromInt(int64(100 + step)).Div(decimal.NewFromInt(100))
			moved := a.Clone()
			for i := range moved.Years {
				dr.Set(&moved.Years[i], dr.Get(moved.Years[i]).Mul(factor))
			}
			r := Compute(moved)
			last := r.Years[len(r.Years)-1]
			s.LastYearProfit = append(s.LastYearProfit, last.OperatingProfit.Sub(baseLast.OperatingProfit))
			s.CumulativeProfit = append(s.CumulativeProfit, last.CumulativeProfit.Sub(baseLast.CumulativeProfit))
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Impact().GreaterThan(out[j].Impact()) })
	return out
}
