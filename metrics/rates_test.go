package metrics

import (
	"testing"

	"github.com/shopspring/decimal"
)

// 7 completed and 3 failed (2 for insufficient funds, 1 for a bank timeout): success 7/10,
// error rates 2/10 and 1/10, adding up to 1. No final transaction at all: n/a, not 0.
func TestSuccessRateAndFinalShare(t *testing.T) {
	for _, c := range []struct {
		name string
		got  func() (decimal.Decimal, bool)
		want string
	}{
		{"success 7 of 10", func() (decimal.Decimal, bool) { return SuccessRate(7, 3) }, "0.7"},
		{"insufficient funds 2 of 10", func() (decimal.Decimal, bool) { return FinalShare(2, 7, 3) }, "0.2"},
		{"bank timeout 1 of 10", func() (decimal.Decimal, bool) { return FinalShare(1, 7, 3) }, "0.1"},
		{"all failed", func() (decimal.Decimal, bool) { return SuccessRate(0, 4) }, "0"},
		{"2 of 3", func() (decimal.Decimal, bool) { return SuccessRate(2, 1) }, "0.666666666667"},
	} {
		v, ok := c.got()
		if !ok || !v.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("%s: %s (ok %v); want %s", c.name, v, ok, c.want)
		}
	}
	s, _ := SuccessRate(7, 3)
	a, _ := FinalShare(2, 7, 3)
	b, _ := FinalShare(1, 7, 3)
	if !s.Add(a).Add(b).Equal(decimal.NewFromInt(1)) {
		t.Errorf("success %s + error rates %s, %s do not add up to 1", s, a, b)
	}
	if v, ok := SuccessRate(0, 0); ok {
		t.Errorf("no final transaction: %s; want n/a", v)
	}
	if v, ok := FinalShare(0, 0, 0); ok {
		t.Errorf("no final transaction: error rate %s; want n/a", v)
	}
}
