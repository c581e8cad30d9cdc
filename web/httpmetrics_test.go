package web

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"mari/auth"
	"mari/calendar"
	"mari/dbtest"
	"mari/telemetry"
)

// meteredServer is testServer with metrics.
func meteredServer(t *testing.T, cfg Config) (*dbtest.DB, http.Handler, *auth.Service, *telemetry.Metrics) {
	t.Helper()
	db := dbtest.New(t)
	if cfg.PanelTimeout == 0 {
		cfg.PanelTimeout = 5 * time.Second
	}
	if cfg.LaunchMonth.IsZero() {
		cfg.LaunchMonth = calendar.NewDate(2026, 1, 1)
	}
	params := auth.TestHashParams
	tel := telemetry.New()
	now := func() time.Time { return testNow }
	e := NewServer(Deps{Config: cfg, PG: db.PG, CH: db.CH, Now: now, PasswordParams: &params, Telemetry: tel})
	return db, e, &auth.Service{DB: db.PG, Params: auth.TestHashParams, Now: now}, tel
}

// gathered is one family of tel's metrics, read from its registry.
func gathered(t *testing.T, tel *telemetry.Metrics, name string) []*dto.Metric {
	t.Helper()
	fams, err := prometheus.Gatherer(tel.Registry()).Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return f.GetMetric()
		}
	}
	return nil
}

func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// requestCounts are the request histogram's counts by "METHOD route status".
func requestCounts(t *testing.T, tel *telemetry.Metrics) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	for _, m := range gathered(t, tel, "mari_http_request_duration_seconds") {
		l := labelsOf(m)
		out[l["method"]+" "+l["route"]+" "+l["status"]] += m.GetHistogram().GetSampleCount()
	}
	return out
}

// Requests are timed under their route's template, never their path: pages, the machine
// routes served ahead of the router, and paths nothing answers. The public server has no
// /metrics: it is "unmatched", a 404 like any unknown path.
func TestRequestsAreLabelledByRouteTemplate(t *testing.T) {
	db, h, svc, tel := meteredServer(t, Config{})
	dbtest.Bank{Code: "BANKA", Start: "2025-01-01"}.Insert(t, db)
	dbtest.User{Name: "alice", Created: "2026-01-05 09:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2026-01-06 09:00:00"}.Insert(t, db)
	newAccount(t, svc, "partner@mari.example", auth.RolePartnerships)
	c := newClient(t, h, "198.51.100.7")
	c.mustSignIn("partner@mari.example")

	statusOf := map[string]int{}
	call := func(name string, r response) { statusOf[name] = r.StatusCode }
	call("bank", c.get("/banks/BANKA?from=2026-03-01&to=2026-03-14"))
	call("no bank", c.get("/banks/NOSUCH"))
	call("unknown", c.get("/no/such/page"))
	call("metrics", c.get("/metrics"))
	call("healthz", c.get("/healthz"))
	call("odd method", c.do("BREW", "/healthz", nil, nil))
	call("api", c.get(APIPrefix+"/metrics"))
	r := postEvents(t, h, "transaction-events", ingestToken(t, db, "metrics-test"),
		paymentLines(dbtest.UserID("alice").String(), dbtest.UserID("bob").String()))
	statusOf["ingest"] = r.status

	if statusOf["metrics"] != http.StatusNotFound || statusOf["unknown"] != http.StatusNotFound {
		t.Fatalf("GET /metrics on the public server: %d; an unknown path: %d; want both 404", statusOf["metrics"], statusOf["unknown"])
	}
	if statusOf["bank"] != http.StatusOK || statusOf["ingest"] != http.StatusOK || statusOf["healthz"] != http.StatusOK {
		t.Fatalf("statuses %v", statusOf)
	}
	got := requestCounts(t, tel)
	status := func(name string) string { return strconv.Itoa(statusOf[name]) }
	for key, want := range map[string]uint64{
		"GET /banks/:code " + status("bank"):       1,
		"GET /banks/:code " + status("no bank"):    1,
		"GET unmatched 404":                        2, // /no/such/page and /metrics
		"GET /healthz 200":                         1,
		"other /healthz " + status("odd method"):   1,
		"GET " + APIPrefix + "/* " + status("api"): 1,
		"POST /ingest/v1/:topic 200":               1,
		"POST /signin 303":                         1,
		"GET /signin 200":                          1,
	} {
		if got[key] != want {
			t.Errorf("%s: %d requests, want %d (all: %v)", key, got[key], want, got)
		}
	}
	for key := range got {
		if strings.Contains(key, "NOSUCH") || strings.Contains(key, "BANKA") || strings.Contains(key, "/no/such") ||
			strings.Contains(key, "transaction-events") {
			t.Errorf("a label carries a path, not a template: %s", key)
		}
	}
	// The ingestion request's store counts what it committed.
	for _, m := range gathered(t, tel, "mari_transactions_total") {
		l := labelsOf(m)
		if l["bank"] != "BANKA" || l["channel"] != "online" || (l["status"] != "pending" && l["status"] != "completed") ||
			m.GetCounter().GetValue() != 1 {
			t.Errorf("transactions %v = %g; want pending and completed BANKA online at 1", l, m.GetCounter().GetValue())
		}
	}
	if n := len(gathered(t, tel, "mari_transactions_total")); n != 2 {
		t.Errorf("%d payment series, want 2 (pending, completed)", n)
	}
}

// A server without metrics (every test's, MARI_METRICS_ADDR=off) answers /metrics with its
// 404 page too: the metrics are never on the public port.
func TestPublicServerHasNoMetrics(t *testing.T) {
	_, h, _ := testServer(t, Config{})
	for _, target := range []string{"/metrics", "/metrics/", "/static/../metrics"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "# HELP") ||
			strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Errorf("GET %s: %d\n%.300s", target, rec.Code, rec.Body.String())
		}
	}
}

// Every panel of a page that runs out of time is counted under its name, once per load.
func TestPanelTimeoutsAreCounted(t *testing.T) {
	_, h, svc, tel := meteredServer(t, Config{PanelTimeout: time.Nanosecond})
	newAccount(t, svc, "exec@mari.example", auth.RoleExecutive)
	c := newClient(t, h, "198.51.100.8")
	c.mustSignIn("exec@mari.example")
	r := c.get("/")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %d", r.StatusCode)
	}
	shown := strings.Count(r.Body, "did not answer within 1ns")
	var counted float64
	for _, m := range gathered(t, tel, "mari_panel_timeouts_total") {
		if labelsOf(m)["panel"] == "" {
			t.Errorf("a timeout without its panel's name")
		}
		counted += m.GetCounter().GetValue()
	}
	if shown == 0 || counted != float64(shown) {
		t.Errorf("the page shows %d panels out of time, the metrics count %g", shown, counted)
	}
}
