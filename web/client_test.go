package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mari/auth"
	"mari/calendar"
	"mari/dbtest"
)

// testNow is the pinned clock of the web tests.
var testNow = time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC)

// testServer is the app on a fresh database pair, with cheap password hashing.
func testServer(t *testing.T, cfg Config) (*dbtest.DB, http.Handler, *auth.Service) {
	t.Helper()
	db := dbtest.New(t)
	if cfg.PanelTimeout == 0 {
		cfg.PanelTimeout = 5 * time.Second
	}
	if cfg.LaunchMonth.IsZero() {
		cfg.LaunchMonth = calendar.NewDate(2026, 1, 1)
	}
	params := auth.TestHashParams
	e := NewServer(Deps{Config: cfg, PG: db.PG, CH: db.CH, Now: func() time.Time { return testNow }, PasswordParams: &params})
	return db, e, &auth.Service{DB: db.PG, Params: auth.TestHashParams, Now: func() time.Time { return testNow }}
}

// gatedServer is the app with the password-hash gate it was given, to watch.
type gatedServer struct {
	http.Handler
	gate *auth.HashGate
}

// testServerGate is testServer with a given hash gate and, optionally, other hash costs.
func testServerGate(t *testing.T, cfg Config, gate *auth.HashGate, params ...auth.HashParams) (*dbtest.DB, *gatedServer, *auth.Service) {
	t.Helper()
	db := dbtest.New(t)
	if cfg.PanelTimeout == 0 {
		cfg.PanelTimeout = 5 * time.Second
	}
	p := auth.TestHashParams
	if len(params) > 0 {
		p = params[0]
	}
	now := func() time.Time { return testNow }
	e := NewServer(Deps{Config: cfg, PG: db.PG, CH: db.CH, Now: now, PasswordParams: &p, HashGate: gate})
	return db, &gatedServer{e, gate}, &auth.Service{DB: db.PG, Params: auth.TestHashParams, Now: now}
}

// knownPassword is what test accounts' owners choose after their one-time password.
const knownPassword = "correct horse battery staple"

// newAccount creates an account the way an admin does and sets its password as its owner
// would, so it can sign in without the forced change.
func newAccount(t *testing.T, svc *auth.Service, email string, role auth.Role) auth.Account {
	t.Helper()
	ctx := context.Background()
	a, once, err := svc.Create(ctx, auth.Actor{Email: "test"}, email, "Test "+string(role), role)
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	if err := svc.ChangePassword(ctx, a, "127.0.0.1", once, knownPassword, knownPassword); err != nil {
		t.Fatalf("set password of %s: %v", email, err)
	}
	a.MustChangePassword = false
	return a
}

// client is a browser stand-in: it keeps cookies, does not follow redirects, and calls the
// handler directly with a chosen client address.
type client struct {
	t    *testing.T
	h    http.Handler
	jar  *cookiejar.Jar
	ip   string
	csrf string
}

var base, _ = url.Parse("http://mari.test/")

func newClient(t *testing.T, h http.Handler, ip string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, h: h, jar: jar, ip: ip}
}

type response struct {
	*http.Response
	Body string
}

func (c *client) do(method, target string, form url.Values, header http.Header) response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	req.RemoteAddr = c.ip + ":40000"
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for _, ck := range c.jar.Cookies(base) {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	res := rec.Result()
	c.jar.SetCookies(base, res.Cookies())
	b, _ := io.ReadAll(res.Body)
	r := response{res, string(b)}
	if m := csrfField.FindStringSubmatch(r.Body); m != nil {
		c.csrf = m[1]
	}
	return r
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *client) get(target string) response { c.t.Helper(); return c.do("GET", target, nil, nil) }

// post sends a form with the client's CSRF token (fetched from the sign-in page if it has
// none yet, or, signed in, from the change-password page, which every account may open).
func (c *client) post(target string, form url.Values) response {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/signin")
	}
	if c.csrf == "" {
		c.get("/account/password")
	}
	if c.csrf == "" {
		c.t.Fatal("no CSRF token on the sign-in or change-password page")
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", c.csrf)
	return c.do("POST", target, form, nil)
}

// signIn opens the sign-in form and posts it, as a browser does. A successful sign-in makes
// the token it was sent with worthless, so the client forgets it and fetches the session's own
// before its next post.
func (c *client) signIn(email, password string) response {
	c.t.Helper()
	c.get("/signin")
	r := c.post("/signin", url.Values{"email": {email}, "password": {password}})
	if r.StatusCode == http.StatusSeeOther {
		c.csrf = ""
	}
	return r
}

// mustSignIn signs in and fails the test unless it succeeded.
func (c *client) mustSignIn(email string) {
	c.t.Helper()
	if r := c.signIn(email, knownPassword); r.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in %s: status %d\n%s", email, r.StatusCode, r.Body)
	}
}

func (c *client) sessionCookie() string {
	for _, ck := range c.jar.Cookies(base) {
		if ck.Name == "mari_session" {
			return ck.Value
		}
	}
	return ""
}

// sessionCookies counts the Set-Cookie headers of the session cookie in a response.
func sessionCookies(r response) int {
	n := 0
	for _, v := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "mari_session=") {
			n++
		}
	}
	return n
}

// setsCookie reports whether a response sets cookie name to a value; deletesCookie whether it
// deletes it.
func setsCookie(r response, name string) bool {
	for _, ck := range r.Cookies() {
		if ck.Name == name && ck.Value != "" && ck.MaxAge >= 0 {
			return true
		}
	}
	return false
}

func deletesCookie(r response, name string) bool {
	for _, ck := range r.Cookies() {
		if ck.Name == name && ck.MaxAge < 0 {
			return true
		}
	}
	return false
}

func count(t *testing.T, db *dbtest.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.PG.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
