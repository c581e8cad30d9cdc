package catalogue

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"mari/calendar"
)

// Grain is the period a series is broken down by: SAST calendar days, ISO weeks (Monday to
// Sunday) or calendar months.
type Grain string

const (
	Day   Grain = "day"
	Week  Grain = "week"
	Month Grain = "month"
)

// ParseGrain reads a grain's name.
func ParseGrain(s string) (Grain, error) {
	switch g := Grain(s); g {
	case Day, Week, Month:
		return g, nil
	}
	return "", InputError{fmt.Sprintf("Unknown grain %q: choose day, week or month.", s)}
}

// Filters restrict a metric to one bank (its code), one channel (online, offline_sms) or one
// signup source; "" means all.
type Filters struct {
	Bank, Channel, Source string
}

func (f Filters) set() []Filter {
	var out []Filter
	if f.Bank != "" {
		out = append(out, FilterBank)
	}
	if f.Channel != "" {
		out = append(out, FilterChannel)
	}
	if f.Source != "" {
		out = append(out, FilterSource)
	}
	return out
}

// Query asks for a metric over Range (inclusive SAST days) by Grain, restricted by Filters,
// at the instant Now: a period that has not ended by then is not complete.
type Query struct {
	Range   calendar.Range
	Grain   Grain
	Filters Filters
	Now     time.Time
}

// Today is the SAST day of the query's instant.
func (q Query) Today() calendar.Date { return calendar.Today(q.Now) }

// Value is a metric's value, or n/a (OK false): a division by zero, no data, a period that
// cannot be measured. n/a is never shown as a number.
type Value struct {
	V  decimal.Decimal
	OK bool
}

// Of is a known value.
func Of(v decimal.Decimal) Value { return Value{V: v, OK: true} }

// OfInt is a known count.
func OfInt(n int64) Value { return Value{V: decimal.NewFromInt(n), OK: true} }

// NA is the value that cannot be computed.
var NA = Value{}

// Point is a metric over one period of a series.
type Point struct {
	Period calendar.Range // the period, cut to the query's range
	// Complete: the whole period lies inside the range and had ended by the query's day.
	Complete bool
	Value    Value
}

// Series is a metric over a query: a point per period and the total over the range.
type Series struct {
	Metric *Metric
	Query  Query
	Points []Point
	Total  Value // NA, with Metric.TotalNote saying why, when the metric has no range total
}

// Periods cuts r into the periods of g: each day, each ISO week or each calendar month the
// range touches, the first and last cut to the range. complete says whether each whole
// period lies inside r and had ended before today.
func Periods(r calendar.Range, g Grain, today calendar.Date) []Point {
	var out []Point
	for start := r.From; !start.After(r.To); {
		var whole calendar.Range
		switch g {
		case Week:
			whole = calendar.Range{From: start.WeekStart(), To: start.WeekStart().AddDays(6)}
		case Month:
			whole = calendar.Range{From: start.MonthStart(), To: start.MonthEnd()}
		default:
			whole = calendar.Range{From: start, To: start}
		}
		p := whole
		if p.From.Before(r.From) {
			p.From = r.From
		}
		if p.To.After(r.To) {
			p.To = r.To
		}
		out = append(out, Point{Period: p, Complete: p == whole && whole.To.Before(today)})
		start = p.To.AddDays(1)
	}
	return out
}

// PeriodLabel names a period of a grain for axes, tables and CSVs: "2026-11-03",
// "week of 2026-11-02", "Nov 2026", with the days when the period is cut ("Nov 2026 (1–16)",
// "Nov 2026 (1 Nov only)").
func PeriodLabel(p calendar.Range, g Grain) string {
	switch g {
	case Week:
		if p.From.Equal(p.From.WeekStart()) && p.Days() == 7 {
			return "week of " + p.From.String()
		}
		return p.From.String() + " – " + p.To.String()
	case Month:
		label := p.From.MonthLabel()
		switch {
		case p.From.Equal(p.To):
			label += fmt.Sprintf(" (%d %s only)", p.From.Day(), p.From.Month().String()[:3])
		case !p.From.Equal(p.From.MonthStart()) || !p.To.Equal(p.To.MonthEnd()):
			label += fmt.Sprintf(" (%d–%d)", p.From.Day(), p.To.Day())
		}
		return label
	}
	return p.From.String()
}
