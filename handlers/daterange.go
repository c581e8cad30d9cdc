package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"mari/calendar"
	"mari/queries"
)

// preset is one quick choice of range, relative to today (SAST).
type preset struct {
	Key, Label string
	from       func(today, launch calendar.Date) calendar.Date
}

// defaultPreset is the range of a bare GET /.
const defaultPreset = "last6m"

var presets = []preset{
	{"mtd", "Month to date", func(t, _ calendar.Date) calendar.Date { return t.MonthStart() }},
	{"last30", "Last 30 days", func(t, _ calendar.Date) calendar.Date { return t.AddDays(-29) }},
	{"last90", "Last 90 days", func(t, _ calendar.Date) calendar.Date { return t.AddDays(-89) }},
	// Six (twelve) complete calendar months and this month to date: the name says so, and the
	// comparison period is the same months and days directly before.
	{"last6m", "6 full months + this month", func(t, _ calendar.Date) calendar.Date { return t.MonthStart().AddMonths(-6) }},
	{"ytd", "Year to date", func(t, _ calendar.Date) calendar.Date { return calendar.NewDate(t.Year(), 1, 1) }},
	{"last12m", "12 full months + this month", func(t, _ calendar.Date) calendar.Date { return t.MonthStart().AddMonths(-12) }},
	{"all", "All time", func(t, launch calendar.Date) calendar.Date {
		if launch.IsZero() || launch.After(t) {
			return t.MonthStart()
		}
		return launch.MonthStart()
	}},
}

func findPreset(key string) (preset, bool) {
	for _, p := range presets {
		if p.Key == key {
			return p, true
		}
	}
	return preset{}, false
}

var (
	earliestDate = calendar.EarliestDate
	maxRangeDays = 3653 // ten years, leap days included
)

// badInput is a message for the user about their own input (a 400, never a 500).
type badInput struct{ msg string }

func (b badInput) Error() string { return b.msg }

func badf(format string, args ...any) error { return badInput{fmt.Sprintf(format, args...)} }

// rangeChoice is the parsed range and how it was chosen.
type rangeChoice struct {
	Range    calendar.Range
	Preset   string // "" for a custom range
	From, To string // as typed, to refill the form after an error
	relative bool   // chosen by preset (no dates typed): links keep the preset, not its dates
}

// relativePreset is the preset of a relative choice, "" for typed dates.
func relativePreset(rc rangeChoice) string {
	if rc.relative {
		return rc.Preset
	}
	return ""
}

// choiceQuery is the range as the links of a page carry it on: a relative choice stays
// relative (preset=last6m still means the last six months tomorrow, or after a sort), and
// typed dates stay fixed.
func choiceQuery(rc rangeChoice) string {
	if rc.relative && rc.Preset != "" {
		return url.Values{"preset": {rc.Preset}}.Encode()
	}
	return rangeQuery(rc.Range)
}

// parseRange reads from, to and preset. Explicit dates win over a preset; no parameters at
// all mean the default preset. launch is only called for the "all" preset.
func parseRange(q url.Values, today calendar.Date, launch func() calendar.Date) (rangeChoice, error) {
	rc := rangeChoice{From: q.Get("from"), To: q.Get("to"), Preset: q.Get("preset")}
	if rc.Preset != "" {
		if _, ok := findPreset(rc.Preset); !ok {
			return rc, badf("Unknown range preset %q. Choose one of the quick ranges or enter dates.", rc.Preset)
		}
	}
	if rc.From == "" && rc.To == "" {
		key := rc.Preset
		if key == "" {
			key = defaultPreset
		}
		p, _ := findPreset(key)
		var l calendar.Date
		if key == "all" {
			l = launch()
		}
		rc.Preset = key
		rc.relative = true
		rc.Range = calendar.Range{From: p.from(today, l), To: today}
		if rc.Range.Days() > maxRangeDays {
			rc.Range.From = today.AddDays(-(maxRangeDays - 1))
		}
		rc.From, rc.To = rc.Range.From.String(), rc.Range.To.String()
		return rc, nil
	}
	rc.Preset = ""
	if rc.From == "" || rc.To == "" {
		return rc, badf("Enter both a start date (from) and an end date (to), as YYYY-MM-DD.")
	}
	from, err := calendar.ParseDate(rc.From)
	if err != nil {
		return rc, dateProblem("start date", rc.From, today, today.MonthStart(), err)
	}
	to, err := calendar.ParseDate(rc.To)
	if err != nil {
		return rc, dateProblem("end date", rc.To, today, today, err)
	}
	switch {
	case to.Before(from):
		return rc, badf("The range is reversed: the end date %s is before the start date %s.", to, from)
	case to.After(today):
		return rc, badf("The end date %s is in the future (today is %s in SAST); choose %s or earlier.", to, today, today)
	}
	rc.Range = calendar.Range{From: from, To: to}
	if n := rc.Range.Days(); n > maxRangeDays {
		return rc, badf("The range is %d days long; choose at most 10 years.", n)
	}
	// A range that matches a preset lights that preset up. When the form posted that preset
	// back with its dates unchanged (a filter or sort changed, not the range), the choice
	// stays relative.
	for _, p := range presets {
		if p.Key != "all" && to.Equal(today) && from.Equal(p.from(today, calendar.Date{})) {
			rc.Preset = p.Key
			rc.relative = q.Get("preset") == p.Key
			break
		}
	}
	return rc, nil
}

// dateProblem is the message for a typed date that calendar.ParseDate refused: a well-formed
// date outside its window is too old or in the future, anything else shows the expected form.
func dateProblem(what, typed string, today, example calendar.Date, err error) error {
	switch {
	case !errors.Is(err, calendar.ErrOutsideWindow):
		return badf("The %s %q is not a date: use the form YYYY-MM-DD, such as %s.", what, typed, example)
	case typed < earliestDate.String(): // well-formed, so the text orders as the dates do
		return badf("The %s %s is before %s; Mari has no data that old.", what, typed, earliestDate)
	}
	return badf("The %s %s is in the future (today is %s in SAST); choose %s or earlier.", what, typed, today, today)
}

// launchMonth is plan month 1 and the start of the "all" range: the configured launch month,
// else the month of the first sign-up; ok is false when there are no users yet.
func launchMonth(ctx context.Context, configured calendar.Date, firstSignup func(context.Context) (time.Time, bool, error)) (calendar.Date, bool, error) {
	if !configured.IsZero() {
		return configured.MonthStart(), true, nil
	}
	first, ok, err := firstSignup(ctx)
	if err != nil || !ok {
		return calendar.Date{}, false, err
	}
	return calendar.DateOf(first).MonthStart(), true, nil
}

// launchForAll is parseRange's launch callback: the launch month within the panel timeout, or
// the zero date (the preset then starts this month) when the database cannot say.
func launchForAll(ctx context.Context, timeout time.Duration, log *slog.Logger, configured calendar.Date,
	firstSignup func(context.Context) (time.Time, bool, error)) func() calendar.Date {
	return func() calendar.Date {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		l, _, err := launchMonth(ctx, configured, firstSignup)
		if err != nil {
			log.Warn("launch month unavailable", "err", err)
		}
		return l
	}
}

// firstSignupIn reads the first sign-up from PostgreSQL.
func firstSignupIn(db queries.Querier) func(context.Context) (time.Time, bool, error) {
	return func(ctx context.Context) (time.Time, bool, error) { return queries.ExecFirstSignup(ctx, db) }
}
