package finmodel

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Plain is a driver's value as people and CSV files read it, without thousands separators:
// whole numbers as integers, rand amounts with at least two decimals ("0.10", "600000.00"),
// other values as they are ("20", "20.5").
func (dr Driver) Plain(v decimal.Decimal) string {
	if dr.Whole {
		return v.Round(0).String()
	}
	s := v.String() // shortest form: no trailing zeros
	if strings.HasPrefix(dr.Unit, "R") {
		decimals := 0
		if i := strings.IndexByte(s, '.'); i >= 0 {
			decimals = len(s) - i - 1
		}
		if decimals < 2 {
			return v.StringFixed(2)
		}
	}
	return s
}

// Format is Plain with the integer part grouped in threes by spaces ("1 750 000",
// "600 000.00"), the way the editor shows values; ParseValue reads it back.
func (dr Driver) Format(v decimal.Decimal) string {
	s := dr.Plain(v)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return sign + b.String()
}

// Change is one assumption that differs between two plans. Year is 1-based; a year present
// in only one plan is reported with Key "" and Before "removed" (the year was dropped) or ""
// (the year was added).
type Change struct {
	Year          int
	Key           string
	Before, After string // as Format shows them; "" when the year is missing on that side
}

func (c Change) String() string {
	if c.Key == "" {
		if c.Before == "" {
			return fmt.Sprintf("Year %d added", c.Year)
		}
		return fmt.Sprintf("Year %d removed", c.Year)
	}
	dr, _ := DriverByKey(c.Key)
	return fmt.Sprintf("Year %d %s %s → %s", c.Year, strings.ToLower(dr.Label), c.Before, c.After)
}

// Changes lists every assumption that differs from before to after, year by year in the
// editor's driver order. Values are compared numerically, so 0.1 and 0.10 are the same.
func Changes(before, after Assumptions) []Change {
	var out []Change
	n := max(len(before.Years), len(after.Years))
	for i := range n {
		switch {
		case i >= len(before.Years):
			out = append(out, Change{Year: i + 1})
			continue
		case i >= len(after.Years):
			out = append(out, Change{Year: i + 1, Before: "removed"})
			continue
		}
		for _, dr := range Drivers {
			b, a := dr.Get(before.Years[i]), dr.Get(after.Years[i])
			if !b.Equal(a) {
				out = append(out, Change{Year: i + 1, Key: dr.Key, Before: dr.Format(b), After: dr.Format(a)})
			}
		}
	}
	return out
}

// Summary joins changes for a version history line: "Year 3 active users 1 750 000 →
// 2 000 000; Year 4 marketing …". At most limit changes are listed; the rest are counted.
func Summary(changes []Change, limit int) string {
	if len(changes) == 0 {
		return "no changes to the assumptions"
	}
	var parts []string
	for i, c := range changes {
		if i == limit {
			parts = append(parts, fmt.Sprintf("and %d more", len(changes)-limit))
			break
		}
		parts = append(parts, c.String())
	}
	return strings.Join(parts, "; ")
}
