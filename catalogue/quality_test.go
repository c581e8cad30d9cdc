package catalogue

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"mari/dbtest"
	"mari/metrics"
)

// Accuracy, worked by hand: Σ min ÷ Σ max per measure over the complete days, the lower of the
// two, today left out.
func TestAccuracyHandWorked(t *testing.T) {
	day := func(d string, pgN, chN int64, pgV, chV string, partial bool) DayComparison {
		return DayComparison{Day: dbtest.Date(d), Partial: partial,
			PG: StoreDay{Initiated: pgN, CompletedVolume: decimal.RequireFromString(pgV)},
			CH: StoreDay{Initiated: chN, CompletedVolume: decimal.RequireFromString(chV)}}
	}
	// 12 complete days of 100 payments and R1 000.00 that agree, one where ClickHouse lacks a
	// payment of R10.00, and today, partial, where it lacks 50.
	var days []DayComparison
	for i := 1; i <= 12; i++ {
		days = append(days, day(fmt.Sprintf("2026-03-%02d", i), 100, 100, "1000.00", "1000.00", false))
	}
	days = append(days, day("2026-03-13", 100, 99, "1000.00", "990.00", false), day("2026-03-14", 60, 10, "10.00", "0", true))
	r := Accuracy(days)
	// Payments 1 299 ÷ 1 300; volume 12 990 ÷ 13 000; the lower is the payments'.
	want(t, "payments", r.Payments, "0.999230769231")
	want(t, "volume", r.Volume, "0.999230769231")
	want(t, "accuracy", r.Value, "0.999230769231")
	if r.DaysCompared != 13 || r.DaysAgreeing != 12 {
		t.Errorf("%d of %d days agree; want 12 of 13", r.DaysAgreeing, r.DaysCompared)
	}
	if got := AccuracyTarget.Evaluate(r.Value.V, r.Value.OK); got != metrics.Met {
		t.Errorf("99.92%% against ≥ 99.9%%: %s", got)
	}

	// A day one store lacks counts wholly against it; an extra day elsewhere cannot make up for
	// it: PostgreSQL 10 on the 1st and 0 on the 2nd, ClickHouse 0 and 10: 0 ÷ 20.
	r = Accuracy([]DayComparison{day("2026-03-01", 10, 0, "0", "0", false), day("2026-03-02", 0, 10, "0", "0", false)})
	want(t, "shifted day", r.Value, "0")
	want(t, "no volume", r.Volume, "n/a")

	// Nothing in either store: n/a, which meets no target.
	r = Accuracy([]DayComparison{day("2026-03-01", 0, 0, "0", "0", false)})
	want(t, "empty", r.Value, "n/a")
	if got := AccuracyTarget.Evaluate(r.Value.V, r.Value.OK); got != metrics.NoData {
		t.Errorf("n/a against the target: %s", got)
	}
}
