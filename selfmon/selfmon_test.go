package selfmon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"mari/dbconn"
	"mari/dbtest"
	"mari/queries"
)

// clock is a settable clock for the recorder and the monitor.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var quiet = slog.New(slog.DiscardHandler)

func newMonitor(rec *Recorder, db queries.DB, c *clock, ready func(context.Context) error) *Monitor {
	return &Monitor{Recorder: rec, PG: db, Ready: ready, Instance: "test-a", Now: c.now, Log: quiet, Timeout: 5 * time.Second}
}

func TestBucketsAndClasses(t *testing.T) {
	for took, want := range map[time.Duration]int{
		0: 0, 5 * time.Millisecond: 0, 5*time.Millisecond + 1: 1, 250 * time.Millisecond: 5,
		2 * time.Second: 8, 2*time.Second + time.Microsecond: 9, 30 * time.Second: 11, time.Minute: 12,
	} {
		if got := bucketOf(took); got != want {
			t.Errorf("bucketOf(%s) = %d; want %d", took, got, want)
		}
	}
	for path, want := range map[string]string{
		"/": "page", "/ops/data": "page", "/api": "page", "/api/v1/metrics": "api", "/api/v2": "api",
		"/ingest/v1/transaction-events": "ingest", "/static/app.css": "", "/healthz": "", "/readyz": "",
	} {
		c, ok := ClassOf(path)
		if got := string(c); got != want || ok != (want != "") {
			t.Errorf("ClassOf(%s) = %q, %t; want %q", path, got, ok, want)
		}
	}
}

// 200 requests at once through the middleware, all in flight together: the minute written
// counts exactly 200, in the buckets they took; static files and probes are not counted.
func TestRecorderCounts200ConcurrentRequests(t *testing.T) {
	db := dbtest.New(t)
	c := &clock{t: dbtest.SAST("2026-03-15 10:30:20")}
	rec := NewRecorder(c.now)
	e := echo.New()
	e.Pre(Measure(rec))
	const n = 200
	var arrived sync.WaitGroup
	arrived.Add(n)
	release := make(chan struct{})
	e.GET("/slow", func(c echo.Context) error {
		arrived.Done()
		<-release // every request waits here until all 200 are in flight
		return c.String(http.StatusOK, "ok")
	})
	e.GET("/static/app.css", func(c echo.Context) error { return c.String(http.StatusOK, "css") })
	srv := httptest.NewServer(e)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n}}

	var failed atomic.Int64
	var done sync.WaitGroup
	for range n {
		done.Go(func() {
			res, err := client.Get(srv.URL + "/slow")
			if err != nil || res.StatusCode != http.StatusOK {
				failed.Add(1)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
		})
	}
	arrived.Wait()
	close(release)
	done.Wait()
	for range 5 {
		if res, err := client.Get(srv.URL + "/static/app.css"); err == nil {
			_ = res.Body.Close()
		}
	}
	if failed.Load() != 0 {
		t.Fatalf("%d requests failed", failed.Load())
	}

	c.set(dbtest.SAST("2026-03-15 10:31:05")) // the next minute: 10:30 is over
	m := newMonitor(rec, db.PG, c, nil)
	if err := m.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	var requests, summed int64
	var minute time.Time
	var class string
	if err := db.PG.QueryRow(context.Background(), `SELECT minute, class, requests, (SELECT sum(x) FROM unnest(buckets) x)
		FROM selfmon_request_minutes`).Scan(&minute, &class, &requests, &summed); err != nil {
		t.Fatal(err)
	}
	if requests != n || summed != n || class != "page" || !minute.Equal(dbtest.SAST("2026-03-15 10:30:00")) {
		t.Errorf("written: minute %s class %s requests %d buckets summing to %d; want 10:30 page 200 200", minute, class, requests, summed)
	}
	if rows := db.Int(t, `SELECT count(*) FROM selfmon_request_minutes`); rows != 1 {
		t.Errorf("%d rows; want the one minute of pages (static files are not measured)", rows)
	}
	// A second round writes nothing twice.
	if err := m.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := db.Int(t, `SELECT sum(requests) FROM selfmon_request_minutes`); got != n {
		t.Errorf("after a second round: %d requests; want %d", got, n)
	}
}

// The p95 is read from every instance's summed buckets, as the upper bound of the bucket that
// holds rank ⌈0.95 × n⌉.
func TestP95FromBuckets(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	now := dbtest.SAST("2026-03-15 10:30:20")
	// Pages, 10:00 on instance a: 60 requests ≤ 50 ms, 30 ≤ 250 ms. 10:01 on instance b: 6
	// ≤ 1 s, 3 ≤ 2 s, 1 ≤ 5 s. 100 requests: rank 95 is in the ≤ 1 s bucket (60, 90, 96).
	// API, 10:05 on a: 18 ≤ 100 ms and 2 slower than 30 s: 20 requests, rank 19 is beyond
	// the last bound. Ingestion, 2026-03-14 09:00 (over 24 hours ago): 10 ≤ 10 ms.
	for _, r := range []struct {
		at, class, instance string
		buckets             [Buckets]int64
	}{
		{"2026-03-15 10:00:00", "page", "a", [Buckets]int64{3: 60, 5: 30}},
		{"2026-03-15 10:01:00", "page", "b", [Buckets]int64{7: 6, 8: 3, 9: 1}},
		{"2026-03-15 10:05:00", "api", "a", [Buckets]int64{4: 18, 12: 2}},
		{"2026-03-14 09:00:00", "ingest", "a", [Buckets]int64{1: 10}},
	} {
		var sum int64
		for _, b := range r.buckets {
			sum += b
		}
		if err := queries.SelfmonWriteMinutes(ctx, db.PG, r.instance, []queries.RequestMinute{{
			Minute: dbtest.SAST(r.at), Class: r.class, Requests: sum, Buckets: r.buckets[:]}}); err != nil {
			t.Fatal(err)
		}
	}
	day, err := ReadServerTime(ctx, db.PG, now, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for class, want := range map[Class]string{ClassPage: "≤ 1 s, 100", ClassAPI: "> 30 s, 20", ClassIngest: "n/a, 0"} {
		if got := fmt.Sprintf("%s, %d", day.ByClass[class], day.ByClass[class].Requests); got != want {
			t.Errorf("24 h %s: %s; want %s", class, got, want)
		}
	}
	// Pages and API together: 120 requests, rank ⌈0.95 × 120⌉ = 114. Counted up in bound
	// order (50 ms 60, 100 ms 78, 250 ms 108, 1 s 114, 2 s 117, 5 s 118, beyond 120), the 114th
	// is in the ≤ 1 s bucket.
	if got := fmt.Sprintf("%s, %d", day.PagesAndAPI, day.PagesAndAPI.Requests); got != "≤ 1 s, 120" {
		t.Errorf("24 h pages and API: %s", got)
	}
	if within, known := day.PagesAndAPI.Within(2 * time.Second); !within || !known {
		t.Errorf("≤ 1 s is within 2 s")
	}
	if within, known := day.ByClass[ClassAPI].Within(2 * time.Second); within || !known {
		t.Errorf("> 30 s is not within 2 s")
	}
	if day.Instances != 2 || !day.First.Equal(dbtest.SAST("2026-03-15 10:00:00")) {
		t.Errorf("coverage: %d instances from %s", day.Instances, day.First)
	}
	week, err := ReadServerTime(ctx, db.PG, now, 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%s, %d", week.ByClass[ClassIngest], week.ByClass[ClassIngest].Requests); got != "≤ 10 ms, 10" {
		t.Errorf("7 days ingestion: %s", got)
	}
	// The bound 2 s itself: 95 requests at ≤ 2 s and 5 above make the p95 at most 2 s, which
	// meets the target exactly; one more above moves it out.
	if p := P95Of([]int64{8: 95, 9: 5}); p.String() != "≤ 2 s" {
		t.Errorf("P95Of 95 × 2 s, 5 × 5 s = %s", p)
	} else if within, _ := p.Within(2 * time.Second); !within {
		t.Errorf("≤ 2 s meets a target of 2 s")
	}
	if p := P95Of([]int64{8: 94, 9: 6}); p.String() != "≤ 5 s" {
		t.Errorf("P95Of 94 × 2 s, 6 × 5 s = %s", p)
	}
}

// Uptime: minutes with a heartbeat ÷ minutes since the first heartbeat. An hour with the
// instance not ready for 3 minutes is 57 ÷ 60 = 95 %; a second instance ready through the gap
// makes it 100 %.
func TestUptimeWithAGapOf3MinutesIn60(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	start := dbtest.SAST("2026-03-15 09:00:10")
	c := &clock{t: start}
	rec := NewRecorder(c.now)
	down := false
	m := newMonitor(rec, db.PG, c, func(context.Context) error {
		if down {
			return fmt.Errorf("ClickHouse: connection refused")
		}
		return nil
	})
	for i := range 60 { // 09:00 to 09:59; not ready 09:20, 09:21 and 09:22
		c.set(start.Add(time.Duration(i) * time.Minute))
		down = i >= 20 && i < 23
		if err := m.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := db.Int(t, `SELECT count(*) FROM selfmon_heartbeats`); n != 57 {
		t.Fatalf("%d heartbeats; want 57", n)
	}
	now := dbtest.SAST("2026-03-15 10:00:30") // 10:00 has not ended: not counted
	for _, w := range []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour} {
		u, err := ReadUptime(ctx, db.PG, now, w)
		if err != nil {
			t.Fatal(err)
		}
		if !u.OK || u.Up != 57 || u.Minutes != 60 || u.Ratio.String() != "0.95" || !u.From.Equal(dbtest.SAST("2026-03-15 09:00:00")) {
			t.Errorf("uptime over %s: %+v; want 57 of 60 minutes from 09:00, 0.95", w, u)
		}
	}
	// A window that starts after the first heartbeat counts from its own start: the last 30
	// minutes (09:30–09:59) were all up.
	if u, _ := ReadUptime(ctx, db.PG, now, 30*time.Minute); u.Up != 30 || u.Minutes != 30 || !u.Ratio.Equal(u.Ratio.Round(0)) || u.Ratio.IntPart() != 1 {
		t.Errorf("the last 30 minutes: %+v", u)
	}
	// Another instance, ready through the gap: every minute had an instance up.
	for _, at := range []string{"09:20:30", "09:21:30", "09:22:30"} {
		if err := queries.SelfmonHeartbeat(ctx, db.PG, dbtest.SAST("2026-03-15 "+at).Truncate(time.Minute), "test-b"); err != nil {
			t.Fatal(err)
		}
	}
	if u, _ := ReadUptime(ctx, db.PG, now, 24*time.Hour); u.Up != 60 || u.Minutes != 60 || u.Instances != 2 || u.Ratio.IntPart() != 1 {
		t.Errorf("with the second instance: %+v; want 60 of 60 from 2 instances", u)
	}
	// Before any heartbeat there is nothing to measure.
	empty := dbtest.New(t)
	if u, _ := ReadUptime(ctx, empty.PG, now, 24*time.Hour); u.OK {
		t.Errorf("uptime without heartbeats: %+v; want n/a", u)
	}
}

// While PostgreSQL cannot be reached, requests are counted without waiting for it, the
// finished minutes stay in memory, and they are all written when it returns.
func TestMinutesWaitForPostgresAndRequestsNeverDo(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	u, err := url.Parse(db.PGURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := dbtest.NewTCPProxy(t, u.Host)
	u.Host = proxy.Addr()
	pg, err := dbconn.PostgresWith(ctx, u.String(), dbconn.Settings{StatementTimeout: 30 * time.Second, IdleInTransactionTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Close)
	t.Cleanup(func() { proxy.Set(dbtest.LinkDown) })

	c := &clock{t: dbtest.SAST("2026-03-15 10:00:10")}
	rec := NewRecorder(c.now)
	m := newMonitor(rec, pg, c, nil)
	m.Timeout = 2 * time.Second
	for i := range 3 { // 10:00, 10:01, 10:02: 10 requests each
		c.set(dbtest.SAST("2026-03-15 10:00:10").Add(time.Duration(i) * time.Minute))
		for range 10 {
			rec.Observe(ClassPage, 40*time.Millisecond)
		}
	}

	proxy.Set(dbtest.LinkStall) // PostgreSQL hangs: connections open and never answer
	c.set(dbtest.SAST("2026-03-15 10:03:05"))
	ticked := make(chan error, 1)
	go func() { ticked <- m.Tick(ctx) }()
	// Requests keep being counted while the round waits on the stalled database.
	observed := make(chan struct{})
	go func() {
		for range 1000 {
			rec.Observe(ClassAPI, time.Millisecond)
		}
		close(observed)
	}()
	select {
	case <-observed:
	case err := <-ticked:
		t.Fatalf("the round ended (%v) before 1 000 requests could be counted: they waited for it", err)
	}
	if err := <-ticked; err == nil {
		t.Fatal("a round against a stalled database succeeded")
	}
	if n := db.Int(t, `SELECT count(*) FROM selfmon_request_minutes`); n != 0 {
		t.Fatalf("%d rows written while the database was unreachable", n)
	}

	proxy.Set(dbtest.LinkUp)
	c.set(dbtest.SAST("2026-03-15 10:04:05"))
	if err := m.Tick(ctx); err != nil {
		t.Fatalf("after the database returned: %v", err)
	}
	var got string
	if err := db.PG.QueryRow(ctx, `SELECT string_agg(to_char(minute AT TIME ZONE 'Africa/Johannesburg', 'HH24:MI') || ' ' || class || ' ' || requests, ', ' ORDER BY minute, class)
		FROM selfmon_request_minutes`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "10:00 page 10, 10:01 page 10, 10:02 page 10, 10:03 api 1000"; got != want {
		t.Errorf("written after the outage: %s; want %s", got, want)
	}
	if rec.Dropped() != 0 {
		t.Errorf("%d requests dropped", rec.Dropped())
	}
}

// Beyond KeepMinutes unwritten minutes, the oldest are dropped and counted.
func TestUnwrittenMinutesAreBounded(t *testing.T) {
	c := &clock{t: dbtest.SAST("2026-03-15 08:00:00")}
	rec := NewRecorder(c.now)
	for i := range KeepMinutes + 5 {
		c.set(dbtest.SAST("2026-03-15 08:00:00").Add(time.Duration(i) * time.Minute))
		rec.Observe(ClassPage, time.Millisecond)
		rec.Observe(ClassPage, time.Millisecond)
	}
	ms := rec.take(dbtest.SAST("2026-03-15 12:00:00"))
	if len(ms) != KeepMinutes+5 {
		t.Fatalf("took %d minutes", len(ms))
	}
	rec.putBack(ms) // as after a failed write
	kept := rec.take(dbtest.SAST("2026-03-15 12:00:00"))
	if len(kept) != KeepMinutes || !kept[0].Minute.Equal(dbtest.SAST("2026-03-15 08:05:00")) || rec.Dropped() != 10 {
		t.Errorf("kept %d minutes from %s, dropped %d requests; want %d from 08:05, 10 dropped", len(kept), kept[0].Minute, rec.Dropped(), KeepMinutes)
	}
}
