// Package selfmon is the app measuring itself, for the data-quality page: how long the server
// took over each request (pages, the JSON API, ingestion), and whether each instance was up and
// ready, minute by minute.
//
// Each instance counts its requests in memory, in a histogram per minute and route class with
// fixed bucket bounds, and writes each minute to PostgreSQL once it is over, beside a heartbeat
// row for every minute in which it was ready. The page adds up every instance's rows: the query
// p95 is read from the summed buckets (so it is a bucket's upper bound: the p95 is at most
// that), and uptime is the share of minutes in which at least one instance sent a heartbeat.
//
// Counting a request takes a mutex for a few map operations and never waits for a database: the
// writer takes the finished minutes out under the same mutex and writes them without it. While
// PostgreSQL is unreachable the finished minutes stay in memory (up to KeepMinutes of them) and
// are written when it returns; what is lost is what no database could have seen: the minutes
// beyond that, or those of an instance that crashed before writing them (at most its current
// and previous minute).
package selfmon

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"mari/queries"
)

// Class is a route class: what kind of request a server time belongs to.
type Class string

const (
	ClassPage   Class = "page"   // a page, its data refresh or CSV, for people in a browser
	ClassAPI    Class = "api"    // the JSON API (/api/v1), for notebooks and other programs
	ClassIngest Class = "ingest" // events posted to /ingest/v1
)

// Classes in the order the page lists them.
var Classes = []Class{ClassPage, ClassAPI, ClassIngest}

// BoundsMS are the upper bounds, in milliseconds, of the server-time histogram's buckets; a
// last bucket counts everything slower than the last bound. 2 000 is a bound, so "p95 under
// 2 s" is decided exactly from the buckets. The migration that makes the table says the same.
var BoundsMS = [...]int64{5, 10, 25, 50, 100, 250, 500, 1000, 2000, 5000, 10000, 30000}

// Buckets is how many buckets a histogram has: one per bound, and one beyond the last.
const Buckets = len(BoundsMS) + 1

// bucketOf is the bucket of a server time: the first whose bound it does not exceed.
func bucketOf(took time.Duration) int {
	for i, b := range BoundsMS {
		if took <= time.Duration(b)*time.Millisecond {
			return i
		}
	}
	return len(BoundsMS)
}

// ClassOf is the route class of a request path; ok is false for requests that are not
// measured: static files and the health and readiness probes, fast answers by the thousand
// that would hide a slow page behind them.
func ClassOf(path string) (Class, bool) {
	switch {
	case strings.HasPrefix(path, "/static/"), path == "/healthz", path == "/readyz":
		return "", false
	case strings.HasPrefix(path, "/api/"): // "/api" alone is the reference page, for people
		return ClassAPI, true
	case strings.HasPrefix(path, "/ingest/"):
		return ClassIngest, true
	}
	return ClassPage, true
}

type minuteKey struct {
	minute int64 // Unix seconds of the minute's start
	class  Class
}

type histogram struct {
	requests int64
	buckets  [Buckets]int64
}

// KeepMinutes is how many finished minutes (of every class) an instance keeps in memory while
// it cannot write them; older ones are dropped, and counted in Dropped.
const KeepMinutes = 60

// Recorder counts this instance's requests per minute and route class. Safe for concurrent
// use; the zero value is not: use NewRecorder.
type Recorder struct {
	now func() time.Time

	mu      sync.Mutex
	minutes map[minuteKey]*histogram
	dropped int64 // requests of minutes dropped unwritten
}

// NewRecorder returns a recorder whose minutes follow now (nil: the wall clock).
func NewRecorder(now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{now: now, minutes: map[minuteKey]*histogram{}}
}

// Observe counts one request of class that took took, in the current minute: the minute it
// ended, so a minute that has been written never gets another request.
func (r *Recorder) Observe(class Class, took time.Duration) {
	b := bucketOf(took)
	k := minuteKey{minute: r.now().Truncate(time.Minute).Unix(), class: class}
	r.mu.Lock()
	h := r.minutes[k]
	if h == nil {
		h = &histogram{}
		r.minutes[k] = h
	}
	h.requests++
	h.buckets[b]++
	r.mu.Unlock()
}

// Dropped is how many requests were counted in minutes that were dropped unwritten.
func (r *Recorder) Dropped() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// take removes and returns the minutes that started before before, oldest first.
func (r *Recorder) take(before time.Time) []queries.RequestMinute {
	r.mu.Lock()
	var out []queries.RequestMinute
	for k, h := range r.minutes {
		if k.minute < before.Unix() {
			out = append(out, queries.RequestMinute{Minute: time.Unix(k.minute, 0).UTC(), Class: string(k.class),
				Requests: h.requests, Buckets: slices.Clone(h.buckets[:])})
			delete(r.minutes, k)
		}
	}
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b queries.RequestMinute) int {
		if c := a.Minute.Compare(b.Minute); c != 0 {
			return c
		}
		return strings.Compare(a.Class, b.Class)
	})
	return out
}

// putBack returns minutes that could not be written, keeping the newest KeepMinutes minutes
// (of every class) and dropping the rest.
func (r *Recorder) putBack(ms []queries.RequestMinute) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range ms {
		k := minuteKey{minute: m.Minute.Unix(), class: Class(m.Class)}
		h := r.minutes[k]
		if h == nil {
			h = &histogram{}
			r.minutes[k] = h
		}
		h.requests += m.Requests
		for i := range h.buckets {
			if i < len(m.Buckets) {
				h.buckets[i] += m.Buckets[i]
			}
		}
	}
	var starts []int64
	seen := map[int64]bool{}
	for k := range r.minutes {
		if !seen[k.minute] {
			seen[k.minute] = true
			starts = append(starts, k.minute)
		}
	}
	if len(starts) <= KeepMinutes {
		return
	}
	slices.Sort(starts)
	cut := starts[len(starts)-KeepMinutes] // the oldest minute kept
	for k, h := range r.minutes {
		if k.minute < cut {
			r.dropped += h.requests
			delete(r.minutes, k)
		}
	}
}

// Measure is the echo middleware that times every request it classifies (ClassOf) into r,
// whatever its answer. Registered with Pre, ahead of the machine routes (the JSON API and
// ingestion are served there, before routing) and of every page middleware, so the time is
// the server's whole time: sessions, input checks, the handler and its rendering. A nil r
// measures nothing.
func Measure(r *Recorder) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if r == nil {
			return next
		}
		return func(c echo.Context) error {
			class, ok := ClassOf(c.Request().URL.Path)
			if !ok {
				return next(c)
			}
			start := time.Now()
			defer func() { r.Observe(class, time.Since(start)) }()
			return next(c)
		}
	}
}
