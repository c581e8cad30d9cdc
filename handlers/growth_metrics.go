package handlers

import (
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
	"mari/queries"
)

// The growth metrics' rules of knowability (metrics/glossary_growth.go), in one place: the
// rollup stores what happened, these decide which users may be counted today.

// activationWindowDays: a user's 168-hour window ends, at the latest, on signup day + 7.
const activationWindowDays = 7

// retentionDays are the N of the D1, D7 and D30 retention figures.
var retentionDays = [3]int{1, 7, 30}

// activationKnown: every activation window of signup day d has closed once day d + 7 has
// fully passed.
func activationKnown(d, today calendar.Date) bool {
	return d.AddDays(activationWindowDays).Before(today)
}

// lastKnownActivationDay is the latest signup day whose activation is known today.
func lastKnownActivationDay(today calendar.Date) calendar.Date {
	return today.AddDays(-activationWindowDays - 1)
}

// retentionEligible: users of signup day d count for Dn retention once day d + n has passed.
func retentionEligible(d calendar.Date, n int, today calendar.Date) bool {
	return d.AddDays(n).Before(today)
}

// cohortStats are the counts of a group of signup days, split into what is known today.
type cohortStats struct {
	Signups int64
	// Activation over the days whose windows have all closed.
	Known, Activated int64
	// Users still in their window, and how many of them have activated already.
	Open, OpenActivated int64
	// Dn retention: users whose day n has passed, and of them those active that day.
	Eligible, Active [3]int64
}

func (s *cohortStats) add(g queries.GrowthDay, today calendar.Date) {
	s.Signups += g.Signups
	if activationKnown(g.Day, today) {
		s.Known += g.Signups
		s.Activated += g.Activated
	} else {
		s.Open += g.Signups
		s.OpenActivated += g.Activated
	}
	for i, n := range retentionDays {
		if retentionEligible(g.Day, n, today) {
			s.Eligible[i] += g.Signups
			s.Active[i] += [3]int64{g.D1, g.D7, g.D30}[i]
		}
	}
}

// activationRate is activated ÷ known; ok is false when no window has closed.
func (s cohortStats) activationRate() (decimal.Decimal, bool) {
	return metrics.RatioInt(s.Activated, s.Known)
}

// retention is the Dn retention of retentionDays[i]; ok is false when no one is eligible.
func (s cohortStats) retention(i int) (decimal.Decimal, bool) {
	return metrics.RatioInt(s.Active[i], s.Eligible[i])
}

// statsOf sums the rows (all of them: filter before calling).
func statsOf(rows []queries.GrowthDay, today calendar.Date) cohortStats {
	var s cohortStats
	for _, g := range rows {
		s.add(g, today)
	}
	return s
}

// bucket is one period of the "by" choice, clipped to the range.
type bucket struct {
	Start, End calendar.Date // inside the range
	Partial    bool          // the whole period is not inside the range
}

// periodStart is the first day of the period of d.
func periodStart(d calendar.Date, by string) calendar.Date {
	switch by {
	case byWeek:
		return d.WeekStart()
	case byMonth:
		return d.MonthStart()
	}
	return d
}

func periodEnd(start calendar.Date, by string) calendar.Date {
	switch by {
	case byWeek:
		return start.AddDays(6)
	case byMonth:
		return start.MonthEnd()
	}
	return start
}

// buckets covers r with consecutive periods, the first and last clipped to r.
func buckets(r calendar.Range, by string) []bucket {
	var out []bucket
	for s := periodStart(r.From, by); !s.After(r.To); s = periodEnd(s, by).AddDays(1) {
		b := bucket{Start: s, End: periodEnd(s, by)}
		if b.Start.Before(r.From) {
			b.Start, b.Partial = r.From, true
		}
		if b.End.After(r.To) {
			b.End, b.Partial = r.To, true
		}
		out = append(out, b)
	}
	return out
}

// bucketIndex maps each day of r to its bucket's index.
func bucketIndex(bs []bucket) func(calendar.Date) int {
	return func(d calendar.Date) int {
		// Binary search: buckets are sorted and contiguous.
		lo, hi := 0, len(bs)-1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if bs[mid].Start.After(d) {
				hi = mid - 1
			} else {
				lo = mid
			}
		}
		return lo
	}
}

func (b bucket) label(by string) string {
	switch by {
	case byWeek:
		return "week of " + b.Start.WeekStart().String()
	case byMonth:
		return b.Start.MonthLabel()
	}
	return b.Start.String()
}
