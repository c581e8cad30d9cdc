package web

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"mari/auth"
	"mari/dbtest"
	"mari/selfmon"
)

// The server times every request for the data-quality page: pages (a redirect or an error page
// is a page too), the JSON API and ingestion, which are served before routing, each in its own
// class; static files and the health and readiness probes are not counted.
func TestServerTimesPagesAPIAndIngestion(t *testing.T) {
	db := dbtest.New(t)
	params := auth.TestHashParams
	rec := selfmon.NewRecorder(func() time.Time { return testNow })
	e := NewServer(Deps{Config: Config{PanelTimeout: 5 * time.Second}, PG: db.PG, CH: db.CH, Now: func() time.Time { return testNow },
		PasswordParams: &params, Log: slog.New(slog.DiscardHandler), Requests: rec})
	for _, r := range []struct{ method, target string }{
		{"GET", "/signin"}, {"GET", "/quality"}, {"GET", "/no-such-page"}, // pages: 3
		{"GET", "/api/v1/openapi.json"}, {"GET", "/api/v9/metrics"}, // the API: 2
		{"POST", "/ingest/v1/transaction-events"},                           // ingestion (no token: 401): 1
		{"GET", "/static/app.css"}, {"GET", "/healthz"}, {"GET", "/readyz"}, // not measured
	} {
		request(t, e, r.method, r.target)
	}
	m := &selfmon.Monitor{Recorder: rec, PG: db.PG, Instance: "web-test", Now: func() time.Time { return testNow.Add(time.Minute) },
		Log: slog.New(slog.DiscardHandler)}
	if err := m.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.PG.QueryRow(context.Background(), `SELECT string_agg(class || ' ' || requests, ', ' ORDER BY class)
		FROM selfmon_request_minutes WHERE minute = $1`, testNow.Truncate(time.Minute)).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "api 2, ingest 1, page 3"; got != want {
		t.Errorf("measured %q; want %q", got, want)
	}
}

// The data-quality page is in the navigation of ops, executives and admins, not of partnership
// managers.
func TestQualityInTheNavigation(t *testing.T) {
	_, e, svc := testServer(t, Config{})
	for role, wants := range map[auth.Role]bool{auth.RoleOps: true, auth.RoleExecutive: true, auth.RoleAdmin: true, auth.RolePartnerships: false} {
		email := string(role) + "-nav@mari.example"
		newAccount(t, svc, email, role)
		c := newClient(t, e, "192.0.2.77")
		c.mustSignIn(email)
		home := c.get("/glossary")
		if got := strings.Contains(home.Body, `href="/quality"`); got != wants {
			t.Errorf("%s: link to /quality in the header %t; want %t", role, got, wants)
		}
	}
}
