package selfmon

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/shopspring/decimal"

	"mari/metrics"
	"mari/percentile"
	"mari/queries"
)

// P95 is the 95th percentile of a window's server times, read from the summed histogram: the
// upper bound of the bucket that holds the value at nearest rank ⌈0.95 × n⌉. The true p95 is
// at most that bound (and more than the bound below it).
type P95 struct {
	Requests int64
	BoundMS  int64 // the bucket's upper bound; 0 when Over
	Over     bool  // in the bucket beyond the last bound: slower than BoundsMS' last
	OK       bool  // false without requests: the p95 of nothing is undefined
}

// P95Of reads the p95 from a histogram's bucket counts (in the order of BoundsMS).
func P95Of(buckets []int64) P95 {
	counts := make([]percentile.Count, 0, len(buckets))
	var n int64
	for i, c := range buckets {
		bound := int64(math.MaxInt64) // beyond the last bound
		if i < len(BoundsMS) {
			bound = BoundsMS[i]
		}
		if c > 0 {
			counts = append(counts, percentile.Count{Value: bound, N: uint64(c)})
			n += c
		}
	}
	v, ok := percentile.NearestRank(counts, 95)
	if !ok {
		return P95{}
	}
	if v == math.MaxInt64 {
		return P95{Requests: n, Over: true, OK: true}
	}
	return P95{Requests: n, BoundMS: v, OK: true}
}

// Within reports whether the p95 is at most target; known is false without requests.
func (p P95) Within(target time.Duration) (within, known bool) {
	if !p.OK {
		return false, false
	}
	return !p.Over && time.Duration(p.BoundMS)*time.Millisecond <= target, true
}

// String is the p95 as the page shows it: "≤ 250 ms", "≤ 2 s", "> 30 s" or "n/a".
func (p P95) String() string {
	switch {
	case !p.OK:
		return "n/a"
	case p.Over:
		return "> " + formatMS(BoundsMS[len(BoundsMS)-1])
	}
	return "≤ " + formatMS(p.BoundMS)
}

func formatMS(ms int64) string {
	if ms >= 1000 && ms%1000 == 0 {
		return fmt.Sprintf("%d s", ms/1000)
	}
	return fmt.Sprintf("%d ms", ms)
}

// ServerTime is a window's server time: the p95 of each route class and of pages and API
// together (the design's "query p95"), from every instance's rows.
type ServerTime struct {
	From, To    time.Time
	ByClass     map[Class]P95
	PagesAndAPI P95
	First       time.Time // the first minute measured in the window; zero when none
	Instances   int64
}

// ReadServerTime reads the server time of the window that ends at now.
func ReadServerTime(ctx context.Context, q queries.Querier, now time.Time, window time.Duration) (ServerTime, error) {
	st := ServerTime{From: now.Add(-window), To: now, ByClass: map[Class]P95{}}
	rb, err := queries.SelfmonRequestBuckets(ctx, q, st.From, st.To, Buckets)
	if err != nil {
		return st, err
	}
	st.First, st.Instances = rb.First, rb.Instances
	both := make([]int64, Buckets)
	for _, c := range Classes {
		b := rb.Buckets[string(c)]
		st.ByClass[c] = P95Of(b)
		if c == ClassPage || c == ClassAPI {
			for i := range b {
				both[i] += b[i]
			}
		}
	}
	st.PagesAndAPI = P95Of(both)
	return st, nil
}

// Uptime is the share of a window's minutes in which at least one instance was up and ready:
// minutes with a heartbeat ÷ minutes since the first heartbeat (the window's start when
// heartbeats began before it). The current minute is not counted: it is not over, and its
// heartbeat may be yet to come.
type Uptime struct {
	From, To  time.Time // the minutes counted: [From, To)
	Minutes   int64     // minutes counted
	Up        int64     // of which with a heartbeat
	Instances int64
	Ratio     decimal.Decimal
	OK        bool // false when no minute can be counted (no heartbeat yet)
}

// UptimeOf computes the uptime of [windowFrom, to) from its heartbeats; to is a minute's start.
func UptimeOf(h queries.Heartbeats, windowFrom, to time.Time) Uptime {
	u := Uptime{From: windowFrom, To: to, Up: h.Minutes, Instances: h.Instances}
	if h.FirstEver.IsZero() || !h.FirstEver.Before(to) {
		return u
	}
	if h.FirstEver.After(u.From) {
		u.From = h.FirstEver
	}
	u.Minutes = int64(to.Sub(u.From) / time.Minute)
	u.Ratio, u.OK = metrics.RatioInt(u.Up, u.Minutes)
	return u
}

// ReadUptime reads the uptime of the window that ends with the minute before now's.
func ReadUptime(ctx context.Context, q queries.Querier, now time.Time, window time.Duration) (Uptime, error) {
	to := now.Truncate(time.Minute)
	from := to.Add(-window)
	h, err := queries.SelfmonHeartbeats(ctx, q, from, to)
	if err != nil {
		return Uptime{From: from, To: to}, err
	}
	return UptimeOf(h, from, to), nil
}
