// Package e2e drives Mari BI's pages in a real browser (Debian's Chromium through chromedp):
// each page loads, its charts draw, and the console stays free of errors. Every check saves a
// full-page screenshot to artifacts/screenshots/ so the team can look at what it built.
package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5/pgxpool"

	"mari/auth"
	"mari/calendar"
	"mari/config"
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
	Auth    *auth.Service // the app's accounts, with the tests' cheap password hashing
	// Email and Password of the account the browser signs in with (see New).
	Email, Password string
}

// AppOptions change how StartApp builds the app.
type AppOptions struct {
	// CH replaces the ClickHouse connection the app serves from (for example one that points
	// at a closed port, to test the "unavailable" path). The demo data still goes into the
	// test's own ClickHouse database.
	CH driver.Conn
	// Role of the account the browser signs in with; empty means admin (every page).
	Role auth.Role
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

	cfg, err := config.Load()
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
	params := auth.TestHashParams
	srv := httptest.NewServer(web.NewServer(web.Deps{Config: cfg, PG: db.PG, CH: ch, Log: logger, PasswordParams: &params}))
	t.Cleanup(srv.Close)

	// The account the browser signs in with, made as an admin would make it, with the
	// password its owner chose in place of the one-time one.
	role := opts.Role
	if role == "" {
		role = auth.RoleAdmin
	}
	svc := &auth.Service{DB: db.PG, Params: auth.TestHashParams}
	email := "e2e-" + string(role) + "@mari.example"
	acc, once, err := svc.Create(ctx, auth.Actor{Email: "e2e harness"}, email, "Browser Test", role)
	if err != nil {
		t.Fatalf("create the e2e account: %v", err)
	}
	password := "e2e password " + once
	if err := svc.ChangePassword(ctx, acc, "127.0.0.1", once, password, password); err != nil {
		t.Fatalf("set the e2e account's password: %v", err)
	}
	return &App{URL: srv.URL, DB: db, Summary: sum, Server: srv, Auth: svc, Email: email, Password: password}
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

// New starts the app (see StartApp) and a headless Chromium, both stopped when the test ends,
// and signs the browser in through the sign-in form.
func New(t testing.TB, opts AppOptions) *Harness {
	t.Helper()
	h := NewSignedOut(t, opts)
	h.SignIn(t)
	return h
}

// NewSignedOut is New without signing in.
func NewSignedOut(t testing.TB, opts AppOptions) *Harness {
	t.Helper()
	app := StartApp(t, opts)
	b, err := browser.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return &Harness{App: app, Browser: b}
}

// SignIn fills in and submits the sign-in form in the browser with the app's account and
// returns the path it landed on.
func (h *Harness) SignIn(t testing.TB) string {
	t.Helper()
	path, err := h.Browser.SignIn(h.App.URL+"/signin", h.App.Email, h.App.Password, PageTimeout)
	if err != nil {
		t.Fatalf("sign in as %s: %v", h.App.Email, err)
	}
	return path
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

// SignedInClient returns an HTTP client (with a cookie jar) signed in to the app at url
// through its sign-in form, as a new account of role made in db.
func SignedInClient(t testing.TB, url string, db *pgxpool.Pool, role auth.Role) *http.Client {
	t.Helper()
	ctx := context.Background()
	svc := &auth.Service{DB: db, Params: auth.TestHashParams}
	acc, once, err := svc.Create(ctx, auth.Actor{Email: "e2e harness"}, "client-"+string(role)+"@mari.example", "", role)
	if err != nil {
		t.Fatal(err)
	}
	password := "client password " + once
	if err := svc.ChangePassword(ctx, acc, "127.0.0.1", once, password, password); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	res, err := client.Get(url + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the sign-in page")
	}
	res, err = client.PostForm(url+"/signin", neturl.Values{"_csrf": {string(m[1])}, "email": {acc.Email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path == "/signin" {
		t.Fatalf("sign in as %s: %d at %s", acc.Email, res.StatusCode, res.Request.URL.Path)
	}
	return client
}
