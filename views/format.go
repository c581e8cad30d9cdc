package views

import (
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"mari/catalogue"
)

// One format for money everywhere: "R 1 234 567.89" when exact (tooltips, tables, CSV use the
// plain decimal) and "R12.3M" on tiles. Thousands are separated by a no-break space, the
// South African convention.

const nbsp = "\u00a0"

func groupDigits(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(nbsp)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Rand is the exact amount: "R 1 234 567.89".
func Rand(d decimal.Decimal) string {
	sign := ""
	if d.IsNegative() {
		sign, d = "-", d.Neg()
	}
	s := d.StringFixed(2)
	whole, frac, _ := strings.Cut(s, ".")
	return sign + "R" + nbsp + groupDigits(whole) + "." + frac
}

// RandShort is the compact amount for tiles: "R12.3M", "R950k", "R87.50".
func RandShort(d decimal.Decimal) string {
	sign := ""
	if d.IsNegative() {
		sign, d = "-", d.Neg()
	}
	units := []struct {
		div    int64
		suffix string
	}{{1_000_000_000, "B"}, {1_000_000, "M"}, {1_000, "k"}}
	for _, u := range units {
		if d.GreaterThanOrEqual(decimal.NewFromInt(u.div)) {
			return sign + "R" + d.Div(decimal.NewFromInt(u.div)).Round(1).String() + u.suffix
		}
	}
	return sign + "R" + d.StringFixed(2)
}

// Count is an integer with grouped thousands: "1 234 567".
func Count[T ~int | ~int64 | ~uint64](n T) string {
	if n < 0 {
		return "-" + groupDigits(strconv.FormatInt(-int64(n), 10))
	}
	return groupDigits(strconv.FormatUint(uint64(n), 10))
}

// Percent shows a fraction as a percentage with the given decimals: 0.97123 → "97.12%".
func Percent(d decimal.Decimal, decimals int32) string {
	return d.Mul(decimal.NewFromInt(100)).StringFixed(decimals) + "%"
}

// SignedPercent is for changes: "+12.3%" / "−4.0%".
func SignedPercent(d decimal.Decimal, decimals int32) string {
	s := Percent(d.Abs(), decimals)
	if d.IsNegative() && !d.Mul(decimal.NewFromInt(100)).Round(decimals).IsZero() {
		return "−" + s
	}
	return "+" + s
}

// Multiple is a ratio shown as "3.4×".
func Multiple(d decimal.Decimal) string { return d.StringFixed(1) + "×" }

// NA is what every metric shows when it cannot be computed (a zero denominator, no data).
const NA = "n/a"

// Value shows a catalogue metric's value in its unit: the one formatter of every tile, table
// and CSV-free view of a metric. n/a when the value cannot be computed.
func Value(unit catalogue.Unit, decimals int32, v catalogue.Value) string {
	if !v.OK {
		return NA
	}
	switch unit {
	case catalogue.Rand:
		return Rand(v.V)
	case catalogue.Count:
		return Count(v.V.Round(0).IntPart())
	case catalogue.Ratio:
		return Percent(v.V, decimals)
	case catalogue.Multiple:
		return Multiple(v.V)
	case catalogue.Milliseconds:
		return Count(v.V.Round(0).IntPart()) + " ms"
	case catalogue.Months:
		return v.V.StringFixed(1) + " months"
	}
	return v.V.StringFixed(decimals)
}

// ValueShort is Value with money compact ("R12.3M"), for a tile's headline.
func ValueShort(unit catalogue.Unit, decimals int32, v catalogue.Value) string {
	if unit == catalogue.Rand && v.OK {
		return RandShort(v.V)
	}
	return Value(unit, decimals, v)
}
