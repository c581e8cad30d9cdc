package finmodel

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

func TestChangesDescribeEachEditedValue(t *testing.T) {
	before := SeedPlan()
	after := before.Clone()
	after.Years[2].Users = dec(t, "2000000")
	after.Years[0].FeePerTransaction = dec(t, "0.12")
	after.Years[4].InfraPerUserPerYear = dec(t, "6.00") // same number: not a change
	got := Summary(Changes(before, after), 10)
	want := "Year 1 fee per transaction 0.10 → 0.12; Year 3 active users 1 750 000 → 2 000 000"
	if got != want {
		t.Errorf("summary = %q\nwant      %q", got, want)
	}
	longer := after.Clone()
	longer.Years = append(longer.Years, longer.Years[4])
	if s := Summary(Changes(after, longer), 10); s != "Year 6 added" {
		t.Errorf("added year: %q", s)
	}
	if s := Summary(Changes(longer, after), 10); s != "Year 6 removed" {
		t.Errorf("removed year: %q", s)
	}
	if s := Summary(nil, 10); s != "no changes to the assumptions" {
		t.Errorf("no change: %q", s)
	}
}

func TestFormatGroupsAndParsesBack(t *testing.T) {
	for _, c := range []struct{ key, in, want string }{
		{"users", "1750000", "1 750 000"},
		{"fee_per_transaction", "0.1", "0.10"},
		{"fee_per_transaction", "0.125", "0.125"},
		{"cost_per_person_per_year", "600000", "600 000.00"},
		{"tx_per_user_per_month", "20", "20"},
		{"tx_per_user_per_month", "20.50", "20.5"},
	} {
		dr, _ := DriverByKey(c.key)
		got := dr.Format(dec(t, c.in))
		if got != c.want {
			t.Errorf("%s %s: Format = %q, want %q", c.key, c.in, got, c.want)
		}
		back, err := ParseValue(dr, got)
		if err != nil || !back.Equal(dec(t, c.in)) {
			t.Errorf("%s: ParseValue(%q) = %s, %v", c.key, got, back, err)
		}
	}
}

func TestAssumptionsCSVRoundTrip(t *testing.T) {
	a := SeedPlan()
	a.Years[1].FeePerTransaction = dec(t, "0.1234")
	header, rows := AssumptionsTable(a)
	var b strings.Builder
	b.WriteString("\ufeff" + strings.Join(header, ",") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	got, errs := ReadAssumptionsCSV(strings.NewReader(b.String()))
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if ch := Changes(a, got); len(ch) != 0 {
		t.Errorf("the round trip changed %v", ch)
	}
}

func TestAssumptionsCSVReportsEveryBadRow(t *testing.T) {
	header, rows := AssumptionsTable(SeedPlan())
	rows[2][1] = "-5"           // row 4, year 3, users
	rows[0][3] = "NaN"          // row 2, year 1, fee
	rows[4][9] = "1e9"          // row 6, year 5, marketing
	rows[3][6] = ""             // row 5, year 4, team size
	rows[1][0] = "7"            // row 3: year out of order
	rows[4][5] = "999999999999" // row 6, licensing: absurd
	var b strings.Builder
	b.WriteString(strings.Join(header, ",") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	_, errs := ReadAssumptionsCSV(strings.NewReader(b.String()))
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	want := []string{
		`row 2, year 1, fee_per_transaction: "NaN" is not a number (use digits and one decimal point)`,
		`row 3, year 2, year: is "7"; the years must be 1, 2, 3 … in order, so this row should be year 2`,
		`row 4, year 3, users: cannot be negative`,
		`row 5, year 4, team_size: enter a number`,
		`row 6, year 5, licensing_per_bank_per_month: 999999999999 is beyond the sane maximum of 100000000 R per month; check for extra zeros`,
		`row 6, year 5, marketing: "1e9" is not a number (use digits and one decimal point)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	_, errs = ReadAssumptionsCSV(strings.NewReader("year,users,bogus\n"))
	if len(errs) == 0 || !strings.Contains(errs[0].Error(), "row 1, bogus: unknown column") {
		t.Errorf("unknown column: %v", errs)
	}
	_, errs = ReadAssumptionsCSV(strings.NewReader(strings.Join(header, ",") + "\n"))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "no years") {
		t.Errorf("no rows: %v", errs)
	}
	_, errs = ReadAssumptionsCSV(strings.NewReader(""))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "empty") {
		t.Errorf("empty file: %v", errs)
	}
}

func TestWorkbookHasAssumptionsAndResultsExactly(t *testing.T) {
	a := SeedPlan()
	data, err := Workbook("Seed plan", a, Compute(a))
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "Assumptions,Results,Monthly" {
		t.Fatalf("sheets %v", got)
	}
	cell := func(sheet, ref string) string {
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Assumptions: row 4 is users, column F is year 3; row 6 is the fee, column D year 1.
	if v := cell(SheetAssumptions, "F4"); v != "1750000" {
		t.Errorf("year 3 users = %q", v)
	}
	if v := cell(SheetAssumptions, "D6"); v != "0.10" {
		t.Errorf("year 1 fee = %q", v)
	}
	// Results: year 5 (row 6) operating profit and cumulative profit.
	if v := cell(SheetResults, "L6"); v != "-9500000.00" {
		t.Errorf("year 5 operating profit = %q", v)
	}
	if v := cell(SheetResults, "M6"); v != "-63900000.00" {
		t.Errorf("year 5 cumulative = %q", v)
	}
	rows, _ := f.GetRows(SheetMonthly)
	if len(rows) != 61 {
		t.Errorf("monthly sheet has %d rows, want header + 60", len(rows))
	}
}

// A plan with actuals for 15 months (the last one still running), worked by hand:
//
//	plan: year 1 1 000 users × 20 tx; year 2 2 000 × 25; year 3 3 000 × 30
//	actual months 1–6: 800 users, 8 000 tx; 7–12: 1 000 users, 10 000 tx
//	month 13: 1 500 users, 18 000 tx; month 14: 1 800 users, 27 000 tx (15 per user)
//	month 15 (running): 5 000 users — ignored
//
// Latest complete month 14 is in year 2: users ratio 1 800 ÷ 2 000 = 0.9, tx per user ratio
// 15 ÷ 25 = 0.6. Year 1 becomes the actuals: mean users (6×800 + 6×1 000) ÷ 12 = 900, tx per
// user 108 000 ÷ 10 800 = 10.00. Year 2: 1 800 users, 15.00; year 3: 2 700 users, 18.00.
func TestReforecastFromLatestActualMonth(t *testing.T) {
	plan := Assumptions{Years: []Year{
		{Users: dec(t, "1000"), TxPerUserPerMonth: dec(t, "20"), FeePerTransaction: dec(t, "0.10"), Marketing: dec(t, "5")},
		{Users: dec(t, "2000"), TxPerUserPerMonth: dec(t, "25"), FeePerTransaction: dec(t, "0.10"), Marketing: dec(t, "6")},
		{Users: dec(t, "3000"), TxPerUserPerMonth: dec(t, "30"), FeePerTransaction: dec(t, "0.10"), Marketing: dec(t, "7")},
	}}
	var actuals []ActualMonth
	for m := 1; m <= 12; m++ {
		users := int64(800)
		if m > 6 {
			users = 1000
		}
		actuals = append(actuals, ActualMonth{PlanMonth: m, Users: d(users), Transactions: d(users * 10), Complete: true})
	}
	actuals = append(actuals,
		ActualMonth{PlanMonth: 13, Users: d(1500), Transactions: d(18000), Complete: true},
		ActualMonth{PlanMonth: 14, Users: d(1800), Transactions: d(27000), Complete: true},
		ActualMonth{PlanMonth: 15, Users: d(5000), Transactions: d(1), Complete: false})
	got, basis, err := Reforecast(plan, actuals)
	if err != nil {
		t.Fatal(err)
	}
	if basis.LatestMonth != 14 || !basis.UsersRatio.Equal(dec(t, "0.9")) || !basis.TxPerUserRatio.Equal(dec(t, "0.6")) || basis.ActualYears != 1 {
		t.Errorf("basis %+v", basis)
	}
	want := [][2]string{{"900", "10"}, {"1800", "15"}, {"2700", "18"}}
	for i, w := range want {
		wantDec(t, "users", got.Years[i].Users, w[0])
		wantDec(t, "tx per user", got.Years[i].TxPerUserPerMonth, w[1])
		if !got.Years[i].Marketing.Equal(plan.Years[i].Marketing) || !got.Years[i].FeePerTransaction.Equal(plan.Years[i].FeePerTransaction) {
			t.Errorf("year %d: costs or fees changed", i+1)
		}
	}
	if _, _, err := Reforecast(plan, actuals[14:]); err == nil {
		t.Error("a running month alone is no basis for a re-forecast")
	}
}

// Variance of actuals against the seed plan's year-1 months (350 000 users, 7 000 000
// transactions, revenue 9 000 000 ÷ 12 = 750 000.00 a month).
func TestCompareActualsFlagsMonthsOutsideFivePercent(t *testing.T) {
	r := Compute(SeedPlan())
	got := CompareActuals(r, []ActualMonth{
		{PlanMonth: 1, Users: dec(t, "367500"), Transactions: dec(t, "7000000"), Revenue: dec(t, "750000"), Complete: true},    // users +5.00%: inside
		{PlanMonth: 2, Users: dec(t, "332499"), Transactions: dec(t, "7000000"), Revenue: dec(t, "787500.01"), Complete: true}, // users −5.0003%, revenue +5.000001%
		{PlanMonth: 3, Users: dec(t, "100"), Transactions: dec(t, "1"), Revenue: dec(t, "1"), Complete: false},                 // running: never flagged
		{PlanMonth: 61, Users: dec(t, "1"), Complete: true},                                                                    // beyond the plan
	})
	if len(got) != 3 {
		t.Fatalf("%d months compared, want 3", len(got))
	}
	if got[0].Outside() || !got[0].Users.Percent.Equal(dec(t, "5")) {
		t.Errorf("month 1: %+v", got[0].Users)
	}
	if !got[1].Users.Outside || !got[1].Revenue.Outside || got[1].Transactions.Outside {
		t.Errorf("month 2: users %+v revenue %+v", got[1].Users, got[1].Revenue)
	}
	wantDec(t, "month 2 users difference", got[1].Users.Difference, "-17501")
	wantDec(t, "month 2 users percent", got[1].Users.Percent, "-5.00")
	if got[2].Outside() {
		t.Error("a running month is flagged")
	}
	zero := CompareActuals(Compute(Assumptions{Years: []Year{{}}}), []ActualMonth{{PlanMonth: 1, Revenue: decimal.NewFromInt(5), Complete: true}})
	if zero[0].Revenue.PercentOK || !zero[0].Revenue.Outside || zero[0].Users.Outside {
		t.Errorf("plan zero: %+v %+v", zero[0].Revenue, zero[0].Users)
	}
}

// The workbook's results sheets have headings for people, one per column of the CSV.
func TestWorkbookHeadingsAreReadable(t *testing.T) {
	a := SeedPlan()
	data, err := Workbook("Seed plan", a, Compute(a))
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(SheetResults)
	if err != nil {
		t.Fatal(err)
	}
	header, _ := YearlyTable(Compute(a))
	if len(rows[0]) != len(header) {
		t.Fatalf("%d headings for %d columns", len(rows[0]), len(header))
	}
	for i, h := range rows[0] {
		if h == header[i] && strings.Contains(h, "_") {
			t.Errorf("column %d is headed by its key %q", i+1, h)
		}
	}
	if rows[0][3] != "Transaction revenue (R)" || rows[0][13] != "Operating margin (%)" {
		t.Errorf("headings %q", rows[0])
	}
}

// The same file saved by a spreadsheet in South African English (semicolons, decimal commas,
// grouped thousands, CRLF) reads back as the same plan.
func TestAssumptionsCSVSouthAfricanForm(t *testing.T) {
	a := SeedPlan()
	a.Years[1].FeePerTransaction = dec(t, "0.1234")
	header, rows := AssumptionsTable(a)
	var b strings.Builder
	b.WriteString("\ufeff" + strings.Join(header, ";") + "\r\n")
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			whole, frac, found := strings.Cut(c, ".")
			cells[i] = groupSpaces(whole) // "1 750 000", as an en-ZA spreadsheet writes it
			if found {
				cells[i] += "," + frac
			}
		}
		b.WriteString(strings.Join(cells, ";") + "\r\n")
	}
	got, errs := ReadAssumptionsCSV(strings.NewReader(b.String()))
	if len(errs) > 0 {
		t.Fatalf("errors: %v\n%s", errs, b.String())
	}
	if ch := Changes(a, got); len(ch) != 0 {
		t.Errorf("the en-ZA round trip changed %v", ch)
	}
	if got.Years[1].FeePerTransaction.String() != "0.1234" {
		t.Errorf("fee %s, want 0.1234", got.Years[1].FeePerTransaction)
	}
}

func groupSpaces(whole string) string {
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString("\u00a0")
		}
		b.WriteRune(r)
	}
	return b.String()
}
