package finmodel

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	v, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wantDec(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(t, want)) {
		t.Errorf("%s = %s, want %s", what, got.StringFixed(2), want)
	}
}

// The seed plan's yearly figures, worked out by hand from seed §7's formulas:
// transactions = users × 20 × 12; transaction revenue = transactions × R0.10;
// licensing = banks × R50,000 × 12; team = size × R600,000; infrastructure = users × R6;
// marketing and compliance as listed. Margin = profit / revenue × 100, rounded to 2 places
// (pandas .round(2)).
func TestSeedPlanMatchesTheSeedToTheCent(t *testing.T) {
	res := Compute(SeedPlan())
	want := []struct {
		tx, txRev, lic, rev, team, infra, mkt, comp, costs, profit, margin, cum string
	}{
		{"84000000", "8400000.00", "600000.00", "9000000.00", "6000000.00", "2100000.00", "5000000.00", "2000000.00", "15100000.00", "-6100000.00", "-67.78", "-6100000.00"},
		{"168000000", "16800000.00", "1800000.00", "18600000.00", "15000000.00", "4200000.00", "10000000.00", "3000000.00", "32200000.00", "-13600000.00", "-73.12", "-19700000.00"},
		{"420000000", "42000000.00", "3000000.00", "45000000.00", "30000000.00", "10500000.00", "20000000.00", "5000000.00", "65500000.00", "-20500000.00", "-45.56", "-40200000.00"},
		{"840000000", "84000000.00", "4800000.00", "88800000.00", "45000000.00", "21000000.00", "30000000.00", "7000000.00", "103000000.00", "-14200000.00", "-15.99", "-54400000.00"},
		{"1260000000", "126000000.00", "6000000.00", "132000000.00", "60000000.00", "31500000.00", "40000000.00", "10000000.00", "141500000.00", "-9500000.00", "-7.20", "-63900000.00"},
	}
	if len(res.Years) != len(want) {
		t.Fatalf("%d years, want %d", len(res.Years), len(want))
	}
	for i, w := range want {
		y := res.Years[i]
		wantDec(t, "transactions", y.Transactions, w.tx)
		wantDec(t, "transaction revenue", y.TransactionRevenue, w.txRev)
		wantDec(t, "licensing", y.LicensingRevenue, w.lic)
		wantDec(t, "revenue", y.TotalRevenue, w.rev)
		wantDec(t, "team", y.TeamCosts, w.team)
		wantDec(t, "infrastructure", y.InfraCosts, w.infra)
		wantDec(t, "marketing", y.MarketingCosts, w.mkt)
		wantDec(t, "compliance", y.ComplianceCosts, w.comp)
		wantDec(t, "costs", y.TotalCosts, w.costs)
		wantDec(t, "operating profit", y.OperatingProfit, w.profit)
		wantDec(t, "cumulative", y.CumulativeProfit, w.cum)
		m, ok := y.OperatingMargin()
		if !ok {
			t.Fatalf("year %d: no margin", i+1)
		}
		wantDec(t, "margin", m, w.margin)
	}
	// The seed plan loses money every year, so it never breaks even within five years.
	if be := BreakEvenOf(res); be.ProfitableMonth != 0 || be.PaybackMonth != 0 {
		t.Errorf("break-even %+v, want none", be)
	}
	tot := res.Total()
	wantDec(t, "5-year revenue", tot.TotalRevenue, "293400000")
	wantDec(t, "5-year costs", tot.TotalCosts, "357300000")
	wantDec(t, "5-year profit", tot.OperatingProfit, "-63900000")
}

// Months split each year's line into cent amounts that add up to the year exactly.
func TestMonthsAddUpToTheYearToTheCent(t *testing.T) {
	a := Assumptions{Years: []Year{{
		Users: dec(t, "7"), TxPerUserPerMonth: dec(t, "1"), FeePerTransaction: dec(t, "0.1"),
		Marketing: dec(t, "100.00"), Compliance: dec(t, "0.05"),
	}}}
	res := Compute(a)
	y := res.Years[0]
	// 7 users × 1 × 12 × R0.10 = R8.40 a year, R0.70 a month.
	wantDec(t, "year revenue", y.TotalRevenue, "8.40")
	wantDec(t, "month 1 revenue", y.Months[0].TotalRevenue, "0.70")
	// R100.00 / 12 = R8.33 for months 1–11 and R8.37 in month 12.
	wantDec(t, "month 1 marketing", y.Months[0].MarketingCosts, "8.33")
	wantDec(t, "month 12 marketing", y.Months[11].MarketingCosts, "8.37")
	// R0.05 / 12 rounds to R0.00 for months 1–11; month 12 carries it all.
	wantDec(t, "month 12 compliance", y.Months[11].ComplianceCosts, "0.05")
	var sum Lines
	for _, m := range y.Months {
		sum.TotalRevenue = sum.TotalRevenue.Add(m.TotalRevenue)
		sum.TotalCosts = sum.TotalCosts.Add(m.TotalCosts)
		sum.OperatingProfit = sum.OperatingProfit.Add(m.OperatingProfit)
	}
	wantDec(t, "Σ months revenue", sum.TotalRevenue, y.TotalRevenue.String())
	wantDec(t, "Σ months costs", sum.TotalCosts, y.TotalCosts.String())
	wantDec(t, "Σ months profit", sum.OperatingProfit, y.OperatingProfit.String())
	wantDec(t, "month 12 cumulative", y.Months[11].CumulativeProfit, y.CumulativeProfit.String())
	if y.Months[11].Month != 12 {
		t.Errorf("last month numbered %d", y.Months[11].Month)
	}
}

// A constructed plan: year 1 makes R10,000 a month and spends R20,000 (−R10,000 a month,
// −R120,000 by month 12); year 2 makes R40,000 and spends R10,000 (+R30,000 a month). Monthly
// profit turns positive in month 13; the cumulative loss is paid back after four months of
// year 2: −90k, −60k, −30k, 0 → month 16 (year 2, month 4).
func TestBreakEvenOnAConstructedPlan(t *testing.T) {
	year := func(users, marketing string) Year {
		return Year{Users: dec(t, users), TxPerUserPerMonth: dec(t, "10"), FeePerTransaction: dec(t, "1"), Marketing: dec(t, marketing)}
	}
	res := Compute(Assumptions{Years: []Year{year("1000", "240000"), year("4000", "120000")}})
	be := BreakEvenOf(res)
	if be.ProfitableMonth != 13 || be.PaybackMonth != 16 {
		t.Fatalf("break-even %+v, want profitable month 13 and payback month 16", be)
	}
	if got := MonthLabel(be.PaybackMonth); got != "year 2, month 4" {
		t.Errorf("label %q", got)
	}
	wantDec(t, "month 15 cumulative", res.Months()[14].CumulativeProfit, "-30000")
	// A plan that dips back into loss after a good month has not broken even at the good month.
	res = Compute(Assumptions{Years: []Year{year("4000", "120000"), year("1000", "240000")}})
	if be := BreakEvenOf(res); be.ProfitableMonth != 0 {
		t.Errorf("profitable month %d for a plan that ends in losses, want 0", be.ProfitableMonth)
	}
}

func TestOperatingMarginWithoutRevenueIsNotANumber(t *testing.T) {
	res := Compute(Assumptions{Years: []Year{{Marketing: dec(t, "10")}}})
	if _, ok := res.Years[0].OperatingMargin(); ok {
		t.Error("margin of a year without revenue should be n/a")
	}
}

// On the seed plan, final-year profit moves with revenue drivers and against cost drivers, and
// the tornado's order follows the widest swing: R0.10 × 20 × 12 × 5.25M users = R126M of
// transaction revenue swings ±R25.2M at ±20% through either transactions per user or the fee
// (tie: editor order); users also move infrastructure, so ±(R25.2M − R6.3M) = ±R18.9M; team
// R60M → ±R12M for size and cost per person; marketing R40M → ±R8M; infrastructure per user
// R31.5M → ±R6.3M; compliance R10M → ±R2M; licensing R6M → ±R1.2M for banks and the fee.
func TestSensitivitySignsAndOrder(t *testing.T) {
	sens := SensitivityOf(SeedPlan())
	var order []string
	for _, s := range sens {
		order = append(order, s.Driver.Key)
	}
	want := "tx_per_user_per_month fee_per_transaction users team_size cost_per_person_per_year marketing infra_per_user_per_year compliance banks licensing_per_bank_per_month"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("order\n got %s\nwant %s", got, want)
	}
	byKey := map[string]Sensitivity{}
	for _, s := range sens {
		byKey[s.Driver.Key] = s
	}
	// Steps are −20, −10, +10, +20.
	wantDec(t, "users +10% final-year", byKey["users"].LastYearProfit[2], "9450000")
	wantDec(t, "users −20% final-year", byKey["users"].LastYearProfit[0], "-18900000")
	wantDec(t, "marketing +20% final-year", byKey["marketing"].LastYearProfit[3], "-8000000")
	wantDec(t, "marketing +20% cumulative", byKey["marketing"].CumulativeProfit[3], "-21000000") // 20% of R105M over 5 years
	wantDec(t, "banks −10% final-year", byKey["banks"].LastYearProfit[1], "-600000")
	for _, s := range sens {
		revenueDriver := map[string]bool{"users": true, "tx_per_user_per_month": true, "fee_per_transaction": true, "banks": true, "licensing_per_bank_per_month": true}[s.Driver.Key]
		up := s.LastYearProfit[3]
		if revenueDriver != up.IsPositive() {
			t.Errorf("%s +20%% moves final-year profit by %s", s.Driver.Key, up)
		}
	}
}

func TestParseValueRejectsBadInput(t *testing.T) {
	users, _ := DriverByKey("users")
	fee, _ := DriverByKey("fee_per_transaction")
	cases := []struct {
		dr      Driver
		in      string
		wantErr string
		want    string
	}{
		{users, "350 000", "", "350000"},
		{users, "350,000", "", "350000"},
		{users, "1,750,000", "", "1750000"},
		{fee, "R 1,000.50", "sane maximum", ""},
		// A decimal comma (as South African spreadsheets write it) is refused, never read as
		// a hundred times the value.
		{fee, "0,10", "does not group thousands", ""},
		{fee, "R0,1250", "does not group thousands", ""},
		{users, "1,75,000", "does not group thousands", ""},
		{users, ",350", "does not group thousands", ""},
		{fee, "1.000,50", "does not group thousands", ""},
		{fee, "R0.1250", "", "0.125"},
		{users, "-5", "cannot be negative", ""},
		{users, "NaN", "not a number", ""},
		{users, "Inf", "not a number", ""},
		{users, "1e9", "not a number", ""},
		{users, "", "enter a number", ""},
		{users, "12.5", "whole number", ""},
		{users, "1000000000", "sane maximum", ""},
		{fee, "0.12345", "at most 4 decimal places", ""},
	}
	for _, c := range cases {
		v, err := ParseValue(c.dr, c.in)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%q: %v", c.in, err)
		case c.wantErr == "" && !v.Equal(dec(t, c.want)):
			t.Errorf("%q = %s, want %s", c.in, v, c.want)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%q: error %v, want one containing %q", c.in, err, c.wantErr)
		}
	}
	if errs := Validate(Assumptions{}); len(errs) != 1 {
		t.Errorf("empty plan: %v", errs)
	}
	bad := SeedPlan()
	bad.Years[2].Users = dec(t, "-1")
	if errs := Validate(bad); len(errs) != 1 || errs[0].Year != 3 || errs[0].Key != "users" {
		t.Errorf("negative users in year 3: %v", errs)
	}
	if errs := Validate(SeedPlan()); len(errs) != 0 {
		t.Errorf("seed plan invalid: %v", errs)
	}
}
