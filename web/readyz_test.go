package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"mari/dbconn"
	"mari/dbtest"
)

// readyzServer is the app on a fresh database pair, reached through a proxy for each database.
// The PostgreSQL URL carries a password (trust authentication ignores it), so the test can
// check that /readyz never shows it.
func readyzServer(t *testing.T) (db *dbtest.DB, e *echo.Echo, pgProxy, chProxy *dbtest.TCPProxy, secrets []string) {
	t.Helper()
	db = dbtest.New(t)
	u, err := url.Parse(db.PGURL)
	if err != nil {
		t.Fatal(err)
	}
	pgProxy = dbtest.NewTCPProxy(t, u.Host)
	chProxy = dbtest.NewTCPProxy(t, db.CHOpts.Addr)
	u.Host = pgProxy.Addr()
	u.User = url.UserPassword(u.User.Username(), "readyz-s3cret-password")
	ctx := context.Background()
	pg, err := dbconn.PostgresWith(ctx, u.String(), dbconn.Settings{StatementTimeout: 30 * time.Second, IdleInTransactionTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Close)
	chOpts := db.CHOpts
	chOpts.Addr = chProxy.Addr()
	ch, err := dbconn.ClickHouse(chOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.Close() })
	// Runs before the pools close (cleanups run last first): a pool waits for connection
	// attempts stuck on a stalled link.
	t.Cleanup(func() { pgProxy.Set(dbtest.LinkDown); chProxy.Set(dbtest.LinkDown) })
	e = NewServer(Deps{Config: Config{PanelTimeout: 5 * time.Second}, PG: pg, CH: ch, Log: slog.New(slog.DiscardHandler)})
	secrets = []string{"readyz-s3cret-password", u.String(), pgProxy.Addr(), chProxy.Addr(), db.Name, "postgres://", "user="}
	return db, e, pgProxy, chProxy, secrets
}

type readyAnswer struct {
	status int
	report readyReport
	body   string
	took   time.Duration
}

func getReadyz(t *testing.T, h http.Handler) readyAnswer {
	t.Helper()
	start := time.Now()
	res, body := request(t, h, "GET", "/readyz")
	a := readyAnswer{status: res.StatusCode, body: strings.TrimSpace(body), took: time.Since(start)}
	if err := json.Unmarshal([]byte(body), &a.report); err != nil {
		t.Fatalf("/readyz body is not JSON: %v\n%s", err, body)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("/readyz Cache-Control %q; want no-store", cc)
	}
	if len(res.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("/readyz sets a cookie: %v", res.Header.Values("Set-Cookie"))
	}
	return a
}

// waitReadyz polls /readyz until it answers status (results are reused for a second, so a
// change shows within about that), and fails after 10 s.
func waitReadyz(t *testing.T, h http.Handler, status int) readyAnswer {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a := getReadyz(t, h)
		if a.status == status {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still answers %d %s; want %d", a.status, a.body, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// /readyz follows both databases through an outage and back, without a restart: 200 while
// both answer, 503 naming the one that does not (and never its address or password), 200
// again once it is back. /healthz stays 200 throughout: the process itself is fine.
func TestReadyzFollowsTheDatabases(t *testing.T) {
	_, e, pgProxy, chProxy, secrets := readyzServer(t)
	noSecrets := func(a readyAnswer) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(a.body, s) {
				t.Errorf("/readyz body reveals %q: %s", s, a.body)
			}
		}
	}

	if a := getReadyz(t, e); a.status != 200 || a.report != (readyReport{Ready: true, Postgres: "ok", ClickHouse: "ok"}) {
		t.Fatalf("both up: %d %s", a.status, a.body)
	}

	pgProxy.Set(dbtest.LinkDown)
	a := waitReadyz(t, e, 503)
	if !strings.HasPrefix(a.report.Postgres, "unavailable: ") || a.report.ClickHouse != "ok" || a.report.Ready {
		t.Errorf("PostgreSQL down: %s", a.body)
	}
	noSecrets(a)
	t.Logf("PostgreSQL down: %d %s", a.status, a.body)
	if res, body := request(t, e, "GET", "/healthz"); res.StatusCode != 200 || body != "ok" {
		t.Errorf("/healthz during the PostgreSQL outage: %d %q; want 200 ok", res.StatusCode, body)
	}
	pgProxy.Set(dbtest.LinkUp)
	if a := waitReadyz(t, e, 200); a.report != (readyReport{Ready: true, Postgres: "ok", ClickHouse: "ok"}) {
		t.Errorf("PostgreSQL back: %s", a.body)
	}

	chProxy.Set(dbtest.LinkDown)
	a = waitReadyz(t, e, 503)
	if a.report.Postgres != "ok" || !strings.HasPrefix(a.report.ClickHouse, "unavailable: ") {
		t.Errorf("ClickHouse down: %s", a.body)
	}
	noSecrets(a)
	t.Logf("ClickHouse down: %d %s", a.status, a.body)
	chProxy.Set(dbtest.LinkUp)
	waitReadyz(t, e, 200)

	// A server that accepts connections but never answers: the check gives up after its own
	// 2 s limit instead of hanging the prober.
	pgProxy.Set(dbtest.LinkStall)
	a = waitReadyz(t, e, 503)
	if a.report.Postgres != "unavailable: no answer within 2s" || a.took > 4*time.Second {
		t.Errorf("PostgreSQL not answering: %s after %s; want \"no answer within 2s\" after about 2 s", a.body, a.took)
	}
	noSecrets(a)
	t.Logf("PostgreSQL not answering: %d %s after %s", a.status, a.body, a.took.Round(10*time.Millisecond))
	pgProxy.Set(dbtest.LinkUp)
	waitReadyz(t, e, 200)
}

// Concurrent /readyz calls share one check, and a result is reused for a second: a burst of
// probes costs the databases one ping, not one each.
func TestReadyzSharesOneCheck(t *testing.T) {
	db := dbtest.New(t)
	quietLog := slog.New(slog.DiscardHandler)
	serve := func(r *readiness) *echo.Echo {
		e := echo.New()
		e.GET("/readyz", r.handle)
		return e
	}
	burst := func(h http.Handler, n int) []readyAnswer {
		out := make([]readyAnswer, n)
		var wg sync.WaitGroup
		for i := range out {
			wg.Add(1)
			go func() { defer wg.Done(); out[i] = getReadyz(t, h) }()
		}
		wg.Wait()
		return out
	}
	const callers = 40

	healthy := newReadiness(Deps{PG: db.PG, CH: db.CH, Log: quietLog})
	e := serve(healthy)
	for _, a := range burst(e, callers) {
		if a.status != 200 {
			t.Fatalf("healthy burst: %d %s", a.status, a.body)
		}
	}
	if n := healthy.checks.Load(); n != 1 {
		t.Errorf("%d concurrent calls ran %d checks; want 1", callers, n)
	}
	// Within the second that follows, calls reuse the result; after it, one call checks again.
	for range 10 {
		getReadyz(t, e)
	}
	if n := healthy.checks.Load(); n != 1 {
		t.Errorf("10 more calls within a second ran %d checks in all; want still 1", n)
	}
	time.Sleep(readinessCacheFor + 100*time.Millisecond)
	getReadyz(t, e)
	if n := healthy.checks.Load(); n != 2 {
		t.Errorf("a call after the second ran %d checks in all; want 2", n)
	}

	// A PostgreSQL that accepts connections and never answers. Every caller of a burst waits
	// for the same slow check: one connection attempt reaches the server, not one per caller.
	u, err := url.Parse(db.PGURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := dbtest.NewTCPProxy(t, u.Host)
	proxy.Set(dbtest.LinkStall)
	u.Host = proxy.Addr()
	pg, err := dbconn.PostgresWith(context.Background(), u.String(), dbconn.Settings{StatementTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	defer proxy.Set(dbtest.LinkDown) // before the pool closes: it waits for attempts stuck on the link
	stalled := newReadiness(Deps{PG: pg, CH: db.CH, Log: quietLog})
	start := time.Now()
	answers := burst(serve(stalled), callers)
	took := time.Since(start)
	for _, a := range answers {
		if a.status != 503 || a.report.Postgres != "unavailable: no answer within 2s" || a.report.ClickHouse != "ok" {
			t.Fatalf("stalled burst: %d %s", a.status, a.body)
		}
	}
	if n := stalled.checks.Load(); n != 1 {
		t.Errorf("%d concurrent calls during the stall ran %d checks; want 1", callers, n)
	}
	if n := proxy.Accepted.Load(); n != 1 {
		t.Errorf("%d concurrent calls during the stall opened %d connections to PostgreSQL; want 1", callers, n)
	}
	if took > 4*time.Second {
		t.Errorf("the stalled burst took %s; want about 2 s", took)
	}
	t.Logf("%d concurrent probes while PostgreSQL hangs: %d check, %d connection attempt, all 503 after %s",
		callers, stalled.checks.Load(), proxy.Accepted.Load(), took.Round(10*time.Millisecond))
}

// A database whose port is closed reads as refused; an app built without a database is never
// ready.
func TestReadyzClosedPortAndMissingDatabase(t *testing.T) {
	db := dbtest.New(t)
	dead, err := dbconn.PostgresWith(context.Background(), "postgres://mari:pw@127.0.0.1:1/none?sslmode=disable", dbconn.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	closed := newReadiness(Deps{PG: dead, CH: db.CH, Log: slog.New(slog.DiscardHandler)})
	if rep := closed.report(); rep != (readyReport{Postgres: "unavailable: connection refused", ClickHouse: "ok"}) {
		t.Errorf("PostgreSQL on a closed port: %+v", rep)
	}
	none := newReadiness(Deps{Log: slog.New(slog.DiscardHandler)})
	if rep := none.report(); rep != (readyReport{Postgres: "unavailable: not configured", ClickHouse: "unavailable: not configured"}) {
		t.Errorf("no databases: %+v", rep)
	}
}
