package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/static"
)

func request(t *testing.T, h http.Handler, method, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestRoutesAndErrorPages(t *testing.T) {
	_, e, svc := testServer(t, Config{})
	newAccount(t, svc, "exec@mari.example", auth.RoleExecutive)
	exec := newClient(t, e, "192.0.2.10")
	exec.mustSignIn("exec@mari.example")
	request := func(t *testing.T, _ http.Handler, method, target string) (*http.Response, string) {
		t.Helper()
		if method == "POST" { // with the session's CSRF token, as a form of the app would
			r := exec.post(target, nil)
			return r.Response, r.Body
		}
		r := exec.get(target)
		return r.Response, r.Body
	}

	cases := []struct {
		method, target string
		status         int
		contains       []string
	}{
		// An empty database still renders the whole dashboard, with n/a rather than errors.
		{"GET", "/", 200, []string{"Executive dashboard", "2025-09-01 to 2026-03-15", `href="/glossary#total-users"`,
			`data-echarts="chart-revenue"`, `<script id="chart-revenue" type="application/json">`, "all days in SAST",
			"rollups have not run yet"}},
		{"GET", "/glossary", 200, []string{`id="uptime"`, `id="ltv-cac"`, "overlapping outages count once"}},
		{"GET", "/?preset=ytd", 200, []string{"2026-01-01 to 2026-03-15"}},
		{"GET", "/?preset=all", 200, []string{"2026-01-01 to 2026-03-15"}}, // from the configured launch month
		{"GET", "/?from=2026-03-01&to=2026-02-01", 400, []string{"The range is reversed", `<form class="range-form"`}},
		{"GET", "/nowhere", 404, []string{"Page not found", "Back to the start"}},
		{"POST", "/", 405, []string{"Not allowed"}},
		{"GET", "/executive/unknown.csv", 404, []string{"Page not found"}},
		{"GET", "/executive/daily.csv?from=x&to=y", 400, []string{"is not a date"}},
		{"GET", "/static/charts.js", 200, []string{"data-echarts"}},
		{"GET", "/static/app.css", 200, []string{".tile"}},
		{"GET", "/static/", 404, nil},
	}
	for _, c := range cases {
		res, body := request(t, e, c.method, c.target)
		if res.StatusCode != c.status {
			t.Errorf("%s %s: status %d; want %d\n%s", c.method, c.target, res.StatusCode, c.status, body)
			continue
		}
		for _, want := range c.contains {
			if !strings.Contains(body, want) {
				t.Errorf("%s %s: body lacks %q", c.method, c.target, want)
			}
		}
		if strings.Contains(body, "goroutine ") || strings.Contains(body, `"message"`) {
			t.Errorf("%s %s: internals or raw JSON in the body", c.method, c.target)
		}
	}
	// Every response, error pages included, carries the security headers.
	for _, target := range []string{"/", "/nowhere"} {
		res, _ := request(t, e, "GET", target)
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy %q", target, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: missing nosniff or frame denial", target)
		}
	}
	res, _ := request(t, e, "GET", static.Path("echarts.min.js"))
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != static.ImmutableCache {
		t.Errorf("echarts: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
}

// A handler that panics yields the friendly 500 page, never the panic.
func TestInternalErrorPage(t *testing.T) {
	e := NewServer(Deps{})
	e.GET("/boom", func(c echo.Context) error { panic("secret internals") })
	res, body := request(t, e, "GET", "/boom")
	if res.StatusCode != 500 || !strings.Contains(body, "Something went wrong") || strings.Contains(body, "secret internals") {
		t.Fatalf("status %d body %s", res.StatusCode, body)
	}
}

// Scripts that ask for JSON get their error as JSON, with the same message a page would show.
func TestErrorsAsJSONForScripts(t *testing.T) {
	_, e, svc := testServer(t, Config{})
	newAccount(t, svc, "ops@mari.example", auth.RoleOps)
	ops := newClient(t, e, "192.0.2.11")
	ops.mustSignIn("ops@mari.example")
	r := ops.do("GET", "/ops/data?channel=carrier_pigeon", nil, http.Header{"Accept": {"application/json"}})
	if r.StatusCode != http.StatusBadRequest || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") ||
		!strings.Contains(r.Body, `"message":"Unknown channel \"carrier_pigeon\": choose online or offline_sms."`) {
		t.Errorf("%d %s %s", r.StatusCode, r.Header.Get("Content-Type"), r.Body)
	}
	// A browser asking for a page still gets the page.
	if r := ops.get("/ops/data?channel=carrier_pigeon"); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "<!doctype html>") {
		t.Errorf("page: %d %.200s", r.StatusCode, r.Body)
	}
}
