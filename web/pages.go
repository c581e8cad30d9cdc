package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/catalogue"
	"mari/handlers"
	"mari/queries"
	"mari/static"
	"mari/views"
)

// page is one row of the page registry: a route and everything the app needs to know about
// it. The registry is the only place a route is declared; from it come the echo routes with
// their role checks, the navigation each role sees, each role's first page, the paths served
// without a session, and what an account with a one-time password may still open. The
// route × role test walks it.
type page struct {
	Method  string
	Path    string // echo's pattern, e.g. /banks/:code
	Handler echo.HandlerFunc
	// Roles may use the page; admins may use every page. Nil: anyone, signed in or not.
	Roles []auth.Role
	// Public pages are served without a session: no cookie, no CSRF token, no account, no
	// navigation. The token in their URL, if any, is their only credential. Everything under
	// a public pattern's fixed part ("/static/", "/r/") is public.
	Public bool
	// Menu is the page's label in the main navigation of the roles that may use it, in the
	// order of this table; "" keeps it out. MenuKey is the views.Page.Active value of the
	// pages that highlight this entry.
	Menu, MenuKey string
	// MenuGroup gathers the page's entry with the others of its group under one menu of the
	// header ("Admin"), so the header stays one line on a laptop.
	MenuGroup string
	// Landing lists the roles for which this is the first page: where sign-in sends them
	// and where the brand in the header leads.
	Landing []auth.Role
	// OneTimePassword: an account that still has a one-time password may use the page. Every
	// other page sends it to change its password first.
	OneTimePassword bool
}

// Who may use what. Admins may use every page, so they are in none of these lists but
// admins, which holds only them.
var (
	anyone       []auth.Role // no sign-in needed
	signedIn     = auth.Roles
	admins       = []auth.Role{auth.RoleAdmin}
	executives   = []auth.Role{auth.RoleExecutive}
	opsStaff     = []auth.Role{auth.RoleOps, auth.RoleExecutive}
	bankViewers  = []auth.Role{auth.RolePartnerships, auth.RoleExecutive}
	bankEditors  = []auth.Role{auth.RolePartnerships}
	modelReaders = signedIn
	modelWriters = executives
)

const (
	get  = http.MethodGet
	post = http.MethodPost
)

// newPages builds every handler, once, from the dependencies, and lists every page of the
// app. The order of the rows is the order of the main navigation.
func newPages(d Deps, s *security, apiDoc *huma.OpenAPI) *registry {
	// Each role's first page comes from the Landing column below; the sign-in and password
	// handlers hold the map, filled before the server answers anything.
	homes := auth.Homes{}
	keys := handlers.SessionKeys{Account: sessionAccountKey, Stamp: sessionStampKey, CSRF: sessionCSRFKey}
	signIn := handlers.NewSignIn(s.auth, s.sessions, keys, homes, d.Log)
	signOut := handlers.NewSignOut(s.auth, s.sessions, keys, d.Log)
	password := handlers.NewPassword(s.auth, s.sessions, keys, homes, d.Log)
	// One view of the metric catalogue for every handler, so concurrent loads of the same
	// metric inputs are shared across pages and viewers.
	metricSources := catalogue.NewSources(d.PG, d.CH)
	executive := handlers.NewExecutive(queries.Executive{PG: d.PG, CH: d.CH}, metricSources, handlers.ExecutiveOptions{
		LaunchMonth: d.Config.LaunchMonth, PanelTimeout: d.Config.PanelTimeout, Now: d.Now, Log: d.Log,
	})
	reports := handlers.NewReports(d.PG, handlers.ReportsOptions{
		LaunchMonth: d.Config.LaunchMonth, Timeout: d.Config.PanelTimeout, Now: d.Now, Log: d.Log,
	})
	ops := handlers.NewOps(queries.Ops{CH: d.CH}, queries.OpsState{PG: d.PG}, handlers.OpsOptions{
		PanelTimeout: d.Config.PanelTimeout, Now: d.Now, Log: d.Log, Landed: d.Landed,
	})
	display := handlers.NewDisplay(d.PG, ops, handlers.DisplayOptions{Now: d.Now, Log: d.Log})
	incidents := handlers.NewIncidents(d.PG, handlers.IncidentsOptions{Now: d.Now, Log: d.Log})
	// Alerts (web/alerts.go): the rules' page, and the operations banner naming the firing ones.
	alertRules := newAlertsPage(d)
	ops.ShowAlerts(firingAlerts(d))
	growth := handlers.NewGrowth(queries.Growth{PG: d.PG}, metricSources, handlers.GrowthOptions{
		LaunchMonth: d.Config.LaunchMonth, PanelTimeout: d.Config.PanelTimeout, Now: d.Now, Log: d.Log,
	})
	banks := handlers.NewBanks(d.PG, handlers.BanksOptions{PanelTimeout: d.Config.PanelTimeout, Now: d.Now, Log: d.Log, Metrics: metricSources})
	transactions := handlers.NewTransactions(d.PG, handlers.TransactionsOptions{Timeout: d.Config.PanelTimeout, Now: d.Now, Log: d.Log})
	model := handlers.NewModel(d.PG, handlers.ModelOptions{
		LaunchMonth: d.Config.LaunchMonth, PanelTimeout: d.Config.PanelTimeout, Now: d.Now, Log: d.Log,
	})
	accounts := handlers.NewAccounts(s.auth, d.Log)
	auditLog := handlers.NewAuditLog(d.PG, d.Log)
	ingestAdmin := handlers.NewIngestAdmin(d.PG, d.Config.PanelTimeout, d.Now, d.Log)
	apiKeysAdmin := handlers.NewAPIKeysAdmin(d.PG, d.Config.APIRatePerMinute, d.Now, d.Log)
	health := func(c echo.Context) error { return c.String(http.StatusOK, "ok") }
	staticFiles := echo.WrapHandler(http.StripPrefix("/static/", static.Handler()))

	pages := []page{
		// Signing in and out, and one's own password.
		{Method: get, Path: "/signin", Handler: signIn.Form, Roles: anyone},
		{Method: post, Path: "/signin", Handler: signIn.Submit, Roles: anyone},
		{Method: post, Path: "/signout", Handler: signOut.Submit, Roles: anyone, OneTimePassword: true},
		{Method: get, Path: "/account/password", Handler: password.Form, Roles: signedIn, OneTimePassword: true},
		{Method: post, Path: "/account/password", Handler: password.Submit, Roles: signedIn, OneTimePassword: true},

		// The executive dashboard and its CSV downloads (:file is "<panel>.csv").
		{Method: get, Path: "/", Handler: executive.Page, Roles: executives, Menu: "Executive", MenuKey: "executive",
			Landing: []auth.Role{auth.RoleAdmin, auth.RoleExecutive}},
		{Method: get, Path: "/executive/:file", Handler: executive.CSV, Roles: executives},

		// Investor reports; their read-only links /r/:token are public, the token the only
		// credential.
		{Method: get, Path: "/reports", Handler: reports.List, Roles: executives, Menu: "Investor reports", MenuKey: "reports"},
		{Method: post, Path: "/reports", Handler: reports.CreateDraft, Roles: executives},
		{Method: get, Path: "/reports/:id", Handler: reports.View, Roles: executives},
		{Method: post, Path: "/reports/:id", Handler: reports.Save, Roles: executives},
		{Method: post, Path: "/reports/:id/publish", Handler: reports.Publish, Roles: executives},
		{Method: post, Path: "/reports/:month/new-version", Handler: reports.NewVersion, Roles: executives},
		{Method: post, Path: "/reports/:id/links", Handler: reports.CreateLink, Roles: executives},
		{Method: post, Path: "/reports/:id/links/:link/revoke", Handler: reports.RevokeLink, Roles: executives},
		{Method: post, Path: "/reports/:id/links/:link/rotate", Handler: reports.RotateLink, Roles: executives},
		{Method: get, Path: "/r/:token", Handler: reports.Shared, Public: true},

		// The operations dashboard (?wall=1: the wall screen), its refresh and CSVs (:file is
		// "<panel>.csv"), and the display links that open the wall screen without a session.
		{Method: get, Path: "/ops", Handler: ops.Page, Roles: opsStaff, Menu: "Operations", MenuKey: "ops",
			Landing: []auth.Role{auth.RoleOps}},
		{Method: get, Path: "/ops/data", Handler: ops.Data, Roles: opsStaff},
		{Method: get, Path: "/ops/display-links", Handler: display.List, Roles: opsStaff},
		{Method: post, Path: "/ops/display-links", Handler: display.Create, Roles: opsStaff},
		{Method: post, Path: "/ops/display-links/:id/revoke", Handler: display.Revoke, Roles: opsStaff},
		{Method: get, Path: "/ops/:file", Handler: ops.CSV, Roles: opsStaff},
		{Method: get, Path: "/display/:token", Handler: display.Wall, Public: true},
		{Method: get, Path: "/display/:token/data", Handler: display.WallData, Public: true},

		// The incident log. Ops records and ends incidents as they happen; executives may too,
		// since uptime on their dashboard is computed from these rows.
		{Method: get, Path: "/incidents", Handler: incidents.List, Roles: opsStaff, Menu: "Incidents", MenuKey: "incidents", MenuGroup: "Reliability"},
		{Method: post, Path: "/incidents", Handler: incidents.Create, Roles: opsStaff},
		{Method: post, Path: "/incidents/:id", Handler: incidents.Edit, Roles: opsStaff},
		{Method: post, Path: "/incidents/:id/end", Handler: incidents.End, Roles: opsStaff},

		// Alerts: rules made from templates, their silences and test notifications. Ops and
		// executives (who watch the figures the rules guard) make them as they need them.
		{Method: get, Path: "/alerts", Handler: alertRules.Page, Roles: opsStaff, Menu: "Alerts", MenuKey: "alerts", MenuGroup: "Reliability"},
		{Method: post, Path: "/alerts", Handler: alertRules.Create, Roles: opsStaff},
		{Method: post, Path: "/alerts/:id/delete", Handler: alertRules.Delete, Roles: opsStaff},
		{Method: post, Path: "/alerts/:id/silence", Handler: alertRules.Silence, Roles: opsStaff},
		{Method: post, Path: "/alerts/:id/silences/:silence/end", Handler: alertRules.EndSilence, Roles: opsStaff},
		{Method: post, Path: "/alerts/:id/test", Handler: alertRules.SendTest, Roles: opsStaff},

		// Data quality: can the numbers be trusted right now? Freshness, the two stores compared,
		// rollup runs, dead letters, and the app's own server time and uptime (package selfmon).
		{Method: get, Path: "/quality", Handler: handlers.NewQuality(d.PG, d.CH, handlers.QualityOptions{
			PanelTimeout: d.Config.PanelTimeout, Now: d.Now, Log: d.Log,
		}).Page, Roles: opsStaff, Menu: "Data quality", MenuKey: "quality", MenuGroup: "Reliability"},

		// The growth dashboard (:file is signups.csv, cohorts.csv, retention-heatmap.csv,
		// sources.csv or referrers.csv).
		{Method: get, Path: "/growth", Handler: growth.Page, Roles: executives, Menu: "Growth", MenuKey: "growth"},
		{Method: get, Path: "/growth/:file", Handler: growth.CSV, Roles: executives},

		// Bank partnerships. Partnership managers and executives see every bank; only
		// partnership managers create and edit partnerships (executives read, they do not
		// change contracts). :file is monthly.csv, status.csv or recipients.csv.
		{Method: get, Path: "/banks", Handler: banks.Overview, Roles: bankViewers, Menu: "Banks", MenuKey: "banks",
			Landing: []auth.Role{auth.RolePartnerships}},
		{Method: get, Path: "/banks.csv", Handler: banks.OverviewCSV, Roles: bankViewers},
		{Method: get, Path: "/banks.xlsx", Handler: banks.OverviewCSV, Roles: bankViewers},
		{Method: get, Path: "/banks/new", Handler: banks.NewForm, Roles: bankEditors},
		{Method: post, Path: "/banks/new", Handler: banks.Create, Roles: bankEditors},
		{Method: get, Path: "/banks/:code", Handler: banks.Bank, Roles: bankViewers},
		{Method: get, Path: "/banks/:code/:file", Handler: banks.BankCSV, Roles: bankViewers},
		{Method: get, Path: "/banks/:code/edit", Handler: banks.EditForm, Roles: bankEditors},
		{Method: post, Path: "/banks/:code/edit", Handler: banks.Edit, Roles: bankEditors},

		// The rows behind every number: the dashboards' charts link each figure to its
		// transactions, and their CSV. Every role that sees transaction figures may list them;
		// partnership managers one bank at a time (the handler refuses them any other address).
		{Method: get, Path: "/transactions", Handler: transactions.Page, Roles: signedIn},
		{Method: get, Path: "/transactions.csv", Handler: transactions.CSV, Roles: signedIn},

		// The financial model. Executives own it: they edit, clone, restore, re-forecast and
		// import scenarios; every other role reads. The live preview computes without saving,
		// but it serves the editor's inputs, which only writers see, so it is a writer's route.
		// :id is "seed" or a scenario number; :file is assumptions.csv, results.csv,
		// monthly.csv, sensitivity.csv, actuals.csv or scenario.xlsx.
		{Method: get, Path: "/model", Handler: model.List, Roles: modelReaders, Menu: "Financial model", MenuKey: "model"},
		{Method: get, Path: "/model/compare", Handler: model.Compare, Roles: modelReaders},
		{Method: post, Path: "/model/import", Handler: model.Import, Roles: modelWriters},
		{Method: get, Path: "/model/:id", Handler: model.Editor, Roles: modelReaders},
		{Method: post, Path: "/model/:id", Handler: model.Save, Roles: modelWriters},
		{Method: post, Path: "/model/:id/preview", Handler: model.Preview, Roles: modelWriters},
		{Method: post, Path: "/model/:id/clone", Handler: model.Clone, Roles: modelWriters},
		{Method: get, Path: "/model/:id/history", Handler: model.History, Roles: modelReaders},
		{Method: post, Path: "/model/:id/restore/:version", Handler: model.Restore, Roles: modelWriters},
		{Method: get, Path: "/model/:id/sensitivity", Handler: model.Sensitivity, Roles: modelReaders},
		{Method: get, Path: "/model/:id/actuals", Handler: model.Actuals, Roles: modelReaders},
		{Method: post, Path: "/model/:id/reforecast", Handler: model.Reforecast, Roles: modelWriters},
		{Method: get, Path: "/model/:id/:file", Handler: model.File, Roles: modelReaders},

		{Method: get, Path: "/glossary", Handler: handlers.Glossary, Roles: signedIn, Menu: "Glossary", MenuKey: "glossary"},
		// The JSON API's reference (the API itself is a machine route: web/api.go).
		{Method: get, Path: "/api", Handler: handlers.NewAPIReference(apiDoc).Page, Roles: signedIn},

		// Administration: accounts and the audit log.
		{Method: get, Path: "/admin/accounts", Handler: accounts.List, Roles: admins, Menu: "Accounts", MenuKey: "accounts", MenuGroup: "Admin"},
		{Method: post, Path: "/admin/accounts", Handler: accounts.Create, Roles: admins},
		{Method: post, Path: "/admin/accounts/:id/role", Handler: accounts.SetRole, Roles: admins},
		{Method: post, Path: "/admin/accounts/:id/disable", Handler: accounts.Disable, Roles: admins},
		{Method: post, Path: "/admin/accounts/:id/enable", Handler: accounts.Enable, Roles: admins},
		{Method: post, Path: "/admin/accounts/:id/reset-password", Handler: accounts.ResetPassword, Roles: admins},
		{Method: get, Path: "/admin/audit", Handler: auditLog.List, Roles: admins, Menu: "Audit log", MenuKey: "audit", MenuGroup: "Admin"},
		// The event stream: its tokens and dead letters (the events themselves arrive on the
		// machine routes of machine.go).
		{Method: get, Path: "/admin/ingest", Handler: ingestAdmin.Page, Roles: admins, Menu: "Ingestion", MenuKey: "ingest", MenuGroup: "Admin"},
		{Method: post, Path: "/admin/ingest/tokens", Handler: ingestAdmin.CreateToken, Roles: admins},
		{Method: post, Path: "/admin/ingest/tokens/:id/revoke", Handler: ingestAdmin.RevokeToken, Roles: admins},
		// The keys of the JSON API (the API itself is a machine route).
		{Method: get, Path: "/admin/api-keys", Handler: apiKeysAdmin.Page, Roles: admins, Menu: "API keys", MenuKey: "apikeys", MenuGroup: "Admin"},
		{Method: post, Path: "/admin/api-keys", Handler: apiKeysAdmin.Create, Roles: admins},
		{Method: post, Path: "/admin/api-keys/:id/revoke", Handler: apiKeysAdmin.Revoke, Roles: admins},
		{Method: post, Path: "/admin/api-keys/:id/expire", Handler: apiKeysAdmin.Expire, Roles: admins},

		// For machines: liveness, readiness (web/readyz.go) and the static files.
		{Method: get, Path: "/healthz", Handler: health, Public: true},
		{Method: get, Path: "/readyz", Handler: newReadiness(d).handle, Public: true},
		{Method: get, Path: "/static/*", Handler: staticFiles, Public: true},
	}
	r, err := newRegistry(pages, homes)
	if err != nil {
		panic("web: the page registry is inconsistent: " + err.Error())
	}
	return r
}

// registry is the table of pages and what is derived from it.
type registry struct {
	pages []page
	// homes is each role's first page (auth.Homes), from the Landing column.
	homes auth.Homes
	// navigation is the header each role sees, from the Menu column.
	navigation map[auth.Role]views.Navigation
	// publicPaths and publicPrefixes say which request paths are served without a session:
	// a public page's path, or for a pattern everything under its fixed part.
	publicPaths    map[string]bool
	publicPrefixes []string
	// withOneTimePassword holds "METHOD pattern" of the pages an account with a one-time
	// password may use.
	withOneTimePassword map[string]bool
}

// newRegistry checks the table and derives the rest from it. homes is filled in place: the
// handlers built before the table already hold it.
func newRegistry(pages []page, homes auth.Homes) (*registry, error) {
	r := &registry{pages: pages, homes: homes, navigation: map[auth.Role]views.Navigation{},
		publicPaths: map[string]bool{}, withOneTimePassword: map[string]bool{}}
	seen := map[string]bool{}
	for _, p := range pages {
		key := p.Method + " " + p.Path
		concrete := !strings.ContainsAny(p.Path, ":*")
		switch {
		case seen[key]:
			return nil, fmt.Errorf("%s is listed twice", key)
		case p.Handler == nil:
			return nil, fmt.Errorf("%s has no handler", key)
		case p.Roles != nil && len(p.Roles) == 0:
			return nil, fmt.Errorf("%s: an empty list of roles would admit admins only; say admins", key)
		case p.Public && (p.Roles != nil || p.Menu != "" || len(p.Landing) > 0 || p.OneTimePassword):
			return nil, fmt.Errorf("%s: a public page has no roles, no menu entry, no landing role and needs no exemption", key)
		case (p.Menu != "") != (p.MenuKey != ""):
			return nil, fmt.Errorf("%s: a menu entry needs both a label and a key", key)
		case (p.Menu != "" || len(p.Landing) > 0) && (p.Method != get || !concrete):
			return nil, fmt.Errorf("%s: menu entries and first pages are pages one can link to: GET, with no parameter", key)
		}
		seen[key] = true
		for _, role := range p.Landing {
			if !p.allows(role) {
				return nil, fmt.Errorf("%s is the first page of %s, who may not use it", key, role)
			}
			if _, twice := homes[role]; twice {
				return nil, fmt.Errorf("%s has two first pages, %s and %s", role, homes[role], p.Path)
			}
			homes[role] = p.Path
		}
		if p.OneTimePassword {
			r.withOneTimePassword[key] = true
		}
		if p.Public {
			if concrete {
				r.publicPaths[p.Path] = true
			} else {
				prefix := p.Path[:strings.IndexAny(p.Path, ":*")]
				if !strings.HasSuffix(prefix, "/") {
					return nil, fmt.Errorf("%s: a public pattern must start its parameter at a whole segment", key)
				}
				if !slices.Contains(r.publicPrefixes, prefix) {
					r.publicPrefixes = append(r.publicPrefixes, prefix)
				}
			}
		}
	}
	// A page under a public pattern would be served without its session, so nobody would be
	// signed in on it: refuse such a table rather than serve it.
	for _, p := range pages {
		if !p.Public && r.public(p.Path) {
			return nil, fmt.Errorf("%s %s is not public but lies under a public path", p.Method, p.Path)
		}
	}
	for _, role := range auth.Roles {
		home, ok := homes[role]
		if !ok {
			return nil, fmt.Errorf("%s has no first page: give one page Landing %s", role, role)
		}
		nav := views.Navigation{Home: home}
		for _, p := range pages {
			if p.Menu != "" && p.allows(role) {
				nav.Links = append(nav.Links, views.NavLink{Href: p.Path, Label: p.Menu, Key: p.MenuKey, Group: p.MenuGroup})
			}
		}
		r.navigation[role] = nav
	}
	return r, nil
}

// allows reports whether role may use the page.
func (p page) allows(role auth.Role) bool {
	return p.Roles == nil || auth.Allows(role, p.Roles...)
}

// register adds every page to echo.
func (r *registry) register(e *echo.Echo) {
	for _, p := range r.pages {
		p.addTo(e)
	}
}

// addTo adds the page to echo, with the role check its Roles call for.
func (p page) addTo(e *echo.Echo) {
	var mw []echo.MiddlewareFunc
	if p.Roles != nil {
		mw = append(mw, auth.Require(p.Roles...))
	}
	e.Add(p.Method, p.Path, p.Handler, mw...)
}

// public reports whether a request path is served without a session.
func (r *registry) public(path string) bool {
	if r.publicPaths[path] {
		return true
	}
	for _, prefix := range r.publicPrefixes {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}
