package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mari/auth"
	"mari/calendar"
	"mari/dbconn"
	"mari/dbtest"
)

// Two instances of the app on the same databases, each with its own connection pools (as two
// `mari serve` processes behind a load balancer have), share their sessions through
// PostgreSQL: signed in on one, a browser carries on at the other, page and form alike, and
// signing out at either ends the session at both.
func TestTwoInstancesShareSessions(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	cfg := Config{PanelTimeout: 5 * time.Second, LaunchMonth: calendar.NewDate(2026, 1, 1)}
	params := auth.TestHashParams
	now := func() time.Time { return testNow }
	svc := &auth.Service{DB: db.PG, Params: params, Now: now}
	instance := func() http.Handler {
		pg, err := dbconn.PostgresWith(ctx, db.PGURL, dbconn.Settings{StatementTimeout: 30 * time.Second, IdleInTransactionTimeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pg.Close)
		ch, err := dbconn.ClickHouse(db.CHOpts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ch.Close() })
		return NewServer(Deps{Config: cfg, PG: pg, CH: ch, Now: now, PasswordParams: &params})
	}
	a, b := instance(), instance()
	newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)

	// Signed in at A, with the form token A's page gave.
	browser := newClient(t, a, "192.0.2.70")
	browser.mustSignIn("admin@mari.example")
	if r := browser.get("/admin/accounts"); r.StatusCode != 200 || browser.csrf == "" {
		t.Fatalf("accounts page at A: %d, token %q", r.StatusCode, browser.csrf)
	}
	tokenFromA, cookieFromA := browser.csrf, browser.sessionCookie()

	// At B: the same cookie opens an admin page...
	browser.h = b
	if r := browser.get("/admin/accounts"); r.StatusCode != 200 || !strings.Contains(r.Body, "admin@mari.example") {
		t.Fatalf("accounts page at B with A's session: %d\n%.300s", r.StatusCode, r.Body)
	}
	// ...and a form posted to B with A's token is accepted and writes.
	before := count(t, db, `SELECT count(*) FROM staff_accounts`)
	r := browser.do("POST", "/admin/accounts", url.Values{
		"email": {"made-at-b@mari.example"}, "role": {"ops"}, auth.CSRFFormField: {tokenFromA},
	}, nil)
	if r.StatusCode != 200 || !strings.Contains(r.Body, "Account created for made-at-b@mari.example") {
		t.Fatalf("create an account at B with A's token: %d\n%.300s", r.StatusCode, r.Body)
	}
	if n := count(t, db, `SELECT count(*) FROM staff_accounts WHERE email = 'made-at-b@mari.example'`); n != 1 ||
		count(t, db, `SELECT count(*) FROM staff_accounts`) != before+1 {
		t.Fatalf("after the post at B: %d accounts made-at-b; want 1, and one account more in all", n)
	}
	// B does check the token: a wrong one changes nothing.
	r = browser.do("POST", "/admin/accounts", url.Values{
		"email": {"forged@mari.example"}, "role": {"ops"}, auth.CSRFFormField: {"not-the-token"},
	}, nil)
	if r.StatusCode != http.StatusForbidden || count(t, db, `SELECT count(*) FROM staff_accounts WHERE email = 'forged@mari.example'`) != 0 {
		t.Fatalf("a wrong token at B: %d; want 403 and nothing written", r.StatusCode)
	}

	// Signing out at B ends the session at A: the cookie A issued no longer signs anyone in
	// there, and its row is gone from the shared store.
	r = browser.do("POST", "/signout", url.Values{auth.CSRFFormField: {tokenFromA}}, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/signin?signed_out=1" {
		t.Fatalf("sign out at B: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if n := count(t, db, `SELECT count(*) FROM sessions WHERE token = $1`, cookieFromA); n != 0 {
		t.Errorf("the signed-out session is still stored (%d rows)", n)
	}
	copied := newClient(t, a, "192.0.2.71")
	copied.jar.SetCookies(base, []*http.Cookie{{Name: "mari_session", Value: cookieFromA}})
	if r := copied.get("/admin/accounts"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
		t.Errorf("A's cookie at A after signing out at B: %d %s; want 303 to /signin", r.StatusCode, r.Header.Get("Location"))
	}
	browser.h = a
	if r := browser.get("/admin/accounts"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
		t.Errorf("the browser back at A after signing out at B: %d %s; want 303 to /signin", r.StatusCode, r.Header.Get("Location"))
	}
}
