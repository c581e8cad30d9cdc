package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDateOfUsesSAST(t *testing.T) {
	// 22:30 UTC on 31 January is 00:30 SAST on 1 February.
	got := DateOf(time.Date(2026, 1, 31, 22, 30, 0, 0, time.UTC))
	if got.String() != "2026-02-01" {
		t.Fatalf("DateOf = %s, want 2026-02-01", got)
	}
	// 21:59:59 UTC is still 23:59:59 SAST the same day.
	got = DateOf(time.Date(2026, 1, 31, 21, 59, 59, 0, time.UTC))
	if got.String() != "2026-01-31" {
		t.Fatalf("DateOf = %s, want 2026-01-31", got)
	}
}

func TestDayBoundsAreSASTMidnights(t *testing.T) {
	d := NewDate(2026, 3, 1)
	if want := time.Date(2026, 2, 28, 22, 0, 0, 0, time.UTC); !d.Start().Equal(want) {
		t.Fatalf("Start = %s, want %s", d.Start().UTC(), want)
	}
	if want := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC); !d.End().Equal(want) {
		t.Fatalf("End = %s, want %s", d.End().UTC(), want)
	}
}

func TestAddMonthsClamps(t *testing.T) {
	cases := map[string]string{"2026-01-31": "2026-02-28", "2024-01-31": "2024-02-29", "2026-03-15": "2026-04-15"}
	for in, want := range cases {
		d, _ := ParseDate(in)
		if got := d.AddMonths(1).String(); got != want {
			t.Errorf("%s + 1 month = %s, want %s", in, got, want)
		}
	}
}

func TestPreviousPeriod(t *testing.T) {
	cases := []struct{ from, to, wantFrom, wantTo string }{
		{"2026-11-01", "2026-11-26", "2026-10-01", "2026-10-26"}, // month to date vs same days
		{"2026-03-01", "2026-03-31", "2026-02-01", "2026-02-28"}, // whole month vs whole month
		{"2026-07-01", "2026-09-30", "2026-04-01", "2026-06-30"}, // quarter vs quarter
		{"2026-11-10", "2026-11-19", "2026-10-31", "2026-11-09"}, // 10 days vs 10 days before
	}
	for _, c := range cases {
		f, _ := ParseDate(c.from)
		to, _ := ParseDate(c.to)
		p := Range{f, to}.PreviousPeriod()
		if p.From.String() != c.wantFrom || p.To.String() != c.wantTo {
			t.Errorf("PreviousPeriod(%s..%s) = %s, want %s to %s", c.from, c.to, p, c.wantFrom, c.wantTo)
		}
	}
}

func TestRangeMonthsAndWeeks(t *testing.T) {
	f, _ := ParseDate("2025-12-15")
	to, _ := ParseDate("2026-02-01")
	ms := Range{f, to}.Months()
	if len(ms) != 3 || ms[0].String() != "2025-12-01" || ms[2].String() != "2026-02-01" {
		t.Fatalf("Months = %v", ms)
	}
	thu, _ := ParseDate("2026-11-26")
	if got := thu.WeekStart().String(); got != "2026-11-23" {
		t.Fatalf("WeekStart = %s", got)
	}
	if got := NewDate(2026, 1, 1).MonthsUntil(NewDate(2027, 2, 28)); got != 13 {
		t.Fatalf("MonthsUntil = %d", got)
	}
}

// Typed dates are accepted from 2000-01-01 to 2100-12-31 only; outside, the error says which
// dates are accepted and is ErrOutsideWindow, so a page can tell "too old" from "not a date".
func TestParseRefusesDatesOutsideTheWindow(t *testing.T) {
	for _, s := range []string{"2000-01-01", "2026-02-28", "2100-12-31"} {
		if d, err := ParseDate(s); err != nil || d.String() != s {
			t.Errorf("ParseDate(%q) = %s, %v", s, d, err)
		}
	}
	for _, s := range []string{"0000-01-01", "1999-12-31", "2101-01-01", "9999-12-31"} {
		_, err := ParseDate(s)
		if !errors.Is(err, ErrOutsideWindow) || !strings.Contains(err.Error(), "enter a date from 2000-01-01 to 2100-12-31") {
			t.Errorf("ParseDate(%q): %v; want the window's message", s, err)
		}
	}
	for _, s := range []string{"2000-01", "2100-12"} {
		if d, err := ParseMonth(s); err != nil || d.MonthKey() != s {
			t.Errorf("ParseMonth(%q) = %s, %v", s, d, err)
		}
	}
	for _, s := range []string{"0000-01", "1999-12", "2101-01", "9999-12"} {
		if _, err := ParseMonth(s); !errors.Is(err, ErrOutsideWindow) {
			t.Errorf("ParseMonth(%q): %v; want ErrOutsideWindow", s, err)
		}
	}
	for _, s := range []string{"2026-02-30", "26-01-01", "", "2026-01-01\x00"} {
		if _, err := ParseDate(s); err == nil || errors.Is(err, ErrOutsideWindow) {
			t.Errorf("ParseDate(%q): %v; want a malformed-date error", s, err)
		}
	}
	// A long value is quoted shortened in the message.
	_, err := ParseDate(strings.Repeat("9", 10_000))
	if err == nil || len(err.Error()) > 100 {
		t.Errorf("the message quotes %d bytes", len(err.Error()))
	}
	// The bounds are SAST days: the first instant of 2000 and the last of 2100 are in.
	if CheckInWindow(time.Date(1999, 12, 31, 22, 0, 0, 0, time.UTC)) != nil || CheckInWindow(time.Date(2100, 12, 31, 21, 59, 59, 0, time.UTC)) != nil {
		t.Errorf("the window's first or last SAST instant is refused")
	}
	if CheckInWindow(time.Date(1999, 12, 31, 21, 59, 59, 0, time.UTC)) == nil || CheckInWindow(time.Date(2100, 12, 31, 22, 0, 0, 0, time.UTC)) == nil {
		t.Errorf("an instant just outside the window is accepted")
	}
}
