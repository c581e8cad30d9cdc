package views

import "github.com/shopspring/decimal"

// A FormatCase is one value of the table every formatter is proven on, by views' tests and
// against static/charts.js by e2e's TestFormattersAgreeWithCharts: a formatter's name in
// charts.js, its input, and what the Go formatter makes of it.
type FormatCase struct {
	JS    string // the charts.js formatter's name (window.MariFormat)
	Input string // a decimal
	Go    string // the Go formatter's output
}

// FormatCases runs the Go formatters over the shared table of values.
func FormatCases() []FormatCase {
	var out []FormatCase
	add := func(js string, f func(decimal.Decimal) string, inputs ...string) {
		for _, in := range inputs {
			out = append(out, FormatCase{JS: js, Input: in, Go: f(decimal.RequireFromString(in))})
		}
	}
	add("rand", Rand, "0", "0.14", "87.5", "-1234.5", "7926.9", "21169279.05", "1000000000")
	add("randCompact", RandShort, "0", "200", "87.5", "950", "999.99", "1000", "7926.9", "950000", "999960",
		"24500000", "24449999", "-1234567", "1000000000", "2500000000000", "1e21")
	add("count", func(d decimal.Decimal) string { return Count(d.IntPart()) }, "0", "7", "1000", "4000", "1234567", "-5")
	add("percent", func(d decimal.Decimal) string { return Percent(d, 2) }, "0", "1", "0.976312", "0.05", "-0.0123", "-392.393", "-0.00001")
	add("ms", Millis, "0", "950", "2227", "1000000")
	add("msCompact", MillisShort, "950", "999.4", "1000", "2227", "12345", "65000")
	return out
}
