package views

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"mari/catalogue"
)

// One set of formatters serves every page, table, chart, axis and tooltip, here and in
// static/charts.js (the same rules, proven equal by e2e's formatter test), in the South
// African style: a no-break space groups thousands, a point marks decimals.
//
//	money, exact:       "R 7 926.90"          (tables, tooltips, a tile's hover)
//	money, compact:     "R 24.5 M", "R 950 k" (tiles, axes, labels; the exact amount on hover)
//	count:              "1 000"
//	percentage:         "97.63%"
//	duration:           "2 227 ms", compact "2.2 s"
//
// CSV and XLSX downloads print plain numbers, never these.

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

// RandShort is the compact amount for tiles and axes: "R 12.3 M", "R 950 k", "R 87.50",
// "R 200" (a whole amount under a thousand has no cents). Shown with the exact amount (Rand)
// on hover wherever it abbreviates.
func RandShort(d decimal.Decimal) string {
	sign := ""
	if d.IsNegative() {
		sign, d = "-", d.Neg()
	}
	units := []struct {
		div    int64
		suffix string
	}{{1_000, "k"}, {1_000_000, "M"}, {1_000_000_000, "B"}}
	for i := len(units) - 1; i >= 0; i-- {
		u := units[i]
		if d.LessThan(decimal.NewFromInt(u.div)) {
			continue
		}
		q := d.Div(decimal.NewFromInt(u.div)).Round(1)
		if q.GreaterThanOrEqual(decimal.NewFromInt(1000)) && i+1 < len(units) {
			// 999 960 is "R 1 M", not "R 1000 k"
			u = units[i+1]
			q = d.Div(decimal.NewFromInt(u.div)).Round(1)
		}
		text := q.String()
		if q.GreaterThanOrEqual(decimal.NewFromInt(1000)) { // beyond the largest unit: whole, grouped
			text = groupDigits(q.Round(0).String())
		}
		return sign + "R" + nbsp + text + nbsp + u.suffix
	}
	if c := d.Round(2); c.Equal(c.Truncate(0)) {
		return sign + "R" + nbsp + c.Truncate(0).String()
	}
	return sign + "R" + nbsp + d.StringFixed(2)
}

// Millis is a duration in whole milliseconds: "2 227 ms".
func Millis(ms decimal.Decimal) string {
	return Count(ms.Round(0).IntPart()) + nbsp + "ms"
}

// MillisShort is a duration for a tile or an axis: "950 ms" under a second, else seconds
// with one decimal, "2.2 s".
func MillisShort(ms decimal.Decimal) string {
	if ms.Abs().LessThan(decimal.NewFromInt(1000)) {
		return Millis(ms)
	}
	sign := ""
	if ms.IsNegative() {
		sign, ms = "-", ms.Neg()
	}
	s := ms.Div(decimal.NewFromInt(1000)).StringFixed(1)
	whole, frac, _ := strings.Cut(s, ".")
	return sign + groupDigits(whole) + "." + frac + nbsp + "s"
}

// Count is an integer with grouped thousands: "1 234 567".
func Count[T ~int | ~int64 | ~uint64](n T) string {
	if n < 0 {
		return "-" + groupDigits(strconv.FormatInt(-int64(n), 10))
	}
	return groupDigits(strconv.FormatUint(uint64(n), 10))
}

// Percent shows a fraction as a percentage with the given decimals: 0.97123 → "97.12%",
// -392.393 → "-39 239.30%".
func Percent(d decimal.Decimal, decimals int32) string {
	s := d.Mul(decimal.NewFromInt(100)).StringFixed(decimals)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac {
		frac = "." + frac
	}
	return sign + groupDigits(whole) + frac + "%"
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
		return Millis(v.V)
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

// auditMoney and auditCount find the figures that audit entries' details record plainly
// ("figures frozen: volume 21169279.05, revenue 6096.91, transactions 3, total users 2"): the
// log stores them as written, the page shows them as every other page does.
var (
	auditMoney = regexp.MustCompile(`\b(volume|revenue|amount|fees?|licen[cs]e fee|costs?) (-?\d+\.\d{2})\b`)
	auditCount = regexp.MustCompile(`\b(transactions|users|payments|events|signups|sign-ups) (\d{4,})\b`)
)

// AuditDetail is an audit entry's detail for the page: its money as "R 21 169 279.05" and its
// large counts grouped ("transactions 12 345"). Everything else is shown as recorded.
func AuditDetail(detail string) string {
	detail = auditMoney.ReplaceAllStringFunc(detail, func(m string) string {
		sub := auditMoney.FindStringSubmatch(m)
		d, err := decimal.NewFromString(sub[2])
		if err != nil {
			return m
		}
		return sub[1] + " " + Rand(d)
	})
	return auditCount.ReplaceAllStringFunc(detail, func(m string) string {
		sub := auditCount.FindStringSubmatch(m)
		n, err := strconv.ParseInt(sub[2], 10, 64)
		if err != nil {
			return m
		}
		return sub[1] + " " + Count(n)
	})
}
