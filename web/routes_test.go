package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"mari/auth"
)

// Who a cell of the route matrix is: signed out, or signed in with a role.
var matrixWho = []string{"signed out", "admin", "executive", "ops", "partnerships"}

// routeCase is how the matrix calls one route, and the status it expects for each of
// matrixWho. "303 /signin" means a redirect to the sign-in page with next set.
type routeCase struct {
	target string                        // concrete URL for the route's path
	form   func(target int64) url.Values // POST body (the CSRF token is added); nil for GET
	want   [5]string
}

// routeTable lists EVERY route of the app. TestRouteRoleMatrix fails on a registered route
// missing here, so a new route cannot skip its access rules.
func routeTable() map[string]routeCase {
	table := coreRouteCases()
	for _, more := range []map[string]routeCase{opsRouteCases(), banksRouteCases(), incidentsRouteCases(), growthRouteCases(), modelRouteCases()} {
		for k, v := range more {
			table[k] = v
		}
	}
	return table
}

func coreRouteCases() map[string]routeCase {
	empty := func(int64) url.Values { return url.Values{} }
	return map[string]routeCase{
		"GET /healthz":           {target: "/healthz", want: [5]string{"200", "200", "200", "200", "200"}},
		"GET /readyz":            {target: "/readyz", want: [5]string{"200", "200", "200", "200", "200"}},
		"GET /static/*":          {target: "/static/app.css", want: [5]string{"200", "200", "200", "200", "200"}},
		"GET /signin":            {target: "/signin", want: [5]string{"200", "303 /", "303 /", "303 /ops", "303 /banks"}},
		"POST /signin":           {target: "/signin", form: empty, want: [5]string{"400", "400", "400", "400", "400"}},
		"POST /signout":          {target: "/signout", form: empty, want: [5]string{"303 /signin?signed_out=1", "303 /signin?signed_out=1", "303 /signin?signed_out=1", "303 /signin?signed_out=1", "303 /signin?signed_out=1"}},
		"GET /":                  {target: "/", want: [5]string{"303 /signin", "200", "200", "403", "403"}},
		"GET /glossary":          {target: "/glossary", want: [5]string{"303 /signin", "200", "200", "200", "200"}},
		"GET /executive/:file":   {target: "/executive/daily.csv", want: [5]string{"303 /signin", "200", "200", "403", "403"}},
		"GET /account/password":  {target: "/account/password", want: [5]string{"303 /signin", "200", "200", "200", "200"}},
		"POST /account/password": {target: "/account/password", form: empty, want: [5]string{"401", "400", "400", "400", "400"}},
		"GET /admin/accounts":    {target: "/admin/accounts", want: [5]string{"303 /signin", "200", "403", "403", "403"}},
		"POST /admin/accounts": {target: "/admin/accounts", form: func(int64) url.Values {
			return url.Values{"email": {fmt.Sprintf("new%d@mari.example", nextSeq())}, "role": {"ops"}}
		}, want: [5]string{"401", "200", "403", "403", "403"}},
		"POST /admin/accounts/:id/role": {target: "/admin/accounts/{target}/role", form: func(int64) url.Values {
			return url.Values{"role": {"partnerships"}}
		}, want: [5]string{"401", "303 /admin/accounts?done=role", "403", "403", "403"}},
		"POST /admin/accounts/:id/disable":        {target: "/admin/accounts/{target}/disable", form: empty, want: [5]string{"401", "303 /admin/accounts?done=disabled", "403", "403", "403"}},
		"POST /admin/accounts/:id/enable":         {target: "/admin/accounts/{target}/enable", form: empty, want: [5]string{"401", "303 /admin/accounts?done=enabled", "403", "403", "403"}},
		"POST /admin/accounts/:id/reset-password": {target: "/admin/accounts/{target}/reset-password", form: empty, want: [5]string{"401", "200", "403", "403", "403"}},
		// Investor reports (web/routes_reports.go), on an empty database: ids that do not exist
		// (404), empty forms (400); new-version makes the month's draft (or finds it).
		"GET /reports":                         {target: "/reports", want: [5]string{"303 /signin", "200", "200", "403", "403"}},
		"POST /reports":                        {target: "/reports", form: empty, want: [5]string{"401", "400", "400", "403", "403"}},
		"GET /reports/:id":                     {target: "/reports/999999", want: [5]string{"303 /signin", "404", "404", "403", "403"}},
		"POST /reports/:id":                    {target: "/reports/999999", form: empty, want: [5]string{"401", "400", "400", "403", "403"}},
		"POST /reports/:id/publish":            {target: "/reports/999999/publish", form: empty, want: [5]string{"401", "400", "400", "403", "403"}},
		"POST /reports/:month/new-version":     {target: "/reports/2026-02/new-version", form: empty, want: [5]string{"401", "303 /reports/1", "303 /reports/1", "403", "403"}},
		"POST /reports/:id/links":              {target: "/reports/999999/links", form: empty, want: [5]string{"401", "400", "400", "403", "403"}},
		"POST /reports/:id/links/:link/revoke": {target: "/reports/999999/links/1/revoke", form: empty, want: [5]string{"401", "400", "400", "403", "403"}},
		"POST /reports/:id/links/:link/rotate": {target: "/reports/999999/links/1/rotate", form: empty, want: [5]string{"401", "400", "400", "403", "403"}},
		"GET /r/:token":                        {target: "/r/not-a-real-token", want: [5]string{"404", "404", "404", "404", "404"}},
		"GET /admin/audit":                     {target: "/admin/audit", want: [5]string{"303 /signin", "200", "403", "403", "403"}},
	}
}

var seq int

func nextSeq() int { seq++; return seq }

func TestRouteRoleMatrix(t *testing.T) {
	_, h, svc := testServer(t, Config{})
	e := h.(*echo.Echo)
	roles := map[string]auth.Role{"admin": auth.RoleAdmin, "executive": auth.RoleExecutive, "ops": auth.RoleOps, "partnerships": auth.RolePartnerships}
	for name, role := range roles {
		newAccount(t, svc, name+"@mari.example", role)
	}
	target := newAccount(t, svc, "target@mari.example", auth.RoleOps)

	table := routeTable()
	var registered []string
	for _, r := range e.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		registered = append(registered, r.Method+" "+r.Path)
	}
	sort.Strings(registered)
	if len(registered) != len(table) {
		t.Errorf("the table has %d routes but %d are registered: %v", len(table), len(registered), registered)
	}
	cells := 0
	for _, key := range registered {
		rc, ok := table[key]
		if !ok {
			t.Errorf("route %s is registered but missing from routeTable: add who may use it", key)
			continue
		}
		for i, who := range matrixWho {
			c := newClient(t, e, "192.0.2."+strconv.Itoa(20+i))
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
			if got != rc.want[i] {
				t.Errorf("%s as %s: got %q; want %q", key, who, got, rc.want[i])
			}
			if r.StatusCode >= 400 && (!strings.Contains(r.Body, "<html") || strings.Contains(r.Body, "goroutine ")) {
				t.Errorf("%s as %s: %d without the friendly page", key, who, r.StatusCode)
			}
			if r.StatusCode == http.StatusForbidden && !strings.Contains(r.Body, `href="/glossary"`) {
				t.Errorf("%s as %s: the 403 page does not link to what the role can see", key, who)
			}
		}
	}
	t.Logf("%d routes × %d kinds of visitor = %d requests checked", len(registered), len(matrixWho), cells)
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
