package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mari/auth"
)

func TestSignInRenewsTokenAndSignOutEndsSession(t *testing.T) {
	db, e, svc := testServer(t, Config{})
	a := newAccount(t, svc, "exec@mari.example", auth.RoleExecutive)
	c := newClient(t, e, "192.0.2.40")

	form := c.get("/signin?next=%2Fglossary")
	before := c.sessionCookie()
	if form.StatusCode != 200 || before == "" || !strings.Contains(form.Body, `name="next" value="/glossary"`) {
		t.Fatalf("sign-in page: %d, cookie %q", form.StatusCode, before)
	}
	res := c.post("/signin", url.Values{"email": {"EXEC@mari.example "}, "password": {knownPassword}, "next": {"/glossary"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/glossary" {
		t.Fatalf("sign in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if n := sessionCookies(res); n != 1 {
		t.Errorf("sign in set the session cookie %d times; want 1", n)
	}
	for _, v := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "mari_session=") && (!strings.Contains(v, "HttpOnly") || !strings.Contains(v, "SameSite=Lax")) {
			t.Errorf("session cookie lacks HttpOnly or SameSite=Lax: %s", v)
		}
	}
	after := c.sessionCookie()
	if after == "" || after == before {
		t.Fatalf("the session token did not change at sign-in (%q → %q)", before, after)
	}
	if n := count(t, db, `SELECT count(*) FROM sessions WHERE token = $1`, before); n != 0 {
		t.Errorf("the pre-sign-in token is still in the store")
	}
	if r := c.get("/"); r.StatusCode != 200 || !strings.Contains(r.Body, "exec@mari.example") {
		t.Fatalf("signed in, GET /: %d", r.StatusCode)
	}
	// An error page from a handler still carries exactly one session cookie.
	if r := c.get("/?from=2026-03-01&to=2026-02-01"); r.StatusCode != 400 || sessionCookies(r) != 1 {
		t.Errorf("error page: %d with %d session cookies; want 400 with 1", r.StatusCode, sessionCookies(r))
	}
	if r := c.get("/nowhere"); r.StatusCode != 404 || sessionCookies(r) != 1 {
		t.Errorf("404 page: %d with %d session cookies; want 404 with 1", r.StatusCode, sessionCookies(r))
	}

	signedIn := c.sessionCookie()
	out := c.post("/signout", nil)
	if out.StatusCode != 303 || out.Header.Get("Location") != "/signin?signed_out=1" {
		t.Fatalf("sign out: %d to %q", out.StatusCode, out.Header.Get("Location"))
	}
	if c.sessionCookie() == signedIn {
		t.Errorf("the session token did not change at sign-out")
	}
	if r := c.get("/"); r.StatusCode != 303 {
		t.Errorf("after sign-out, GET /: %d; want 303 to sign in", r.StatusCode)
	}
	// A copy of the signed-in cookie signs nobody in any more.
	stolen := newClient(t, e, "192.0.2.41")
	stolen.jar.SetCookies(base, []*http.Cookie{{Name: "mari_session", Value: signedIn}})
	if r := stolen.get("/"); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
		t.Errorf("old session cookie after sign-out: %d %s; want 303 to /signin", r.StatusCode, r.Header.Get("Location"))
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'signin' AND actor_id = $1 AND ip = '192.0.2.40'`, a.ID); n != 1 {
		t.Errorf("%d sign-in audit rows; want 1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'signout' AND actor_id = $1 AND ip = '192.0.2.40'`, a.ID); n != 1 {
		t.Errorf("%d sign-out audit rows; want 1", n)
	}
}

func TestSignInFailuresRevealNothing(t *testing.T) {
	db, e, svc := testServer(t, Config{})
	newAccount(t, svc, "known@mari.example", auth.RoleExecutive)
	off := newAccount(t, svc, "gone@mari.example", auth.RoleExecutive)
	if err := svc.SetDisabled(context.Background(), auth.Actor{Email: "test"}, off.ID, true); err != nil {
		t.Fatal(err)
	}
	try := func(email, password string) (int, string) {
		c := newClient(t, e, "192.0.2.50")
		r := c.signIn(email, password)
		// The form shows the typed email again and carries the session's own CSRF token;
		// neither says anything about the account.
		body := strings.ReplaceAll(r.Body, email, "EMAIL")
		body = strings.ReplaceAll(body, c.csrf, "TOKEN")
		return r.StatusCode, body
	}
	wrongStatus, wrongBody := try("known@mari.example", "not the password")
	unknownStatus, unknownBody := try("nobody@mari.example", "not the password")
	disabledStatus, disabledBody := try("gone@mari.example", knownPassword)
	if wrongStatus != 401 || !strings.Contains(wrongBody, "Email or password is wrong.") {
		t.Errorf("wrong password: %d", wrongStatus)
	}
	if unknownStatus != wrongStatus || unknownBody != wrongBody {
		t.Errorf("unknown account differs from wrong password: %d vs %d", unknownStatus, wrongStatus)
	}
	if disabledStatus != wrongStatus || disabledBody != wrongBody {
		t.Errorf("disabled account differs from wrong password: %d vs %d", disabledStatus, wrongStatus)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'signin_failed' AND ip = '192.0.2.50'`); n != 3 {
		t.Errorf("%d failed-sign-in audit rows; want 3", n)
	}

	// Oversized and malformed input: a clear message, nothing written.
	attempts := count(t, db, `SELECT count(*) FROM signin_attempts`)
	c := newClient(t, e, "192.0.2.51")
	long := c.signIn(strings.Repeat("a", 250)+"@mari.example", "x")
	if long.StatusCode != 400 || !strings.Contains(long.Body, "The email is too long") {
		t.Errorf("long email: %d", long.StatusCode)
	}
	huge := c.signIn("known@mari.example", strings.Repeat("p", 1025))
	if huge.StatusCode != 400 || !strings.Contains(huge.Body, "The password is too long") {
		t.Errorf("long password: %d", huge.StatusCode)
	}
	blank := c.signIn("", "")
	if blank.StatusCode != 400 || !strings.Contains(blank.Body, "Enter your email and your password.") {
		t.Errorf("blank form: %d", blank.StatusCode)
	}
	bad := c.do("POST", "/signin", nil, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-Csrf-Token": {c.csrf}})
	if bad.StatusCode != 400 {
		t.Errorf("empty body: %d; want 400", bad.StatusCode)
	}
	if n := count(t, db, `SELECT count(*) FROM signin_attempts`); n != attempts {
		t.Errorf("malformed sign-ins wrote %d attempts", n-attempts)
	}
}

func TestSignInRateLimits(t *testing.T) {
	db, e, svc := testServer(t, Config{})
	newAccount(t, svc, "target@mari.example", auth.RoleExecutive)
	newAccount(t, svc, "other@mari.example", auth.RoleExecutive)
	lim := auth.DefaultRateLimits

	// Per account: failures from many addresses add up; the next sign-in, even with the right
	// password and from a fresh address, is refused. An unknown email is limited the same way.
	for _, email := range []string{"target@mari.example", "ghost@mari.example"} {
		for i := range lim.PerAccount {
			c := newClient(t, e, "198.51.100."+string(rune('1'+i)))
			if r := c.signIn(email, "wrong"); r.StatusCode != 401 {
				t.Fatalf("%s failure %d: %d", email, i+1, r.StatusCode)
			}
		}
		c := newClient(t, e, "198.51.100.99")
		r := c.signIn(email, knownPassword)
		if r.StatusCode != 429 || !strings.Contains(r.Body, "Too many failed sign-ins") {
			t.Errorf("%s after %d failures: %d; want 429", email, lim.PerAccount, r.StatusCode)
		}
	}
	// Another account from the same addresses is not affected.
	newClient(t, e, "198.51.100.99").mustSignIn("other@mari.example")

	// Per address: failures for different emails from one address.
	for i := range lim.PerAddress {
		c := newClient(t, e, "203.0.113.7")
		if r := c.signIn("spray"+string(rune('a'+i))+"@mari.example", "wrong"); r.StatusCode != 401 {
			t.Fatalf("spray %d: %d", i+1, r.StatusCode)
		}
	}
	if r := newClient(t, e, "203.0.113.7").signIn("other@mari.example", knownPassword); r.StatusCode != 429 {
		t.Errorf("address after %d failures: %d; want 429", lim.PerAddress, r.StatusCode)
	}
	newClient(t, e, "203.0.113.8").mustSignIn("other@mari.example")

	// Limited attempts are not counted (the limit does not extend itself) but are audited.
	if n := count(t, db, `SELECT count(*) FROM signin_attempts WHERE NOT succeeded`); n != 2*lim.PerAccount+lim.PerAddress {
		t.Errorf("%d failed attempts stored; want %d", n, 2*lim.PerAccount+lim.PerAddress)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'signin_failed' AND detail LIKE 'refused%'`); n != 3 {
		t.Errorf("%d refused sign-ins audited; want 3", n)
	}
}

func TestRateLimitWindowPasses(t *testing.T) {
	db, e, svc := testServer(t, Config{})
	newAccount(t, svc, "target@mari.example", auth.RoleExecutive)
	for range auth.DefaultRateLimits.PerAccount {
		newClient(t, e, "198.51.100.1").signIn("target@mari.example", "wrong")
	}
	if r := newClient(t, e, "198.51.100.2").signIn("target@mari.example", knownPassword); r.StatusCode != 429 {
		t.Fatalf("limited: %d", r.StatusCode)
	}
	// 16 minutes later the failures have left the 15-minute window.
	if _, err := db.PG.Exec(context.Background(), `UPDATE signin_attempts SET at = at - interval '16 minutes'`); err != nil {
		t.Fatal(err)
	}
	// One of them is two days old: a successful sign-in prunes it (the audit log keeps it).
	if _, err := db.PG.Exec(context.Background(), `UPDATE signin_attempts SET at = at - interval '2 days' WHERE id = (SELECT min(id) FROM signin_attempts)`); err != nil {
		t.Fatal(err)
	}
	newClient(t, e, "198.51.100.2").mustSignIn("target@mari.example")
	if n := count(t, db, `SELECT count(*) FROM signin_attempts WHERE NOT succeeded`); n != auth.DefaultRateLimits.PerAccount-1 {
		t.Errorf("%d failed attempts left; want %d (the two-day-old one pruned)", n, auth.DefaultRateLimits.PerAccount-1)
	}
}

func TestSessionIdleTimeoutAndLifetime(t *testing.T) {
	db, e, svc := testServer(t, Config{SessionIdle: 1 * time.Second, SessionLifetime: time.Hour})
	newAccount(t, svc, "exec@mari.example", auth.RoleExecutive)
	c := newClient(t, e, "192.0.2.60")
	c.mustSignIn("exec@mari.example")
	if r := c.get("/glossary"); r.StatusCode != 200 {
		t.Fatalf("fresh session: %d", r.StatusCode)
	}
	var expiry time.Time
	if err := db.PG.QueryRow(context.Background(), `SELECT expiry FROM sessions WHERE token = $1`, c.sessionCookie()).Scan(&expiry); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(expiry); d > 1100*time.Millisecond {
		t.Errorf("session stored until %s from now; want at most the 1s idle timeout", d)
	}
	time.Sleep(1500 * time.Millisecond)
	if r := c.get("/glossary"); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
		t.Errorf("after the idle timeout: %d; want 303 to /signin", r.StatusCode)
	}

	// Absolute lifetime: used every half second, the session still ends after 2s.
	_, e2, svc2 := testServer(t, Config{SessionIdle: time.Hour, SessionLifetime: 2 * time.Second})
	newAccount(t, svc2, "exec@mari.example", auth.RoleExecutive)
	c2 := newClient(t, e2, "192.0.2.61")
	c2.mustSignIn("exec@mari.example")
	for range 3 {
		if r := c2.get("/glossary"); r.StatusCode != 200 {
			t.Fatalf("within the lifetime: %d", r.StatusCode)
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(700 * time.Millisecond)
	if r := c2.get("/glossary"); r.StatusCode != 303 {
		t.Errorf("after the lifetime: %d; want 303 to /signin", r.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	db, e, svc := testServer(t, Config{})
	newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)
	c := newClient(t, e, "192.0.2.70")
	c.mustSignIn("admin@mari.example")
	accounts := count(t, db, `SELECT count(*) FROM staff_accounts`)
	audits := count(t, db, `SELECT count(*) FROM audit_log`)
	create := url.Values{"email": {"csrf@mari.example"}, "role": {"admin"}}
	for name, token := range map[string][]string{"no token": nil, "wrong token": {"forged"}, "empty token": {""}} {
		f := url.Values{}
		for k, v := range create {
			f[k] = v
		}
		if token != nil {
			f["_csrf"] = token
		}
		r := c.do("POST", "/admin/accounts", f, nil)
		if r.StatusCode != 403 || !strings.Contains(r.Body, "nothing was changed") {
			t.Errorf("%s: %d; want 403", name, r.StatusCode)
		}
	}
	// Another session's token does not work either.
	other := newClient(t, e, "192.0.2.71")
	other.get("/signin")
	f := url.Values{"email": {"csrf@mari.example"}, "role": {"admin"}, "_csrf": {other.csrf}}
	if r := c.do("POST", "/admin/accounts", f, nil); r.StatusCode != 403 {
		t.Errorf("another session's token: %d; want 403", r.StatusCode)
	}
	// Sign-in and sign-out need the token too.
	anon := newClient(t, e, "192.0.2.72")
	if r := anon.do("POST", "/signin", url.Values{"email": {"admin@mari.example"}, "password": {knownPassword}}, nil); r.StatusCode != 403 {
		t.Errorf("sign-in without token: %d; want 403", r.StatusCode)
	}
	if r := c.do("POST", "/signout", url.Values{}, nil); r.StatusCode != 403 {
		t.Errorf("sign-out without token: %d; want 403", r.StatusCode)
	}
	if n := count(t, db, `SELECT count(*) FROM staff_accounts`); n != accounts {
		t.Errorf("refused posts created %d accounts", n-accounts)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log`); n != audits {
		t.Errorf("refused posts wrote %d audit rows", n-audits)
	}
	// With the token (form field or header), the same request works.
	if r := c.post("/admin/accounts", create); r.StatusCode != 200 {
		t.Errorf("with the token: %d", r.StatusCode)
	}
	if r := c.do("POST", "/admin/accounts", url.Values{"email": {"hdr@mari.example"}, "role": {"ops"}}, http.Header{"X-Csrf-Token": {c.csrf}}); r.StatusCode != 200 {
		t.Errorf("with the token in the header: %d", r.StatusCode)
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	_, e, svc := testServer(t, Config{})
	newAccount(t, svc, "ops@mari.example", auth.RoleOps)
	for next, want := range map[string]string{
		"/glossary":                 "/glossary",
		"/":                         "/ops", // ops' first page
		"https://evil.example/x":    "/ops",
		"//evil.example/x":          "/ops",
		"/\\evil.example":           "/ops",
		"javascript:alert(1)":       "/ops",
		"/signin":                   "/ops",
		"http:/evil.example":        "/ops",
		"/glossary?x=1#total-users": "/glossary?x=1#total-users",
	} {
		c := newClient(t, e, "192.0.2.80")
		r := c.post("/signin", url.Values{"email": {"ops@mari.example"}, "password": {knownPassword}, "next": {next}})
		if r.StatusCode != 303 || r.Header.Get("Location") != want {
			t.Errorf("next=%q: %d to %q; want 303 to %q", next, r.StatusCode, r.Header.Get("Location"), want)
		}
	}
}

// A request that shows no form creates no session: a browser's stray /favicon.ico, an unknown
// page or a redirect to sign-in leaves no cookie and no sessions row. The sign-in form does
// start one, because its CSRF token must live somewhere.
func TestNoSessionWithoutAForm(t *testing.T) {
	db, h, _ := testServer(t, Config{})
	c := newClient(t, h, "192.0.2.10")
	for _, target := range []string{"/favicon.ico", "/nowhere", "/", "/robots.txt"} {
		if r := c.get(target); sessionCookies(r) != 0 {
			t.Errorf("GET %s (status %d) set a session cookie", target, r.StatusCode)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM sessions`); n != 0 {
		t.Fatalf("%d sessions after requests that showed no form; want 0", n)
	}
	if r := c.get("/signin"); r.StatusCode != 200 || sessionCookies(r) != 1 {
		t.Fatalf("GET /signin: status %d, %d session cookies; want 200 and 1", r.StatusCode, sessionCookies(r))
	}
	if n := count(t, db, `SELECT count(*) FROM sessions`); n != 1 {
		t.Fatalf("%d sessions after the sign-in form; want 1", n)
	}
}
