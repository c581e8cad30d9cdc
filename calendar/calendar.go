// Package calendar holds the one definition of days, weeks and months in Mari BI: calendar
// periods in Africa/Johannesburg (SAST, UTC+2, no daylight saving), never UTC.
package calendar

import (
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // the zone must resolve even on a machine without /usr/share/zoneinfo
	"unicode/utf8"
)

// SAST is South African Standard Time.
var SAST = mustLoad("Africa/Johannesburg")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Date is a calendar day in SAST, held as midnight SAST of that day.
type Date struct{ t time.Time }

// DateOf returns the SAST calendar day containing the instant t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(SAST).Date()
	return NewDate(y, m, d)
}

// NewDate builds a date; out-of-range parts normalise as time.Date does.
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, SAST)}
}

// Today is the SAST calendar day of now.
func Today(now time.Time) Date { return DateOf(now) }

// The window of dates Mari BI accepts from people: Mari has no data before 2000, and a date
// past 2100 is a typo. Bounding every typed date keeps spans between two of them far inside
// what a time.Duration holds (about 292 years) and inside what PostgreSQL and ClickHouse
// store, so a mistyped year is a message, never an overflow or a database error.
var (
	EarliestDate = NewDate(2000, 1, 1)
	LatestDate   = NewDate(2100, 12, 31)
)

// ErrOutsideWindow is wrapped by the errors of ParseDate, ParseMonth and CheckInWindow for a
// well-formed date outside EarliestDate..LatestDate.
var ErrOutsideWindow = errors.New("outside the dates Mari BI works with")

// ParseDate parses YYYY-MM-DD as a SAST calendar day from 2000-01-01 to 2100-12-31.
func ParseDate(s string) (Date, error) {
	t, err := time.ParseInLocation("2006-01-02", s, SAST)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", truncateForMessage(s))
	}
	if err := CheckInWindow(t); err != nil {
		return Date{}, err
	}
	return Date{t}, nil
}

// ParseMonth parses YYYY-MM as the first day of that month, from 2000-01 to 2100-12.
func ParseMonth(s string) (Date, error) {
	t, err := time.ParseInLocation("2006-01", s, SAST)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a month of the form YYYY-MM", truncateForMessage(s))
	}
	if err := CheckInWindow(t); err != nil {
		return Date{}, err
	}
	return Date{t}, nil
}

// CheckInWindow refuses an instant outside the SAST days EarliestDate..LatestDate, with a
// message that says which dates are accepted.
func CheckInWindow(t time.Time) error {
	if t.Before(EarliestDate.Start()) || !t.Before(LatestDate.End()) {
		return fmt.Errorf("%s is %w: enter a date from %s to %s", t.In(SAST).Format("2006-01-02"), ErrOutsideWindow, EarliestDate, LatestDate)
	}
	return nil
}

// truncateForMessage keeps an echoed value short: a message quotes what was typed, not
// a whole pasted page.
func truncateForMessage(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Start is the instant the day begins (00:00 SAST).
func (d Date) Start() time.Time { return d.t }

// End is the instant the day ends: the start of the next day (exclusive bound).
func (d Date) End() time.Time { return d.AddDays(1).t }

func (d Date) AddDays(n int) Date { return NewDate(d.t.Year(), d.t.Month(), d.t.Day()+n) }

// AddMonths moves by calendar months, clamping to the last day of the target month
// (31 January + 1 month = 28/29 February, not 2/3 March).
func (d Date) AddMonths(n int) Date {
	first := NewDate(d.t.Year(), d.t.Month()+time.Month(n), 1)
	last := first.MonthEnd()
	if d.t.Day() > last.Day() {
		return last
	}
	return NewDate(first.Year(), first.Month(), d.t.Day())
}

// MonthStart is the first day of the month containing d.
func (d Date) MonthStart() Date { return NewDate(d.t.Year(), d.t.Month(), 1) }

// MonthEnd is the last day of the month containing d.
func (d Date) MonthEnd() Date { return NewDate(d.t.Year(), d.t.Month()+1, 0) }

// WeekStart is the Monday of the ISO week containing d.
func (d Date) WeekStart() Date {
	offset := (int(d.t.Weekday()) + 6) % 7
	return d.AddDays(-offset)
}

func (d Date) Year() int             { return d.t.Year() }
func (d Date) Month() time.Month     { return d.t.Month() }
func (d Date) Day() int              { return d.t.Day() }
func (d Date) Weekday() time.Weekday { return d.t.Weekday() }
func (d Date) IsZero() bool          { return d.t.IsZero() }
func (d Date) Before(o Date) bool    { return d.t.Before(o.t) }
func (d Date) After(o Date) bool     { return d.t.After(o.t) }
func (d Date) Equal(o Date) bool     { return d.t.Equal(o.t) }
func (d Date) String() string        { return d.t.Format("2006-01-02") }

// MonthLabel is "Jan 2026".
func (d Date) MonthLabel() string { return d.t.Format("Jan 2006") }

// MonthKey is "2026-01".
func (d Date) MonthKey() string { return d.t.Format("2006-01") }

// DaysUntil counts calendar days from d to o (o - d).
func (d Date) DaysUntil(o Date) int {
	// Both are SAST midnights and SAST has no DST, so the division is exact.
	return int(o.t.Sub(d.t) / (24 * time.Hour))
}

// MonthsUntil counts calendar months from d's month to o's month.
func (d Date) MonthsUntil(o Date) int {
	return (o.t.Year()-d.t.Year())*12 + int(o.t.Month()) - int(d.t.Month())
}

// Time returns midnight SAST, for drivers that take a time.Time for a DATE column.
func (d Date) Time() time.Time { return d.t }

// DateFromDB converts a DATE column value (pgx and clickhouse-go return it as midnight UTC)
// into a calendar day without shifting it.
func DateFromDB(t time.Time) Date { return NewDate(t.Year(), t.Month(), t.Day()) }

// Range is an inclusive range of calendar days.
type Range struct{ From, To Date }

// Days is the number of days in the range, both ends included.
func (r Range) Days() int { return r.From.DaysUntil(r.To) + 1 }

// Contains reports whether d is within the range.
func (r Range) Contains(d Date) bool { return !d.Before(r.From) && !d.After(r.To) }

// Months lists the first day of every calendar month the range touches.
func (r Range) Months() []Date {
	var out []Date
	for m := r.From.MonthStart(); !m.After(r.To); m = m.AddMonths(1) {
		out = append(out, m)
	}
	return out
}

// PreviousPeriod is the period a range is compared with. A range that starts on the 1st of
// a month is compared with the same days shifted back by whole calendar months (1–26 Nov
// against 1–26 Oct, all of Q3 against all of Q2), so a partial month is never compared with a
// full one. Any other range is compared with the same number of days immediately before it.
func (r Range) PreviousPeriod() Range {
	if r.From.Day() == 1 {
		months := r.From.MonthsUntil(r.To) + 1
		from := r.From.AddMonths(-months)
		to := r.To.AddMonths(-months)
		if r.To.Equal(r.To.MonthEnd()) {
			to = to.MonthEnd() // all of February against all of January, not 1–28 January
		}
		return Range{From: from, To: to}
	}
	n := r.Days()
	return Range{From: r.From.AddDays(-n), To: r.From.AddDays(-1)}
}

func (r Range) String() string { return r.From.String() + " to " + r.To.String() }
