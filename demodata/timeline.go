package demodata

import (
	"sort"
	"time"

	"mari/calendar"
)

const (
	msPerSecond = int64(1000)
	msPerMinute = 60 * msPerSecond
	msPerHour   = 60 * msPerMinute
	msPerDay    = 24 * msPerHour
)

// Hourly shapes of activity in SAST, hour 0 = 00:00–01:00. Weekday payments peak at the
// morning commute, at lunch and in the early evening; weekends start later and peak midday.
// Neither shape is ever zero: people pay at midnight too.
var (
	weekdayTxHours = [24]float64{1.0, 0.45, 0.25, 0.2, 0.3, 0.9, 2.4, 4.6, 5.6, 5.4, 5.2, 5.6,
		7.0, 6.8, 5.3, 5.2, 5.8, 7.2, 7.6, 6.8, 5.6, 4.2, 2.9, 1.8}
	weekendTxHours = [24]float64{1.4, 0.8, 0.5, 0.3, 0.25, 0.4, 0.9, 1.8, 3.2, 4.8, 6.0, 6.8,
		7.2, 7.0, 6.4, 5.8, 5.6, 5.8, 6.0, 5.6, 4.8, 3.8, 2.8, 2.0}
	// Sign-ups lean to the evening, when people have time to install an app.
	signupHours = [24]float64{1.2, 0.6, 0.3, 0.2, 0.3, 0.8, 2.0, 3.6, 4.6, 4.8, 4.6, 4.8,
		5.6, 5.4, 4.6, 4.4, 4.8, 5.6, 6.4, 6.8, 6.4, 5.2, 3.6, 2.2}
)

// txWeight is the relative payment intensity of the SAST hour starting at t.
func txWeight(t time.Time) float64 {
	s := t.In(calendar.SAST)
	wd := s.Weekday()
	var w float64
	switch wd {
	case time.Saturday:
		w = 1.1 * weekendTxHours[s.Hour()]
	case time.Sunday:
		w = 0.8 * weekendTxHours[s.Hour()]
	case time.Friday:
		w = 1.15 * weekdayTxHours[s.Hour()]
	case time.Monday:
		w = 0.95 * weekdayTxHours[s.Hour()]
	default:
		w = weekdayTxHours[s.Hour()]
	}
	// Payday: most South Africans are paid on the 25th (or the last working day), so the
	// days from the 25th to the 1st carry more payments; mid-month pay gives a smaller bump.
	switch d := s.Day(); {
	case d >= 25 || d == 1:
		w *= 1.35
	case d == 15:
		w *= 1.1
	}
	return w
}

func signupWeight(t time.Time) float64 {
	s := t.In(calendar.SAST)
	w := signupHours[s.Hour()]
	if wd := s.Weekday(); wd == time.Saturday || wd == time.Sunday {
		w *= 1.1
	}
	return w
}

// profile is an hour-by-hour cumulative weight over [start, end), so that instants can be drawn
// from any sub-interval in O(log n) exactly in proportion to the weights.
type profile struct {
	start, end int64     // ms since the Unix epoch
	w          []float64 // weight of each hour slot
	cum        []float64 // cum[i] = sum of w[:i]; len(w)+1 entries
}

func newProfile(start, end int64, weight func(time.Time) float64) *profile {
	n := int((end - start + msPerHour - 1) / msPerHour)
	p := &profile{start: start, end: end, w: make([]float64, n), cum: make([]float64, n+1)}
	for i := range n {
		p.w[i] = weight(time.UnixMilli(start + int64(i)*msPerHour))
		p.cum[i+1] = p.cum[i] + p.w[i]
	}
	return p
}

// at is the cumulative weight up to instant t (clamped to the profile).
func (p *profile) at(t int64) float64 {
	if t <= p.start {
		return 0
	}
	if t >= p.end {
		t = p.end
	}
	off := t - p.start
	i := int(off / msPerHour)
	if i >= len(p.w) {
		return p.cum[len(p.w)]
	}
	return p.cum[i] + p.w[i]*float64(off%msPerHour)/float64(msPerHour)
}

// mass is the weight of [a, b).
func (p *profile) mass(a, b int64) float64 {
	if b <= a {
		return 0
	}
	return p.at(b) - p.at(a)
}

// draw picks an instant in [a, b) with density proportional to the weights; b > a.
func (p *profile) draw(g *rng, a, b int64) int64 {
	lo, hi := p.at(a), p.at(b)
	u := lo + g.float()*(hi-lo)
	i := sort.Search(len(p.w), func(i int) bool { return p.cum[i+1] > u }) // first slot ending after u
	if i >= len(p.w) {
		i = len(p.w) - 1
	}
	t := p.start + int64(i)*msPerHour
	if p.w[i] > 0 {
		t += int64((u - p.cum[i]) / p.w[i] * float64(msPerHour))
	}
	return min(max(t, a), b-1)
}

// month is one calendar month of the history (the last one may be cut short by End).
type month struct {
	first      calendar.Date
	start, end int64   // [start, end) in ms, end clipped to Options.End
	fullEnd    int64   // the calendar end of the month, even past End
	fraction   float64 // share of the calendar month (in payment weight) inside the history
	fullMass   float64 // payment weight of the whole calendar month
}

// months lists the calendar months from the launch month to the month holding End.
func buildMonths(launch calendar.Date, end int64, tx *profile) []month {
	var out []month
	for d := launch; d.Start().UnixMilli() < end; d = d.AddMonths(1) {
		m := month{first: d, start: d.Start().UnixMilli(), fullEnd: d.AddMonths(1).Start().UnixMilli()}
		m.end = min(m.fullEnd, end)
		full := 0.0
		for t := m.start; t < m.fullEnd; t += msPerHour {
			full += txWeight(time.UnixMilli(t))
		}
		m.fullMass = full
		m.fraction = tx.mass(m.start, m.end) / full
		out = append(out, m)
	}
	return out
}

func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func monthIndex(ms []month, t int64) int {
	return sort.Search(len(ms), func(i int) bool { return ms[i].end > t })
}
