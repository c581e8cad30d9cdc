package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/calendar"
	"mari/dbtest"
)

// hostileValue is one value of the hostile set. A universal one is wrong in every field and
// parameter of the app; the others are wrong wherever a date, a number, a code or a choice is
// expected, and are valid text in a free-text field (a scenario can be called "NaN").
type hostileValue struct {
	label, value string
	universal    bool
}

var hostileSet = []hostileValue{
	{"NUL", "\x00", true},
	{"NUL inside", "a\x00b", true},
	{"invalid UTF-8", "\xff\xfe", true},
	{"overlong UTF-8", "\xc0\x80", true},
	{"escape", "\x1b[2J", true},
	{"C1 control", "\u0085", true},
	{"100 000 characters", strings.Repeat("x", 100_000), true},
	{"year 0", "0000-01-01", false},
	{"year 9999", "9999-12-31", false},
	{"year 0 with a time", "0000-01-01T00:00", false},
	{"month of year 0", "0000-01", false},
	{"huge number", "99999999999999999999999999", false},
	{"beyond float", "-1e400", false},
	{"NaN", "NaN", false},
	{"minus one", "-1", false},
	{"SQL", "' OR '1'='1' --", false},
	{"markup", `<script>alert(1)</script>`, false},
	{"path", "../../etc/passwd", false},
}

// repeated stands for "the parameter given twice" among the hostile values.
const repeated = "repeated"

// freeTextFields hold whatever a person types: a hostile-but-printable value ("NaN",
// "0000-01-01") is valid text there and may be saved. Everywhere else nothing may be written.
var freeTextFields = map[string]bool{"name": true, "title": true, "description": true, "milestones": true, "challenges": true,
	"next_month_goals": true, "recipient": true, "bank_name": true, "password": true, "current": true, "new": true, "confirm": true}

// obviousQueryNames are tried on every GET route besides the names its pages use.
var obviousQueryNames = []string{"from", "to", "preset", "bank", "channel", "source", "grain", "period", "next", "by", "sort", "dir", "view", "saved", "s"}

// crawledForm is a form as a page renders it: its action and each field's default value.
type crawledForm struct {
	method, action string
	multipart      bool
	fileField      string
	fields         url.Values
}

var (
	formTag      = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	attrPattern  = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?`)
	inputTag     = regexp.MustCompile(`<input\b([^>]*)>`)
	selectTag    = regexp.MustCompile(`(?s)<select\b([^>]*)>(.*?)</select>`)
	optionTag    = regexp.MustCompile(`<option\b([^>]*)>`)
	textareaTag  = regexp.MustCompile(`(?s)<textarea\b([^>]*)>(.*?)</textarea>`)
	urlAttribute = regexp.MustCompile(`\b(?:href|data-ops-data)="(/[^"]*)"`)
)

func attrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrPattern.FindAllStringSubmatch(s, -1) {
		if _, seen := out[m[1]]; !seen {
			out[m[1]] = html.UnescapeString(m[2])
		}
	}
	return out
}

// parseForms reads every form of a page with its fields' default values, as a browser would
// submit it untouched (buttons and unticked boxes left out).
func parseForms(body string) []crawledForm {
	var out []crawledForm
	for _, m := range formTag.FindAllStringSubmatch(body, -1) {
		a := attrs(m[1])
		f := crawledForm{method: strings.ToUpper(a["method"]), action: a["action"], fields: url.Values{},
			multipart: a["enctype"] == "multipart/form-data"}
		if f.method == "" {
			f.method = http.MethodGet
		}
		for _, in := range inputTag.FindAllStringSubmatch(m[2], -1) {
			ia := attrs(in[1])
			name := ia["name"]
			if name == "" {
				continue
			}
			switch ia["type"] {
			case "file":
				f.fileField = name
			case "checkbox", "radio":
				if _, checked := ia["checked"]; checked {
					v := ia["value"]
					if v == "" {
						v = "on"
					}
					f.fields.Add(name, v)
				}
			case "submit", "button", "reset":
			default:
				f.fields.Add(name, ia["value"])
			}
		}
		for _, sel := range selectTag.FindAllStringSubmatch(m[2], -1) {
			name := attrs(sel[1])["name"]
			value, first := "", true
			for _, o := range optionTag.FindAllStringSubmatch(sel[2], -1) {
				oa := attrs(o[1])
				if _, selected := oa["selected"]; selected || first {
					value, first = oa["value"], false
				}
			}
			f.fields.Add(name, value)
		}
		for _, ta := range textareaTag.FindAllStringSubmatch(m[2], -1) {
			f.fields.Add(attrs(ta[1])["name"], html.UnescapeString(ta[2]))
		}
		out = append(out, f)
		// The model editor's live preview posts the same fields to its own route.
		if p := a["data-preview"]; p != "" {
			out = append(out, crawledForm{method: http.MethodPost, action: p, fields: f.fields})
		}
	}
	return out
}

// routeMap answers which registered route a URL is.
type routeMap struct {
	e          *echo.Echo
	registered map[string]echo.Route
}

func (m routeMap) of(method, target string) (string, bool) {
	u, err := url.Parse(target)
	if err != nil {
		return "", false
	}
	req := httptest.NewRequest(method, u.RequestURI(), nil)
	c := m.e.NewContext(req, nil)
	m.e.Router().Find(method, echo.GetPath(req), c)
	key := method + " " + c.Path()
	_, ok := m.registered[key]
	return key, ok
}

// probe is one hostile request, sent as every kind of visitor.
type probe struct {
	key, where, label string
	method, target    string
	form              url.Values // POST fields; the sender adds its CSRF token unless csrf says otherwise
	csrf              string     // "" the sender's token; "own" the form carries one; "twice" the sender's token twice
	upload            *crawledForm
	fileName          string
	mayWrite          bool // a printable value in a free-text field: valid text, may be saved
}

// TestHostileInputOnEveryRoute sends the hostile set to every route of the app (echo's route
// table, so a new route is covered without touching this test) as every kind of visitor: in
// each path parameter, in each query parameter the route's pages use (and the usual ones), and
// in each field of each form, the other fields keeping the form's own defaults. No answer may
// be a 5xx, a blank page or a trace, and nothing may be written: every application table's
// rows are fingerprinted after each route. The one exception is a printable value in a free-
// text field, which is valid text; those are sent last, checked for 5xx only, and reported.
func TestHostileInputOnEveryRoute(t *testing.T) {
	db := dbtest.New(t)
	seedReportData(t, db) // banks, users, transactions and rollups for February and March 2026
	params := auth.TestHashParams
	now := func() time.Time { return reportT }
	e := NewServer(Deps{Config: Config{PanelTimeout: 5 * time.Second, LaunchMonth: calendar.NewDate(2026, 2, 1)},
		PG: db.PG, CH: db.CH, Now: now, PasswordParams: &params})
	svc := &auth.Service{DB: db.PG, Params: auth.TestHashParams, Now: now}
	target := newAccount(t, svc, "target@mari.example", auth.RoleOps)
	roles := []auth.Role{auth.RoleAdmin, auth.RoleExecutive, auth.RoleOps, auth.RolePartnerships}
	for _, r := range roles {
		newAccount(t, svc, string(r)+"@mari.example", r)
	}
	admin := newClient(t, e, "192.0.2.100")
	admin.mustSignIn("admin@mari.example")
	admin.get("/account/password")

	// Something real behind every kind of path parameter: a scenario, an incident, a published
	// report with a link, a draft, a display link.
	tokens := regexp.MustCompile(`/(r|display)/([A-Za-z0-9_-]{43})`)
	var reportToken, displayToken string
	for _, step := range []struct {
		path string
		form url.Values
		want int
	}{
		{"/model/seed/clone", url.Values{"name": {"Fuzz plan"}}, 303},
		{"/model/1", withValue(scenarioForm("Fuzz plan", "1"), "y1.users", "700000"), 303}, // version 2: version 1 can be restored
		{"/incidents", url.Values{"title": {"Card switch down"}, "severity": {"major"}, "started_at": {"2026-04-10T09:00"}}, 303},
		{"/reports", url.Values{"month": {"2026-03"}}, 303},
		{"/reports/1/publish", url.Values{}, 303},
		{"/reports/1/links", url.Values{"recipient": {"Ann"}, "days": {"30"}}, 200},
		{"/reports", url.Values{"month": {"2026-02"}}, 303},
		{"/ops/display-links", url.Values{"name": {"Ops room TV"}}, 200},
	} {
		r := admin.post(step.path, step.form)
		if r.StatusCode != step.want {
			t.Fatalf("fixture %s: %d\n%.800s", step.path, r.StatusCode, r.Body)
		}
		if m := tokens.FindStringSubmatch(r.Body); m != nil && m[1] == "r" {
			reportToken = m[2]
		} else if m != nil {
			displayToken = m[2]
		}
	}
	if reportToken == "" || displayToken == "" {
		t.Fatal("no report or display token among the fixtures")
	}

	routes := routeMap{e: e, registered: map[string]echo.Route{}}
	for _, r := range e.Routes() {
		if r.Method != echo.RouteNotFound {
			routes.registered[r.Method+" "+r.Path] = *r
		}
	}
	targets, forms, queryNames := crawl(t, routes, admin, newClient(t, e, "192.0.2.101"),
		[]string{"/", "/reports/1", "/reports/2", "/model/1", "/banks/BANKA", "/banks/BANKA/edit", "/incidents", "/ops",
			"/ops/display-links", "/admin/accounts", "/admin/audit", "/growth", "/model", "/glossary", "/account/password",
			"/r/" + reportToken, "/display/" + displayToken, "/display/" + displayToken + "/data"})
	table := routeTable()
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range routes.registered {
			if !yield(k) {
				return
			}
		}
	})
	// Account actions aim at an account none of the visitors uses, so that a write slipping
	// through (a reset password, a disabled account) could not sign a visitor out mid-run.
	for k, u := range targets {
		if strings.HasPrefix(k, "POST /admin/accounts/:id/") {
			segs := strings.Split(u, "/")
			segs[3] = strconv.FormatInt(target.ID, 10)
			targets[k] = strings.Join(segs, "/")
		}
	}
	var fallback []string
	for _, k := range keys {
		if _, ok := targets[k]; ok && (forms[k] != nil || routes.registered[k].Method == http.MethodGet) {
			continue
		}
		fallback = append(fallback, k)
		rc, ok := table[k]
		if !ok {
			t.Fatalf("route %s is neither reachable from the pages nor in routeTable", k)
		}
		targets[k] = strings.ReplaceAll(rc.target, "{target}", strconv.FormatInt(target.ID, 10))
		if rc.form != nil && forms[k] == nil {
			forms[k] = &crawledForm{method: http.MethodPost, fields: rc.form(target.ID)}
		}
	}

	if len(fallback) > 0 {
		t.Logf("not reachable from the pages, so probed at routeTable's targets: %s", strings.Join(fallback, ", "))
	}

	// Visitors: signed out, and one of each role, each with its own address and CSRF token.
	visitors := []*client{newClient(t, e, "192.0.2.110")}
	visitors[0].get("/signin")
	for i, r := range roles {
		c := newClient(t, e, "192.0.2."+strconv.Itoa(111+i))
		c.mustSignIn(string(r) + "@mari.example")
		c.get("/account/password")
		visitors = append(visitors, c)
	}

	var strict, lenient []probe
	for _, k := range keys {
		for _, p := range probesFor(k, routes.registered[k], targets[k], forms[k], queryNames[k]) {
			if p.mayWrite {
				lenient = append(lenient, p)
			} else {
				strict = append(strict, p)
			}
		}
	}

	var mu sync.Mutex
	sent, fivexx := 0, 0
	statuses := map[int]int{}
	var failures []string
	send := func(batch []probe) {
		var wg sync.WaitGroup
		for vi, c := range visitors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, p := range batch {
					r := sendProbe(c, p)
					mu.Lock()
					sent++
					statuses[r.StatusCode]++
					if r.StatusCode >= 500 {
						fivexx++
					}
					if msg := badAnswer(r, p.key == "GET /static/*"); msg != "" {
						failures = append(failures, fmt.Sprintf("%s as %s, %s = %s: %s", p.key, matrixWho[vi], p.where, p.label, msg))
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	// Strict probes route by route, with the database's fingerprint after each route.
	before := fingerprint(t, db)
	routesProbed := map[string]bool{}
	for i := 0; i < len(strict); {
		j := i
		for j < len(strict) && strict[j].key == strict[i].key {
			j++
		}
		start := time.Now()
		send(strict[i:j])
		if testing.Verbose() {
			t.Logf("%s at %s: %d probes × %d visitors in %s; query names from its pages: %v",
				strict[i].key, targets[strict[i].key], j-i, len(visitors), time.Since(start).Round(time.Millisecond), queryNames[strict[i].key])
		}
		routesProbed[strict[i].key] = true
		after := fingerprint(t, db)
		if diff := fingerprintDiff(before, after); diff != "" {
			t.Errorf("%s: hostile input wrote to %s", strict[i].key, diff)
		}
		before, i = after, j
	}
	strictSent := sent
	send(lenient)
	t.Logf("%d routes × %d kinds of visitor; %d hostile values and a repeated parameter in %d places: %d requests (%d that must write nothing, %d printable values in free-text fields), %d answers of 5xx",
		len(routesProbed), len(visitors), len(hostileSet), len(strict)+len(lenient), sent, strictSent, sent-strictSent, fivexx)
	t.Logf("statuses: %v; free-text fields wrote to: %s", statuses, orNone(fingerprintDiff(before, fingerprint(t, db))))
	if len(routesProbed) != len(keys) {
		t.Errorf("%d routes probed of %d registered", len(routesProbed), len(keys))
	}
	if fivexx != 0 {
		t.Errorf("%d answers of 5xx to hostile input; want 0", fivexx)
	}
	for i, f := range failures {
		if i == 50 {
			t.Errorf("… and %d more bad answers", len(failures)-50)
			break
		}
		t.Error(f)
	}
}

func withValue(v url.Values, k, val string) url.Values { v.Set(k, val); return v }

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// crawl opens one page of every GET route reachable from start (as admin, plus the sign-in
// page signed out) and returns, per route, a concrete URL, the form that posts to it (with
// its defaults), and the query parameter names its links and GET forms use.
func crawl(t *testing.T, routes routeMap, admin, anon *client, start []string) (map[string]string, map[string]*crawledForm, map[string][]string) {
	t.Helper()
	targets := map[string]string{}
	forms := map[string]*crawledForm{}
	names := map[string]map[string]bool{}
	note := func(method, raw string) (string, bool) {
		key, ok := routes.of(method, raw)
		if !ok {
			return "", false
		}
		u, _ := url.Parse(raw)
		for n := range u.Query() {
			if names[key] == nil {
				names[key] = map[string]bool{}
			}
			names[key][n] = true
		}
		if _, seen := targets[key]; !seen {
			targets[key] = raw
			return key, true
		}
		return key, false
	}
	queue := slices.Clone(start)
	read := func(c *client, page string) {
		r := c.get(page)
		for _, m := range urlAttribute.FindAllStringSubmatch(r.Body, -1) {
			link := html.UnescapeString(m[1])
			if _, isNew := note(http.MethodGet, link); isNew {
				queue = append(queue, link)
			}
		}
		for _, f := range parseForms(r.Body) {
			key, ok := routes.of(f.method, f.action)
			if !ok {
				continue
			}
			if f.method == http.MethodGet {
				for n := range f.fields {
					if names[key] == nil {
						names[key] = map[string]bool{}
					}
					names[key][n] = true
				}
				continue
			}
			if forms[key] == nil {
				f := f
				forms[key] = &f
				if _, seen := targets[key]; !seen {
					targets[key] = f.action
				}
			}
		}
	}
	read(anon, "/signin")
	for _, s := range start {
		note(http.MethodGet, s)
	}
	seeds := len(queue)
	for i := 0; len(queue) > 0; i++ {
		page := queue[0]
		queue = queue[1:]
		key, ok := routes.of(http.MethodGet, page)
		if !ok || i >= seeds && targets[key] != page {
			continue // every start page, and one page of every other route
		}
		read(admin, page)
	}
	out := map[string][]string{}
	for k, set := range names {
		for n := range set {
			out[k] = append(out[k], n)
		}
		sort.Strings(out[k])
	}
	return targets, forms, out
}

// probesFor is every hostile request for one route: each value in each path parameter, in
// each query parameter (GET) or, with the form's defaults, in each form field (POST), plus a
// stray query parameter on a POST; and each parameter given twice.
func probesFor(key string, route echo.Route, target string, form *crawledForm, names []string) []probe {
	u, _ := url.Parse(target)
	var out []probe
	defaults := url.Values{}
	if form != nil {
		for k, v := range form.fields {
			if k != auth.CSRFFormField {
				defaults[k] = slices.Clone(v)
			}
		}
	}
	base := probe{key: key, method: route.Method, form: defaults}
	if form != nil && form.multipart {
		base.upload, base.fileName = form, "plan.csv"
	}
	if route.Method == http.MethodGet {
		base.form = nil
	}
	with := func(where, label, target string) probe {
		p := base
		p.where, p.label, p.target = where, label, target
		if p.form != nil {
			p.form = cloneValues(p.form)
		}
		return p
	}

	// Path parameters: each segment of the route that is a parameter.
	routeSegs := strings.Split(route.Path, "/")
	pathSegs := strings.Split(u.EscapedPath(), "/")
	for i, seg := range routeSegs {
		if !strings.HasPrefix(seg, ":") && seg != "*" || i >= len(pathSegs) {
			continue
		}
		for _, h := range hostileSet {
			segs := slices.Clone(pathSegs)
			segs[i] = url.PathEscape(h.value)
			if seg == "*" {
				segs = segs[:i+1]
			}
			t := strings.Join(segs, "/")
			if u.RawQuery != "" {
				t += "?" + u.RawQuery
			}
			out = append(out, with("path parameter "+seg, h.label, t))
		}
	}

	if route.Method == http.MethodGet {
		all := map[string]bool{}
		for _, n := range append(slices.Clone(names), obviousQueryNames...) {
			all[n] = true
		}
		for _, n := range slices.Sorted(func(yield func(string) bool) {
			for k := range all {
				if !yield(k) {
					return
				}
			}
		}) {
			for _, h := range append(slices.Clone(hostileSet), hostileValue{label: repeated}) {
				q := u.Query()
				if h.label == repeated {
					v := q.Get(n)
					if v == "" {
						v = "x"
					}
					q[n] = []string{v, v}
				} else {
					q.Set(n, h.value)
				}
				out = append(out, with("query parameter "+n, h.label, u.Path+"?"+q.Encode()))
			}
		}
		return out
	}

	// POST: each form field, the others at their defaults; the CSRF field too.
	fields := slices.Sorted(func(yield func(string) bool) {
		for k := range defaults {
			if !yield(k) {
				return
			}
		}
	})
	fields = append(fields, auth.CSRFFormField)
	for _, f := range fields {
		for _, h := range append(slices.Clone(hostileSet), hostileValue{label: repeated}) {
			p := with("form field "+f, h.label, target)
			switch {
			case f == auth.CSRFFormField && h.label == repeated:
				p.csrf = "twice"
			case f == auth.CSRFFormField:
				p.csrf = "own"
				p.form.Set(f, h.value)
			case h.label == repeated:
				p.form[f] = append(p.form[f], p.form.Get(f))
			default:
				p.form.Set(f, h.value)
				p.mayWrite = freeTextFields[f] && !h.universal
			}
			out = append(out, p)
		}
	}
	if base.upload != nil && base.upload.fileField != "" {
		for _, h := range hostileSet {
			p := with("file name", h.label, target)
			p.fileName = h.value
			out = append(out, p)
		}
	}
	// A stray parameter in the address of a POST: only the universally wrong values (a
	// printable one is simply ignored, and the form, at its defaults, may be a valid post).
	for _, h := range hostileSet {
		if h.universal {
			out = append(out, with("query parameter q", h.label, target+"?q="+url.QueryEscape(h.value)))
		}
	}
	if len(fields) > 1 {
		f := fields[0]
		out = append(out, with("query and form field "+f, repeated, target+"?"+url.Values{f: {defaults.Get(f)}}.Encode()))
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func sendProbe(c *client, p probe) response {
	if p.method == http.MethodGet {
		return c.do(http.MethodGet, p.target, nil, nil)
	}
	form := cloneValues(p.form)
	switch p.csrf {
	case "":
		form.Set(auth.CSRFFormField, c.csrf)
	case "twice":
		form[auth.CSRFFormField] = []string{c.csrf, c.csrf}
	}
	if p.upload != nil {
		token := form.Get(auth.CSRFFormField)
		form.Del(auth.CSRFFormField)
		saved := c.csrf
		c.csrf = token
		defer func() { c.csrf = saved }()
		r := c.postUpload(p.target, form, p.fileName, seedAssumptionsCSV())
		return r
	}
	return c.do(http.MethodPost, p.target, form, nil)
}

// badAnswer says what is wrong with an answer to hostile input, or "". A missing static file
// gets the file server's short plain-text 404 (nobody reads it as a page), anything else the
// friendly page.
func badAnswer(r response, static bool) string {
	switch {
	case r.StatusCode >= 500:
		return fmt.Sprintf("status %d: %.300s", r.StatusCode, r.Body)
	case strings.Contains(r.Body, "goroutine ") || strings.Contains(r.Body, "panic:"):
		return fmt.Sprintf("status %d with a trace", r.StatusCode)
	case r.StatusCode >= 400 && !strings.Contains(r.Body, "<html") && !static:
		return fmt.Sprintf("status %d without the friendly page: %.200q", r.StatusCode, r.Body)
	case r.StatusCode >= 400 && strings.TrimSpace(r.Body) == "" || r.StatusCode == http.StatusOK && strings.TrimSpace(r.Body) == "":
		return fmt.Sprintf("status %d with a blank page", r.StatusCode)
	}
	return ""
}

// fingerprint is each application table's row count and the md5 of its rows' text. Left
// out: what legitimately changes when someone merely visits (sessions, sign-in attempts and
// their audit entries, the time of the last sign-in, the views of an investor link).
func fingerprint(t *testing.T, db *dbtest.DB) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.PG.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
		  AND table_name NOT IN ('sessions', 'signin_attempts', 'report_link_views') ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, name := range tables {
		drop, where := "{}", ""
		switch name {
		case "staff_accounts":
			drop = "{last_sign_in_at}"
		case "audit_log":
			where = "WHERE action NOT IN ('signin', 'signin_failed', 'signout')"
		}
		var n int64
		var sum string
		q := fmt.Sprintf(`SELECT count(*), coalesce(md5(string_agg(r, E'\n' ORDER BY r)), '')
			FROM (SELECT (to_jsonb(t) - $1::text[])::text AS r FROM %s t %s) s`, pgx.Identifier{name}.Sanitize(), where)
		if err := db.PG.QueryRow(ctx, q, drop).Scan(&n, &sum); err != nil {
			t.Fatalf("fingerprint %s: %v", name, err)
		}
		out[name] = fmt.Sprintf("%d rows %s", n, sum)
	}
	return out
}

func fingerprintDiff(a, b map[string]string) string {
	var changed []string
	for k, v := range b {
		if a[k] != v {
			changed = append(changed, fmt.Sprintf("%s (%s → %s)", k, a[k], v))
		}
	}
	sort.Strings(changed)
	return strings.Join(changed, ", ")
}
