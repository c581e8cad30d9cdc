package metrics

import (
	"testing"

	"github.com/shopspring/decimal"

	"mari/calendar"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestRatioZeroDenominatorIsNA(t *testing.T) {
	if _, ok := Ratio(dec("5"), decimal.Zero); ok {
		t.Fatal("5/0 must be n/a")
	}
	v, ok := Ratio(dec("2"), dec("3"))
	if !ok || v.String() != "0.666666666667" {
		t.Fatalf("2/3 = %s, %v; want 0.666666666667", v, ok)
	}
}

func TestGrowth(t *testing.T) {
	// 6 users now, 5 before: +20 %.
	if g, ok := Growth(dec("6"), dec("5")); !ok || !g.Equal(dec("0.2")) {
		t.Fatalf("growth 5→6 = %s, %v; want 0.2", g, ok)
	}
	// Nothing before: n/a, never +∞ or a division by zero.
	if _, ok := Growth(dec("6"), decimal.Zero); ok {
		t.Fatal("growth from 0 must be n/a")
	}
	if g, ok := Growth(dec("3"), dec("4")); !ok || !g.Equal(dec("-0.25")) {
		t.Fatalf("growth 4→3 = %s; want -0.25", g)
	}
}

func TestTargetEvaluate(t *testing.T) {
	atLeast := Target{Metric: "uptime", Comparison: AtLeast, Value: dec("0.999")}
	atMost := Target{Metric: "fraud_rate", Comparison: AtMost, Value: dec("0.001")}
	cases := []struct {
		t    Target
		v    string
		ok   bool
		want Status
	}{
		{atLeast, "0.999", true, Met}, // equal meets
		{atLeast, "0.9989", true, Missed},
		{atLeast, "1", true, Met},
		{atLeast, "0", false, NoData},
		{atMost, "0.001", true, Met},
		{atMost, "0.0011", true, Missed},
		{atMost, "0", true, Met},
		{atMost, "0", false, NoData},
	}
	for _, c := range cases {
		if got := c.t.Evaluate(dec(c.v), c.ok); got != c.want {
			t.Errorf("%s %s %s (ok=%v): %s, want %s", c.t.Metric, c.t.Comparison, c.v, c.ok, got, c.want)
		}
	}
}

func TestGrossMarginCACAndLTV(t *testing.T) {
	// Revenue R1 000, cost of revenue R200: margin 80 %.
	gm, ok := GrossMargin(dec("1000"), dec("200"))
	if !ok || !gm.Equal(dec("0.8")) {
		t.Fatalf("gross margin = %s; want 0.8", gm)
	}
	if _, ok := GrossMargin(decimal.Zero, dec("10")); ok {
		t.Fatal("gross margin without revenue must be n/a")
	}
	// R500 marketing, 25 new users: R20 each.
	if cac, ok := CAC(dec("500"), 25); !ok || !cac.Equal(dec("20")) {
		t.Fatalf("CAC = %s; want 20", cac)
	}
	if _, ok := CAC(dec("500"), 0); ok {
		t.Fatal("CAC without new users must be n/a")
	}
	// R300 transaction revenue less R60 cost of revenue over 100 user-months: R2.40 profit per
	// user per month. 80 of 100 previous-month users retained: churn 20 %, lifetime 5 months.
	// LTV = 2.40 × 5 = R12.
	r := LTV(LTVInputs{TransactionRevenue: dec("300"), CostOfRevenue: dec("60"), ActiveUserMonths: 100, Retained: 80, PreviousMAU: 100})
	if !r.OK || !r.LTV.Equal(dec("12")) || !r.Churn.Equal(dec("0.2")) || !r.Lifetime.Equal(dec("5")) {
		t.Fatalf("LTV = %+v; want LTV 12, churn 0.2, lifetime 5", r)
	}
	// Everyone retained: churn 0, lifetime capped at 60 months: 2.40 × 60 = 144.
	r = LTV(LTVInputs{TransactionRevenue: dec("300"), CostOfRevenue: dec("60"), ActiveUserMonths: 100, Retained: 100, PreviousMAU: 100})
	if !r.OK || !r.LTV.Equal(dec("144")) {
		t.Fatalf("LTV with no churn = %s; want 144 (60-month cap)", r.LTV)
	}
	// Carrying transactions costs more than Mari keeps of their fees: LTV is negative, not n/a.
	r = LTV(LTVInputs{TransactionRevenue: dec("100"), CostOfRevenue: dec("400"), ActiveUserMonths: 100, Retained: 80, PreviousMAU: 100})
	if !r.OK || !r.LTV.Equal(dec("-15")) {
		t.Fatalf("LTV at a loss = %s; want -15 (−R3 a user-month × 5 months)", r.LTV)
	}
	// Churn 1 % would mean 100 months: capped at 60.
	if l := LifetimeMonths(dec("0.01")); !l.Equal(dec("60")) {
		t.Fatalf("lifetime at 1%% churn = %s; want 60", l)
	}
	// No previous-month users: churn and LTV are n/a.
	if r := LTV(LTVInputs{TransactionRevenue: dec("300"), ActiveUserMonths: 100}); r.OK || r.ChurnOK {
		t.Fatalf("LTV without a previous month must be n/a: %+v", r)
	}
}

func volumes(launch calendar.Date, complete []string, current string) []MonthVolume {
	var out []MonthVolume
	for i, v := range complete {
		out = append(out, MonthVolume{N: i + 1, Month: launch.AddMonths(i), Volume: dec(v), Complete: true})
	}
	if current != "" {
		n := len(out)
		out = append(out, MonthVolume{N: n + 1, Month: launch.AddMonths(n), Volume: dec(current)})
	}
	return out
}

var seedMilestones = []Milestone{{12, dec("10000000")}, {18, dec("100000000")}, {24, dec("1000000000")}}

func TestNorthStarProjection(t *testing.T) {
	launch := calendar.NewDate(2026, 1, 1)
	// Eight complete months; the trend uses the last six: 1 000 doubling each month
	// (M3..M8 = 4 000 .. 128 000), so (128000/4000)^(1/5) = 32^(1/5) = 2: growth +100 %.
	// The current month (M9, partial) is ignored.
	months := volumes(launch, []string{"500", "1300", "4000", "8000", "16000", "32000", "64000", "128000"}, "1")
	tr := ProjectNorthStar(launch, months, seedMilestones)
	if !tr.OK {
		t.Fatal("trend should be computable")
	}
	if len(tr.Months) != 6 || tr.Months[0].N != 3 || tr.Months[5].N != 8 {
		t.Fatalf("trend months = %+v; want M3..M8", tr.Months)
	}
	if !tr.Growth.Round(9).Equal(dec("1")) {
		t.Fatalf("growth = %s; want 1 (100 %% a month)", tr.Growth)
	}
	// Projection from M8 (128 000) to M24: M9 = 256 000, M24 = 128 000 × 2^16 = 8 388 608 000.
	if first := tr.Projection[0]; first.N != 9 || !first.Volume.Equal(dec("256000")) {
		t.Fatalf("first projected month = %+v; want M9 256000", first)
	}
	last := tr.Projection[len(tr.Projection)-1]
	if last.N != 24 || !last.Volume.Equal(dec("8388608000")) || !last.Month.Equal(calendar.NewDate(2027, 12, 1)) {
		t.Fatalf("last projected month = %+v; want M24 (Dec 2027) 8388608000", last)
	}
	// R10M: 128 000 × 2^k ≥ 10 000 000 ⇔ 2^k ≥ 78.125 ⇒ k = 7 ⇒ M15 (3 months late).
	// R100M: 2^k ≥ 781.25 ⇒ k = 10 ⇒ M18 (on track, exactly).
	// R1B: 2^k ≥ 7 812.5 ⇒ k = 13 ⇒ M21 (on track).
	want := []struct {
		n       int
		onTrack bool
	}{{15, false}, {18, true}, {21, true}}
	for i, e := range tr.ETAs {
		if e.ReachedN != want[i].n || e.OnTrack != want[i].onTrack || e.NotAtThisTrend || e.ReachedActual {
			t.Errorf("milestone M%d: %+v; want reached at M%d, on track %v", e.N, e, want[i].n, want[i].onTrack)
		}
	}
	if m := tr.ETAs[0].ReachedMonth; !m.Equal(calendar.NewDate(2027, 3, 1)) {
		t.Errorf("R10M projected month = %s; want 2027-03-01 (M15)", m)
	}
}

func TestNorthStarNonIntegerGrowth(t *testing.T) {
	launch := calendar.NewDate(2025, 12, 1)
	// 100 → 1500 over three months: (15)^(1/2) − 1 = 2.872983346207...
	tr := ProjectNorthStar(launch, volumes(launch, []string{"100", "500", "1500"}, "2010"), seedMilestones)
	if !tr.OK || tr.Growth.StringFixed(9) != "2.872983346" {
		t.Fatalf("growth = %s; want 2.872983346", tr.Growth)
	}
	// M4 = 1500 × √15 = 5809.475019... → 5809.48
	if p := tr.Projection[0]; p.N != 4 || p.Volume.String() != "5809.48" {
		t.Fatalf("M4 projection = %+v; want 5809.48", p)
	}
	// √15^k ≥ 10M/1500 = 6 666.7: 15^3 = 3 375 < it ≤ √15^7 ≈ 13 071 → k = 7 → M10.
	// ≥ 66 666.7: 15^4 = 50 625 < it ≤ √15^9 → M12. ≥ 666 666.7: 15^5 = 759 375 → k = 10 → M13.
	for i, n := range []int{10, 12, 13} {
		if tr.ETAs[i].ReachedN != n {
			t.Errorf("milestone %d reached at M%d; want M%d", i, tr.ETAs[i].ReachedN, n)
		}
	}
}

func TestNorthStarNotAtThisTrend(t *testing.T) {
	launch := calendar.NewDate(2026, 1, 1)
	// Falling volume: growth < 0, no milestone is ever reached.
	tr := ProjectNorthStar(launch, volumes(launch, []string{"9000", "6000", "4000"}, ""), seedMilestones)
	if !tr.OK || !tr.Growth.IsNegative() {
		t.Fatalf("growth = %s; want negative", tr.Growth)
	}
	for _, e := range tr.ETAs {
		if !e.NotAtThisTrend || e.ReachedN != 0 || e.OnTrack {
			t.Errorf("milestone M%d: %+v; want not at this trend", e.N, e)
		}
	}
	// Flat volume: growth 0 is not growth either.
	tr = ProjectNorthStar(launch, volumes(launch, []string{"5000", "5000"}, ""), seedMilestones)
	if !tr.OK || !tr.Growth.IsZero() || !tr.ETAs[0].NotAtThisTrend {
		t.Fatalf("flat trend: %+v", tr)
	}
	// One complete month, or a first month of zero: no trend at all.
	if tr := ProjectNorthStar(launch, volumes(launch, []string{"5000"}, "10"), seedMilestones); tr.OK || len(tr.Projection) != 0 || !tr.ETAs[0].NotAtThisTrend {
		t.Fatalf("one month: %+v", tr)
	}
	if tr := ProjectNorthStar(launch, volumes(launch, []string{"0", "5000"}, ""), seedMilestones); tr.OK {
		t.Fatalf("zero first month: %+v", tr)
	}
}

func TestNorthStarMilestoneAlreadyReached(t *testing.T) {
	launch := calendar.NewDate(2026, 1, 1)
	tr := ProjectNorthStar(launch, volumes(launch, []string{"6000000", "12000000"}, ""), seedMilestones)
	e := tr.ETAs[0]
	if !e.ReachedActual || e.ReachedN != 2 || !e.OnTrack {
		t.Fatalf("R10M reached in M2: %+v", e)
	}
	// Growth 100 %: R100M: 12M × 2^k ≥ 100M ⇒ k = 4 ⇒ M6.
	if tr.ETAs[1].ReachedN != 6 {
		t.Fatalf("R100M: %+v; want M6", tr.ETAs[1])
	}
}
