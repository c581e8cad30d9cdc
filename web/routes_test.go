package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/calendar"
	"mari/dbtest"
)

// Who a cell of the route matrix is: signed out, or signed in with a role.
var matrixWho = []string{"signed out", "admin", "executive", "ops", "partnerships"}

// routeCase is how the matrix calls one page of the registry (web/pages.go) and what the page
// answers a visitor it admits. Who it admits comes from the registry's Roles: the others get
// "303 /signin" (a GET, signed out, with next set), 401 (any other method, signed out) or 403
// (signed in with another role), which the test derives.
type routeCase struct {
	target  string                        // concrete URL for the page's pattern; {target} is an account id
	form    func(target int64) url.Values // POST body (the CSRF token is added); nil for GET
	allowed string                        // the answer, e.g. "200", "404", "303 /reports/1"
	// signedIn, when set, is the answer to a signed-in visitor the page admits, where it
	// differs from a signed-out one's; {home} is the visitor's first page.
	signedIn string
}

// routeTable has a case for every page of the registry: TestRouteRoleMatrix fails on a page
// without one, and on a case that names no page.
func routeTable() map[string]routeCase {
	table := coreRouteCases()
	for _, more := range []map[string]routeCase{opsRouteCases(), banksRouteCases(), incidentsRouteCases(), growthRouteCases(), modelRouteCases(), apiKeysRouteCases(), transactionsRouteCases(), qualityRouteCases(), alertsRouteCases()} {
		for k, v := range more {
			table[k] = v
		}
	}
	return table
}

// expectedAnswer is what a visitor (a role, or "" signed out) must get from a page.
func expectedAnswer(p page, role auth.Role, rc routeCase, homes auth.Homes) string {
	if role == "" {
		switch {
		case p.Roles == nil:
			return rc.allowed
		case p.Method == http.MethodGet:
			return "303 /signin"
		default:
			return "401"
		}
	}
	if !p.allows(role) {
		return "403"
	}
	if rc.signedIn != "" {
		return strings.ReplaceAll(rc.signedIn, "{home}", homes.For(role))
	}
	return rc.allowed
}

func coreRouteCases() map[string]routeCase {
	empty := func(int64) url.Values { return url.Values{} }
	return map[string]routeCase{
		"GET /healthz":           {target: "/healthz", allowed: "200"},
		"GET /readyz":            {target: "/readyz", allowed: "200"},
		"GET /static/*":          {target: "/static/app.css", allowed: "200"},
		"GET /signin":            {target: "/signin", allowed: "200", signedIn: "303 {home}"},
		"POST /signin":           {target: "/signin", form: empty, allowed: "400"},
		"POST /signout":          {target: "/signout", form: empty, allowed: "303 /signin?signed_out=1"},
		"GET /":                  {target: "/", allowed: "200"},
		"GET /glossary":          {target: "/glossary", allowed: "200"},
		"GET /api":               {target: "/api", allowed: "200"},
		"GET /executive/:file":   {target: "/executive/daily.csv", allowed: "200"},
		"GET /account/password":  {target: "/account/password", allowed: "200"},
		"POST /account/password": {target: "/account/password", form: empty, allowed: "400"},
		"GET /admin/accounts":    {target: "/admin/accounts", allowed: "200"},
		"POST /admin/accounts": {target: "/admin/accounts", form: func(int64) url.Values {
			return url.Values{"email": {fmt.Sprintf("new%d@mari.example", nextSeq())}, "role": {"ops"}}
		}, allowed: "200"},
		"POST /admin/accounts/:id/role": {target: "/admin/accounts/{target}/role", form: func(int64) url.Values {
			return url.Values{"role": {"partnerships"}}
		}, allowed: "303 /admin/accounts?done=role"},
		"POST /admin/accounts/:id/disable":        {target: "/admin/accounts/{target}/disable", form: empty, allowed: "303 /admin/accounts?done=disabled"},
		"POST /admin/accounts/:id/enable":         {target: "/admin/accounts/{target}/enable", form: empty, allowed: "303 /admin/accounts?done=enabled"},
		"POST /admin/accounts/:id/reset-password": {target: "/admin/accounts/{target}/reset-password", form: empty, allowed: "200"},
		// Ingestion tokens: a new name each time (200 shows the token), a token that does not
		// exist (404).
		"GET /admin/ingest": {target: "/admin/ingest", allowed: "200"},
		"POST /admin/ingest/tokens": {target: "/admin/ingest/tokens", form: func(int64) url.Values {
			return url.Values{"name": {fmt.Sprintf("backend-%d", nextSeq())}}
		}, allowed: "200"},
		"POST /admin/ingest/tokens/:id/revoke": {target: "/admin/ingest/tokens/999999/revoke", form: empty, allowed: "404"},
		// Investor reports, on an empty database: ids that do not exist
		// (404), empty forms (400); new-version makes the month's draft (or finds it).
		"GET /reports":                         {target: "/reports", allowed: "200"},
		"POST /reports":                        {target: "/reports", form: empty, allowed: "400"},
		"GET /reports/:id":                     {target: "/reports/999999", allowed: "404"},
		"POST /reports/:id":                    {target: "/reports/999999", form: empty, allowed: "400"},
		"POST /reports/:id/publish":            {target: "/reports/999999/publish", form: empty, allowed: "400"},
		"POST /reports/:month/new-version":     {target: "/reports/2026-02/new-version", form: empty, allowed: "303 /reports/1"},
		"POST /reports/:id/links":              {target: "/reports/999999/links", form: empty, allowed: "400"},
		"POST /reports/:id/links/:link/revoke": {target: "/reports/999999/links/1/revoke", form: empty, allowed: "400"},
		"POST /reports/:id/links/:link/rotate": {target: "/reports/999999/links/1/rotate", form: empty, allowed: "400"},
		"GET /r/:token":                        {target: "/r/not-a-real-token", allowed: "404"},
		"GET /admin/audit":                     {target: "/admin/audit", allowed: "200"},
	}
}

var seq int

func nextSeq() int { seq++; return seq }

// registryServer is testServer's app, with the page registry it was built from.
func registryServer(t *testing.T) (*echo.Echo, *registry, *auth.Service) {
	t.Helper()
	db := dbtest.New(t)
	params := auth.TestHashParams
	now := func() time.Time { return testNow }
	e, pages := newServer(Deps{Config: Config{PanelTimeout: 5 * time.Second, LaunchMonth: calendar.NewDate(2026, 1, 1)},
		PG: db.PG, CH: db.CH, Now: now, PasswordParams: &params})
	return e, pages, &auth.Service{DB: db.PG, Params: auth.TestHashParams, Now: now}
}

// Every page of the registry, called by every kind of visitor: who gets in follows from the
// page's Roles, what they get from its case, and public pages never set a cookie. Echo's own
// route table must be the registry, so no route can exist outside it.
func TestRouteRoleMatrix(t *testing.T) {
	e, pages, svc := registryServer(t)
	roles := map[string]auth.Role{"admin": auth.RoleAdmin, "executive": auth.RoleExecutive, "ops": auth.RoleOps, "partnerships": auth.RolePartnerships}
	for name, role := range roles {
		newAccount(t, svc, name+"@mari.example", role)
	}
	target := newAccount(t, svc, "target@mari.example", auth.RoleOps)

	inRegistry := map[string]bool{}
	for _, p := range pages.pages {
		inRegistry[p.Method+" "+p.Path] = true
	}
	registered := map[string]bool{}
	for _, r := range e.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		key := r.Method + " " + r.Path
		registered[key] = true
		if !inRegistry[key] {
			t.Errorf("echo route %s is not in the page registry: declare it in web/pages.go", key)
		}
	}
	table := routeTable()
	for key := range table {
		if !inRegistry[key] {
			t.Errorf("routeTable has a case for %s, which is not in the page registry", key)
		}
	}

	cells := 0
	for _, p := range pages.pages {
		key := p.Method + " " + p.Path
		if !registered[key] {
			t.Errorf("%s is in the registry but echo does not route it", key)
		}
		rc, ok := table[key]
		if !ok {
			t.Errorf("%s is in the registry but routeTable has no case for it: say how to call it", key)
			continue
		}
		for i, who := range matrixWho {
			c := newClient(t, e, "192.0.2."+strconv.Itoa(20+i))
			role := roles[who]
			if who != "signed out" {
				c.mustSignIn(who + "@mari.example")
			}
			path := strings.ReplaceAll(rc.target, "{target}", strconv.FormatInt(target.ID, 10))
			var r response
			if rc.form != nil {
				r = c.post(path, rc.form(target.ID))
			} else {
				r = c.get(path)
			}
			cells++
			got := strconv.Itoa(r.StatusCode)
			if r.StatusCode == http.StatusSeeOther {
				loc := r.Header.Get("Location")
				if strings.HasPrefix(loc, "/signin?next=") {
					loc = "/signin"
				}
				got += " " + loc
			}
			if want := expectedAnswer(p, role, rc, pages.homes); got != want {
				t.Errorf("%s as %s: got %q; want %q", key, who, got, want)
			}
			if r.StatusCode >= 400 && (!strings.Contains(r.Body, "<html") || strings.Contains(r.Body, "goroutine ")) {
				t.Errorf("%s as %s: %d without the friendly page", key, who, r.StatusCode)
			}
			if r.StatusCode == http.StatusForbidden && !strings.Contains(r.Body, `href="/glossary"`) {
				t.Errorf("%s as %s: the 403 page does not link to what the role can see", key, who)
			}
			if p.Public && len(r.Header.Values("Set-Cookie")) > 0 {
				t.Errorf("%s as %s: a public page set a cookie: %q", key, who, r.Header.Values("Set-Cookie"))
			}
		}
	}
	if len(registered) != len(pages.pages) {
		t.Errorf("echo routes %d paths; the registry lists %d pages", len(registered), len(pages.pages))
	}
	t.Logf("%d pages × %d kinds of visitor = %d requests checked", len(pages.pages), len(matrixWho), cells)
}

// An account with a one-time password can only change it (or sign out) until it does.
func TestOneTimePasswordForcesChange(t *testing.T) {
	_, e, svc := testServer(t, Config{})
	ctx := t.Context()
	_, once, err := svc.Create(ctx, auth.Actor{Email: "test"}, "new@mari.example", "", auth.RoleExecutive)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, e, "192.0.2.30")
	if r := c.signIn("new@mari.example", once); r.StatusCode != 303 {
		t.Fatalf("sign in with the one-time password: %d", r.StatusCode)
	}
	for _, p := range []string{"/", "/glossary", "/executive/daily.csv"} {
		if r := c.get(p); r.StatusCode != 303 || r.Header.Get("Location") != "/account/password" {
			t.Errorf("GET %s with a one-time password: %d %s; want 303 to /account/password", p, r.StatusCode, r.Header.Get("Location"))
		}
	}
	if r := c.get("/account/password"); r.StatusCode != 200 || !strings.Contains(r.Body, "one-time password") {
		t.Errorf("change-password page: %d", r.StatusCode)
	}
	bad := c.post("/account/password", url.Values{"current": {once}, "new": {"short"}, "confirm": {"short"}})
	if bad.StatusCode != 400 || !strings.Contains(bad.Body, "at least 12 characters") {
		t.Errorf("short password: %d", bad.StatusCode)
	}
	wrong := c.post("/account/password", url.Values{"current": {"not it"}, "new": {knownPassword}, "confirm": {knownPassword}})
	if wrong.StatusCode != 400 || !strings.Contains(wrong.Body, "The current password is wrong.") {
		t.Errorf("wrong current password: %d", wrong.StatusCode)
	}
	elsewhere := newClient(t, e, "192.0.2.32") // the same account signed in on another device
	if r := elsewhere.signIn("new@mari.example", once); r.StatusCode != 303 {
		t.Fatalf("second sign-in: %d", r.StatusCode)
	}
	before := c.sessionCookie()
	ok := c.post("/account/password", url.Values{"current": {once}, "new": {knownPassword}, "confirm": {knownPassword}})
	if ok.StatusCode != 200 || !strings.Contains(ok.Body, "Your password was changed.") {
		t.Fatalf("change password: %d\n%s", ok.StatusCode, ok.Body)
	}
	if r := c.get("/"); r.StatusCode != 200 {
		t.Errorf("after the change, GET /: %d; want 200", r.StatusCode)
	}
	if c.sessionCookie() == before {
		t.Errorf("the session token did not change with the password")
	}
	if r := elsewhere.get("/account/password"); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
		t.Errorf("the other session after the password change: %d; want 303 to /signin", r.StatusCode)
	}
	// The one-time password no longer works; the chosen one does.
	c2 := newClient(t, e, "192.0.2.31")
	if r := c2.signIn("new@mari.example", once); r.StatusCode != 401 {
		t.Errorf("old one-time password: %d; want 401", r.StatusCode)
	}
	c2.mustSignIn("new@mari.example")
}
