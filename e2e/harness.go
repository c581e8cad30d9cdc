// Package e2e drives Mari BI's pages in a real browser (Debian's Chromium through chromedp):
// each page loads, its charts draw, and the console stays free of errors. Every check saves a
// full-page screenshot to artifacts/screenshots/ so the team can look at what it built.
package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"mari/calendar"
	"mari/dbtest"
	"mari/demodata"
	"mari/e2e/browser"
	"mari/rollup"
	"mari/web"
)

// Demo dataset of every browser test: small enough to load in seconds, long enough (14 months)
// for year-on-year and cohort panels, and ending now so the "today" panels have data.
const (
	demoSeed   = 7
	demoScale  = 0.02
	demoMonths = 14
)

// PageTimeout is how long a page may take to load and draw every chart.
var PageTimeout = 20 * time.Second

// App is Mari BI served in-process on a fresh test database pair with demo data.
type App struct {
	URL     string
	DB      *dbtest.DB
	Summary demodata.Summary
	Server  *httptest.Server
}

// AppOptions change how StartApp builds the app.
type AppOptions struct {
	// CH replaces the ClickHouse connection the app serves from (for example one that points
	// at a closed port, to test the "unavailable" path). The demo data still goes into the
	// test's own ClickHouse database.
	CH driver.Conn
}

// StartApp creates the test databases (dbtest.New), loads the demo dataset, runs the rollup
// backfill and serves the app on a loopback port until the test ends.
func StartApp(t testing.TB, opts AppOptions) *App {
	t.Helper()
	db := dbtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	end := time.Now()
	start := time.Now()
	sum, err := demodata.Generate(ctx, db.PG, db.CH, demodata.Options{
		Seed: demoSeed, Scale: demoScale, Months: demoMonths, End: end,
	})
	if err != nil {
		t.Fatalf("demo data: %v", err)
	}
	from := calendar.DateOf(end).AddMonths(-demoMonths).MonthStart()
	if err := rollup.New(db.PG, nil, nil).Backfill(ctx, from, calendar.Today(time.Now()), io.Discard); err != nil {
		t.Fatalf("rollup backfill: %v", err)
	}
	t.Logf("demo data: %d users, %d transactions, %d events; loaded and rolled up in %s",
		sum.Users, sum.Transactions, sum.Events, time.Since(start).Round(time.Millisecond))

	cfg, err := web.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.PostgresURL = db.PGURL
	cfg.ClickHouseAddr = db.CHOpts.Addr
	cfg.ClickHouseDatabase = db.CHOpts.Database
	cfg.ClickHouseUser = db.CHOpts.User
	cfg.ClickHousePassword = db.CHOpts.Password
	cfg.Scheduler = false
	ch := db.CH
	if opts.CH != nil {
		ch = opts.CH
	}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewServer(web.NewServer(web.Deps{Config: cfg, PG: db.PG, CH: ch, Log: logger}))
	t.Cleanup(srv.Close)
	return &App{URL: srv.URL, DB: db, Summary: sum, Server: srv}
}

// testWriter sends the app's warnings and errors to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Harness is an app and a browser for one test.
type Harness struct {
	App     *App
	Browser *browser.Browser
}

// New starts the app (see StartApp) and a headless Chromium, both stopped when the test ends.
func New(t testing.TB, opts AppOptions) *Harness {
	t.Helper()
	app := StartApp(t, opts)
	b, err := browser.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return &Harness{App: app, Browser: b}
}

// CheckPage loads path, waits until every [data-echarts] element has been drawn, saves a
// full-page screenshot to artifacts/screenshots/<test name>.png, and fails the test on any
// console error, uncaught exception, failed request to the app, or request that leaves it.
func (h *Harness) CheckPage(t testing.TB, path string) *browser.PageResult {
	t.Helper()
	res, loadErr := h.Browser.Load(h.App.URL+path, h.App.URL, PageTimeout)
	if res != nil && len(res.Screenshot) > 0 {
		saveScreenshot(t, screenshotName(t.Name()), res.Screenshot)
	}
	if res != nil {
		for _, w := range res.Warnings {
			t.Logf("%s: %s", path, w)
		}
		for _, p := range res.Problems() {
			t.Errorf("%s: %s", path, p)
		}
	}
	if loadErr != nil {
		t.Fatalf("%s: %v", path, loadErr)
	}
	return res
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

func screenshotName(testName string) string {
	return strings.Trim(unsafeName.ReplaceAllString(strings.TrimPrefix(testName, "Test"), "_"), "_")
}

func saveScreenshot(t testing.TB, name string, png []byte) {
	t.Helper()
	dir, err := browser.ArtifactsDir("screenshots")
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", file)
}
