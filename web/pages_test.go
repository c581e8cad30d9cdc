package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/views"
)

var (
	mainNav  = regexp.MustCompile(`(?s)<nav class="site-nav" aria-label="Main">(.*?)</nav>`)
	navLink  = regexp.MustCompile(`<a href="([^"]*)"(?: class="([^"]*)")?>([^<]*)</a>`)
	brandRef = regexp.MustCompile(`<a class="brand" href="([^"]*)">`)
	// errorSection is the body of an error page, below the header.
	errorSection = regexp.MustCompile(`(?s)<section class="error-page">.*?</section>`)
)

// renderedNav is the main navigation as a page shows it, and the label marked active.
func renderedNav(t *testing.T, body string) (links []views.NavLink, active []string, brand string) {
	t.Helper()
	if m := brandRef.FindStringSubmatch(body); m != nil {
		brand = m[1]
	}
	m := mainNav.FindStringSubmatch(body)
	if m == nil {
		return nil, nil, brand
	}
	for _, l := range navLink.FindAllStringSubmatch(m[1], -1) {
		links = append(links, views.NavLink{Href: l[1], Label: l[3]})
		if strings.Contains(" "+l[2]+" ", " active ") {
			active = append(active, l[3])
		}
	}
	return links, active, brand
}

// Each role's navigation is the registry's menu entries it may open, in the table's order,
// with the labels it always had; every entry opens, and on its page it alone is highlighted;
// the brand leads to the role's first page. Signed out there is no navigation.
func TestNavigationFollowsTheRegistry(t *testing.T) {
	e, pages, svc := registryServer(t)
	want := map[auth.Role][]string{
		auth.RoleAdmin:        {"Executive", "Investor reports", "Operations", "Incidents", "Alerts", "Data quality", "Growth", "Banks", "Financial model", "Glossary", "Accounts", "Audit log", "Ingestion", "API keys"},
		auth.RoleExecutive:    {"Executive", "Investor reports", "Operations", "Incidents", "Alerts", "Data quality", "Growth", "Banks", "Financial model", "Glossary"},
		auth.RoleOps:          {"Operations", "Incidents", "Alerts", "Data quality", "Financial model", "Glossary"},
		auth.RolePartnerships: {"Banks", "Financial model", "Glossary"},
	}
	for i, role := range auth.Roles {
		nav := pages.navigation[role]
		var labels []string
		for _, l := range nav.Links {
			labels = append(labels, l.Label)
		}
		if !slices.Equal(labels, want[role]) {
			t.Errorf("%s's navigation: %q; want %q", role, labels, want[role])
		}
		var fromTable []views.NavLink
		for _, p := range pages.pages {
			if p.Menu != "" && p.allows(role) {
				fromTable = append(fromTable, views.NavLink{Href: p.Path, Label: p.Menu})
			}
		}

		newAccount(t, svc, string(role)+"@mari.example", role)
		c := newClient(t, e, "192.0.2."+strconv.Itoa(60+i))
		c.mustSignIn(string(role) + "@mari.example")
		for _, l := range nav.Links {
			r := c.get(l.Href)
			if r.StatusCode != http.StatusOK {
				t.Errorf("%s opening %s from the navigation: %d", role, l.Href, r.StatusCode)
				continue
			}
			shown, active, brand := renderedNav(t, r.Body)
			if !slices.Equal(shown, fromTable) {
				t.Errorf("%s on %s: the navigation shows %v; the registry says %v", role, l.Href, shown, fromTable)
			}
			if !slices.Equal(active, []string{l.Label}) {
				t.Errorf("%s on %s: highlighted %q; want only %q", role, l.Href, active, l.Label)
			}
			if brand != nav.Home {
				t.Errorf("%s on %s: the brand leads to %q; want the role's first page %q", role, l.Href, brand, nav.Home)
			}
		}
		// A page outside the menu highlights nothing; the 403 page lists the same entries.
		if r := c.get("/account/password"); r.StatusCode == http.StatusOK {
			if _, active, _ := renderedNav(t, r.Body); len(active) != 0 {
				t.Errorf("%s on /account/password: highlighted %q", role, active)
			}
		}
		if role != auth.RoleAdmin {
			denied := errorSection.FindString(c.get("/admin/audit").Body)
			for _, l := range nav.Links {
				if !strings.Contains(denied, `<a href="`+l.Href+`">`+l.Label+`</a>`) {
					t.Errorf("%s's 403 page does not offer %s", role, l.Label)
				}
			}
		}
	}
	r := newClient(t, e, "192.0.2.69").get("/signin")
	if links, _, brand := renderedNav(t, r.Body); len(links) != 0 || brand != "/signin" {
		t.Errorf("signed out: navigation %v, brand %q; want none and /signin", links, brand)
	}
}

// Each role has one first page, the one it always had: sign-in sends it there, and so does
// the sign-in page once it is signed in.
func TestLandingPagesFollowTheRegistry(t *testing.T) {
	e, pages, svc := registryServer(t)
	want := auth.Homes{auth.RoleAdmin: "/", auth.RoleExecutive: "/", auth.RoleOps: "/ops", auth.RolePartnerships: "/banks"}
	if len(pages.homes) != len(want) {
		t.Errorf("first pages %v; want %v", pages.homes, want)
	}
	for i, role := range auth.Roles {
		if pages.homes[role] != want[role] {
			t.Errorf("%s's first page: %q; want %q", role, pages.homes[role], want[role])
		}
		newAccount(t, svc, string(role)+"@mari.example", role)
		c := newClient(t, e, "192.0.2."+strconv.Itoa(70+i))
		if r := c.signIn(string(role)+"@mari.example", knownPassword); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != want[role] {
			t.Errorf("%s signing in: %d to %q; want 303 to %q", role, r.StatusCode, r.Header.Get("Location"), want[role])
		}
		if r := c.get(want[role]); r.StatusCode != http.StatusOK {
			t.Errorf("%s's first page %s: %d", role, want[role], r.StatusCode)
		}
	}
}

// An account with a one-time password may use exactly the pages the registry marks
// OneTimePassword; every other page sends it to change its password (a GET) or refuses (any
// other method) before the page runs.
func TestOneTimePasswordExemptionsFollowTheRegistry(t *testing.T) {
	e, pages, svc := registryServer(t)
	_, once, err := svc.Create(t.Context(), auth.Actor{Email: "test"}, "once@mari.example", "", auth.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	target := newAccount(t, svc, "target@mari.example", auth.RoleOps)
	c := newClient(t, e, "192.0.2.80")
	if r := c.signIn("once@mari.example", once); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with the one-time password: %d", r.StatusCode)
	}
	table := routeTable()
	exempt := 0
	var signOut page
	for _, p := range pages.pages {
		key := p.Method + " " + p.Path
		if p.Public {
			continue // served without the session: nobody is signed in there
		}
		if key == "POST /signout" {
			signOut = p // ends the session: tried last
			continue
		}
		rc := table[key]
		path := strings.ReplaceAll(rc.target, "{target}", strconv.FormatInt(target.ID, 10))
		var r response
		if rc.form != nil {
			r = c.post(path, rc.form(target.ID))
		} else {
			r = c.get(path)
		}
		gated := (p.Method == http.MethodGet && r.StatusCode == http.StatusSeeOther && r.Header.Get("Location") == "/account/password") ||
			(p.Method != http.MethodGet && r.StatusCode == http.StatusForbidden && strings.Contains(r.Body, "Choose a new password first."))
		if gated == p.OneTimePassword {
			t.Errorf("%s with a one-time password: %d %s (exempt in the registry: %v)", key, r.StatusCode, r.Header.Get("Location"), p.OneTimePassword)
		}
		if p.OneTimePassword {
			exempt++
		}
	}
	if !signOut.OneTimePassword {
		t.Error("signing out is not open to an account with a one-time password")
	} else if r := c.post("/signout", url.Values{}); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/signin?signed_out=1" {
		t.Errorf("sign out with a one-time password: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if exempt != 2 {
		t.Errorf("%d signed-in pages open to a one-time password besides signing out; want 2 (the change-password form and its post)", exempt)
	}
}

// The paths served without a session are the registry's public pages: their paths, and
// everything under a public pattern's fixed part. Nothing else.
func TestPublicPathsFollowTheRegistry(t *testing.T) {
	r, err := newRegistry(testPages(), auth.Homes{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/healthz", "/static/app.css", "/static/", "/r/abc", "/r/abc/more"} {
		if !r.public(p) {
			t.Errorf("%s is not public", p)
		}
	}
	for _, p := range []string{"/", "/healthz/x", "/static", "/r", "/reports", "/ops", "/signin"} {
		if r.public(p) {
			t.Errorf("%s is public", p)
		}
	}
	_, pages := newServer(Deps{})
	for _, p := range pages.pages {
		concrete := strings.NewReplacer(":token", "t0k3n", ":id", "1", ":file", "x.csv", ":code", "BANK", "*", "app.css",
			":month", "2026-01", ":link", "1", ":version", "1").Replace(p.Path)
		if pages.public(concrete) != p.Public {
			t.Errorf("%s %s (at %s): public %v; the registry says %v", p.Method, p.Path, concrete, pages.public(concrete), p.Public)
		}
	}
}

func testPages() []page {
	ok := func(c echo.Context) error { return nil }
	return []page{
		{Method: get, Path: "/", Handler: ok, Roles: signedIn, Menu: "Home", MenuKey: "home", Landing: auth.Roles},
		{Method: get, Path: "/ops", Handler: ok, Roles: opsStaff, Menu: "Operations", MenuKey: "ops"},
		{Method: get, Path: "/signin", Handler: ok, Roles: anyone},
		{Method: get, Path: "/healthz", Handler: ok, Public: true},
		{Method: get, Path: "/static/*", Handler: ok, Public: true},
		{Method: get, Path: "/r/:token", Handler: ok, Public: true},
	}
}

// The registry refuses a table that would serve something other than what it says.
func TestRegistryRefusesInconsistentTables(t *testing.T) {
	ok := func(c echo.Context) error { return nil }
	for _, c := range []struct {
		name   string
		change func([]page) []page
		want   string
	}{
		{"a route twice", func(p []page) []page { return append(p, page{Method: get, Path: "/ops", Handler: ok, Roles: admins}) }, "listed twice"},
		{"no handler", func(p []page) []page { p[1].Handler = nil; return p }, "no handler"},
		{"an empty role list", func(p []page) []page { p[1].Roles = []auth.Role{}; return p }, "empty list of roles"},
		{"a public page with roles", func(p []page) []page { p[3].Roles = admins; return p }, "a public page"},
		{"a menu entry with a parameter", func(p []page) []page {
			return append(p, page{Method: get, Path: "/banks/:code", Handler: ok, Roles: admins, Menu: "Bank", MenuKey: "bank"})
		}, "GET, with no parameter"},
		{"a menu entry without a key", func(p []page) []page { p[1].MenuKey = ""; return p }, "both a label and a key"},
		{"a role without a first page", func(p []page) []page { p[0].Landing = []auth.Role{auth.RoleAdmin}; return p }, "has no first page"},
		{"a role with two first pages", func(p []page) []page { p[1].Landing = []auth.Role{auth.RoleOps}; return p }, "two first pages"},
		{"a first page the role may not use", func(p []page) []page {
			p[0].Landing = []auth.Role{auth.RoleAdmin, auth.RoleExecutive, auth.RoleOps}
			p[1].Landing = []auth.Role{auth.RolePartnerships}
			return p
		}, "who may not use it"},
		{"a page under a public pattern", func(p []page) []page {
			return append(p, page{Method: post, Path: "/r/:token/seen", Handler: ok, Roles: admins})
		}, "lies under a public path"},
	} {
		_, err := newRegistry(c.change(testPages()), auth.Homes{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error saying %q", c.name, err, c.want)
		}
	}
}

// The administration pages sit in one "Admin" menu of the header (a disclosure, no script),
// and incidents, alerts and data quality in one "Reliability" menu, so an admin's header stays
// one line on a laptop; the other entries are links of their own.
func TestHeaderGathersTheAdminPagesInOneMenu(t *testing.T) {
	_, h, svc := testServer(t, Config{})
	newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)
	c := newClient(t, h, "10.0.0.9")
	c.mustSignIn("admin@mari.example")
	r := c.get("/admin/api-keys")
	header := r.Body[strings.Index(r.Body, `<header`):strings.Index(r.Body, `</header>`)]
	group := regexp.MustCompile(`(?s)<details class="nav-group"><summary class="active">Admin</summary><div class="nav-menu">(.*?)</div></details>`).FindStringSubmatch(header)
	if group == nil {
		t.Fatalf("no active Admin menu in the header:\n%s", header)
	}
	links := regexp.MustCompile(`<a href="([^"]+)"`).FindAllStringSubmatch(group[1], -1)
	var hrefs []string
	for _, l := range links {
		hrefs = append(hrefs, l[1])
	}
	if want := []string{"/admin/accounts", "/admin/audit", "/admin/ingest", "/admin/api-keys"}; !slices.Equal(hrefs, want) {
		t.Errorf("the Admin menu links %v, want %v", hrefs, want)
	}
	// Two menus: Admin, and Reliability (incidents, alerts, data quality).
	if strings.Count(header, `<details`) != 2 || !strings.Contains(header, `>Reliability</summary>`) || !strings.Contains(header, `<a href="/glossary"`) {
		t.Errorf("the other pages should be links of their own:\n%s", header)
	}
}
