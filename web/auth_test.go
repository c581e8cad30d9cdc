package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mari/auth"
)

func TestSignInRenewsTokenAndSignOutEndsSession(t *testing.T) {
	db, e, svc := testServer(t, Config{})
	a := newAccount(t, svc, "exec@mari.example", auth.RoleExecutive)
	c := newClient(t, e, "192.0.2.40")

	// A session token planted before sign-in (session fixation) is not the one signed in.
	planted := "planted-token-planted-token-planted-token-x"
	c.jar.SetCookies(base, []*http.Cookie{{Name: "mari_session", Value: planted}})
	form := c.get("/signin?next=%2Fglossary")
	preSignIn := c.csrf
	if form.StatusCode != 200 || preSignIn == "" || !strings.Contains(form.Body, `name="next" value="/glossary"`) {
		t.Fatalf("sign-in page: %d, CSRF token %q", form.StatusCode, preSignIn)
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
	if after == "" || after == planted {
		t.Fatalf("the session token did not change at sign-in (%q → %q)", planted, after)
	}
	if n := count(t, db, `SELECT count(*) FROM sessions WHERE token = $1`, planted); n != 0 {
		t.Errorf("the planted token is in the store")
	}
	home := c.get("/")
	if home.StatusCode != 200 || !strings.Contains(home.Body, "exec@mari.example") {
		t.Fatalf("signed in, GET /: %d", home.StatusCode)
	}
	// The CSRF token is new too: the pre-sign-in one (which a page of another site could have
	// learnt) is refused on a signed-in form, and its cookie is deleted.
	if c.csrf == "" || c.csrf == preSignIn {
		t.Errorf("the CSRF token did not change at sign-in (%q → %q)", preSignIn, c.csrf)
	}
	if !deletesCookie(home, "mari_csrf") {
		t.Errorf("the first signed-in page did not delete the pre-sign-in CSRF cookie")
	}
	old := url.Values{"current": {"x"}, "new": {"y"}, "confirm": {"y"}, "_csrf": {preSignIn}}
	if r := c.do("POST", "/account/password", old, nil); r.StatusCode != 403 {
		t.Errorf("the pre-sign-in CSRF token on a signed-in form: %d; want 403", r.StatusCode)
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
	newAccount(t, svc, "colleague@mari.example", auth.RoleExecutive)
	lim := auth.DefaultRateLimits

	// Per account and address: an attacker's failures stop the attacker's address, with a
	// Retry-After that says when the oldest failure leaves the window, and never the owner
	// signing in from elsewhere. An unknown email is limited the same way.
	for _, email := range []string{"target@mari.example", "ghost@mari.example"} {
		for i := range lim.PerPair {
			if r := newClient(t, e, "198.51.100.1").signIn(email, "wrong"); r.StatusCode != 401 {
				t.Fatalf("%s failure %d: %d", email, i+1, r.StatusCode)
			}
		}
		r := newClient(t, e, "198.51.100.1").signIn(email, knownPassword)
		if r.StatusCode != 429 || !strings.Contains(r.Body, "Too many failed sign-ins. Wait 15 minutes") {
			t.Errorf("%s after %d failures from one address: %d; want 429", email, lim.PerPair, r.StatusCode)
		}
		if got := r.Header.Get("Retry-After"); got != "900" {
			t.Errorf("%s: Retry-After %q; want 900 (the window, the clock being pinned)", email, got)
		}
	}
	newClient(t, e, "198.51.100.2").mustSignIn("target@mari.example")

	// Per address: a spray of made-up emails stops the address for accounts that never signed
	// in from it, but not for a colleague who did (the same office, the same proxy).
	newClient(t, e, "203.0.113.7").mustSignIn("colleague@mari.example")
	for i := range lim.PerAddress {
		if r := newClient(t, e, "203.0.113.7").signIn(fmt.Sprintf("spray%d@mari.example", i), "wrong"); r.StatusCode != 401 {
			t.Fatalf("spray %d: %d", i+1, r.StatusCode)
		}
	}
	if r := newClient(t, e, "203.0.113.7").signIn("other@mari.example", knownPassword); r.StatusCode != 429 {
		t.Errorf("an account new to the address after %d failures there: %d; want 429", lim.PerAddress, r.StatusCode)
	}
	newClient(t, e, "203.0.113.7").mustSignIn("colleague@mari.example")
	newClient(t, e, "203.0.113.8").mustSignIn("other@mari.example")

	// Per account, from many addresses: past the much higher account limit, new addresses are
	// stopped; the owner's own address is not.
	newClient(t, e, "192.0.2.200").mustSignIn("other@mari.example")
	for i := range lim.PerAccount {
		ip := fmt.Sprintf("10.%d.%d.1", i/250, i%250)
		if r := newClient(t, e, ip).signIn("other@mari.example", "wrong"); r.StatusCode != 401 {
			t.Fatalf("distributed failure %d: %d", i+1, r.StatusCode)
		}
	}
	if r := newClient(t, e, "10.99.0.1").signIn("other@mari.example", knownPassword); r.StatusCode != 429 {
		t.Errorf("a new address after %d failures of the account: %d; want 429", lim.PerAccount, r.StatusCode)
	}
	newClient(t, e, "192.0.2.200").mustSignIn("other@mari.example")

	// Refused attempts are not counted (a limit does not extend itself) but are audited.
	wantFailed := 2*lim.PerPair + lim.PerAddress + lim.PerAccount
	if n := count(t, db, `SELECT count(*) FROM signin_attempts WHERE succeeded IS NOT TRUE`); n != wantFailed {
		t.Errorf("%d failed attempts stored; want %d", n, wantFailed)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'signin_failed' AND detail LIKE 'refused%'`); n != 4 {
		t.Errorf("%d refused sign-ins audited; want 4", n)
	}
}

// Forty wrong passwords for one account from one address, all at once: the limit is counted
// and checked in one locked step, so exactly the limit's number reach the password check and
// every other one is told 429.
func TestParallelSignInsCannotRaceTheLimit(t *testing.T) {
	db, e, svc := testServerGate(t, Config{}, auth.NewHashGate(2, 30*time.Second))
	newAccount(t, svc, "target@mari.example", auth.RoleExecutive)
	gate := e.gate
	before := gate.Checks()
	statuses := parallelSignIns(t, e, 40, func(int) (string, string) { return "target@mari.example", "198.51.100.40" })
	if statuses[401] != auth.DefaultRateLimits.PerPair || statuses[429] != 40-auth.DefaultRateLimits.PerPair {
		t.Errorf("statuses %v; want %d × 401 and %d × 429", statuses, auth.DefaultRateLimits.PerPair, 40-auth.DefaultRateLimits.PerPair)
	}
	if n := gate.Checks() - before; n != int64(auth.DefaultRateLimits.PerPair) {
		t.Errorf("%d password checks ran; want %d", n, auth.DefaultRateLimits.PerPair)
	}
	if n := count(t, db, `SELECT count(*) FROM signin_attempts WHERE succeeded IS NULL`); n != 0 {
		t.Errorf("%d attempts left pending", n)
	}
	newClient(t, e, "198.51.100.41").mustSignIn("target@mari.example")
}

// Many sign-ins at once from everywhere: never more hashes at once than the gate allows; the
// ones that find no turn in time get 503 with Retry-After, leave no attempt behind and do not
// count against anyone.
func TestPasswordHashingIsBounded(t *testing.T) {
	params := auth.HashParams{Time: 1, Memory: 8 * 1024, Threads: 1}
	db, e, svc := testServerGate(t, Config{}, auth.NewHashGate(2, 50*time.Millisecond), params)
	newAccount(t, svc, "target@mari.example", auth.RoleExecutive)
	statuses := parallelSignIns(t, e, 60, func(i int) (string, string) {
		return fmt.Sprintf("user%d@mari.example", i), fmt.Sprintf("10.1.%d.%d", i/200, i%200)
	})
	if statuses[401]+statuses[503] != 60 || statuses[503] == 0 {
		t.Errorf("statuses %v; want only 401 and some 503", statuses)
	}
	if p := e.gate.Peak(); p > 2 || p < 1 {
		t.Errorf("%d hashes ran at once; want at most 2", p)
	}
	if busy := e.gate.Busy(); busy != int64(statuses[503]) {
		t.Errorf("the gate turned away %d; %d got 503", busy, statuses[503])
	}
	if n := count(t, db, `SELECT count(*) FROM signin_attempts WHERE email LIKE 'user%'`); n != statuses[401] {
		t.Errorf("%d attempts stored; want %d (only those checked)", n, statuses[401])
	}
}

// parallelSignIns sends n wrong-password sign-ins at the same moment (who(i) gives the email
// and address of the i-th) and counts the answers by status. Each client fetches its token
// first, so only the sign-ins themselves run together. A 503 must say when to come back.
func parallelSignIns(t *testing.T, e *gatedServer, n int, who func(int) (string, string)) map[int]int {
	t.Helper()
	clients := make([]*client, n)
	for i := range clients {
		_, ip := who(i)
		clients[i] = newClient(t, e, ip)
		clients[i].get("/signin")
	}
	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		wg       sync.WaitGroup
		start    = make(chan struct{})
	)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email, _ := who(i)
			<-start
			r := c.do("POST", "/signin", url.Values{"email": {email}, "password": {"wrong password"}, "_csrf": {c.csrf}}, nil)
			mu.Lock()
			defer mu.Unlock()
			statuses[r.StatusCode]++
			if r.StatusCode == 503 && (r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "Sign-in is busy")) {
				t.Errorf("503 without Retry-After or its message")
			}
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

func TestRateLimitWindowPasses(t *testing.T) {
	db, e, svc := testServer(t, Config{})
	newAccount(t, svc, "target@mari.example", auth.RoleExecutive)
	for range auth.DefaultRateLimits.PerPair {
		newClient(t, e, "198.51.100.1").signIn("target@mari.example", "wrong")
	}
	if r := newClient(t, e, "198.51.100.1").signIn("target@mari.example", knownPassword); r.StatusCode != 429 {
		t.Fatalf("limited: %d", r.StatusCode)
	}
	// 16 minutes later the failures have left the 15-minute window.
	if _, err := db.PG.Exec(context.Background(), `UPDATE signin_attempts SET at = at - interval '16 minutes'`); err != nil {
		t.Fatal(err)
	}
	// One of them is two days old: a successful sign-in prunes it (the audit log keeps it).
	if _, err := db.PG.Exec(context.Background(), `UPDATE signin_attempts SET at = at - interval '2 days' WHERE id = (SELECT min(id) FROM signin_attempts WHERE NOT succeeded)`); err != nil {
		t.Fatal(err)
	}
	newClient(t, e, "198.51.100.1").mustSignIn("target@mari.example")
	if n := count(t, db, `SELECT count(*) FROM signin_attempts WHERE NOT succeeded`); n != auth.DefaultRateLimits.PerPair-1 {
		t.Errorf("%d failed attempts left; want %d (the two-day-old one pruned)", n, auth.DefaultRateLimits.PerPair-1)
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
	// A valid token from a page of another site (a foreign Origin, or a browser that says the
	// request is cross-site) changes nothing.
	for name, h := range map[string]http.Header{
		"foreign Origin":        {"Origin": {"https://evil.example"}},
		"Sec-Fetch-Site":        {"Sec-Fetch-Site": {"cross-site"}},
		"same-site, other host": {"Sec-Fetch-Site": {"same-site"}, "Origin": {"https://other.mari.test"}},
	} {
		f := url.Values{"email": {"csrf@mari.example"}, "role": {"admin"}, "_csrf": {c.csrf}}
		if r := c.do("POST", "/admin/accounts", f, h); r.StatusCode != 403 || !strings.Contains(r.Body, "came from another site") {
			t.Errorf("%s with a valid token: %d; want 403", name, r.StatusCode)
		}
	}
	anon.get("/signin")
	login := url.Values{"email": {"admin@mari.example"}, "password": {knownPassword}, "_csrf": {anon.csrf}}
	if r := anon.do("POST", "/signin", login, http.Header{"Origin": {"https://evil.example"}}); r.StatusCode != 403 || sessionCookies(r) != 0 {
		t.Errorf("sign-in from another site with a valid token: %d; want 403 and no session", r.StatusCode)
	}
	if n := count(t, db, `SELECT count(*) FROM staff_accounts`); n != accounts {
		t.Errorf("cross-site posts created %d accounts", n-accounts)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log`); n != audits {
		t.Errorf("cross-site posts wrote %d audit rows", n-audits)
	}
	// Our own origin, as a browser sends it, is fine.
	same := http.Header{"Origin": {"http://example.com"}, "Sec-Fetch-Site": {"same-origin"}}
	if r := c.do("POST", "/admin/accounts", url.Values{"email": {"same@mari.example"}, "role": {"ops"}, "_csrf": {c.csrf}}, same); r.StatusCode != 200 {
		t.Errorf("same-origin post: %d", r.StatusCode)
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

// A visitor who has not signed in has no session: no stray request, and not the sign-in form
// either (its CSRF token lives in a cookie of its own), however many times it is shown.
func TestNoSessionBeforeSignIn(t *testing.T) {
	db, h, svc := testServer(t, Config{})
	newAccount(t, svc, "exec@mari.example", auth.RoleExecutive)
	c := newClient(t, h, "192.0.2.10")
	for _, target := range []string{"/favicon.ico", "/nowhere", "/", "/robots.txt"} {
		if r := c.get(target); sessionCookies(r) != 0 {
			t.Errorf("GET %s (status %d) set a session cookie", target, r.StatusCode)
		}
	}
	for i := range 1000 {
		r := newClient(t, h, "192.0.2.11").get("/signin")
		if r.StatusCode != 200 || sessionCookies(r) != 0 || !setsCookie(r, "mari_csrf") {
			t.Fatalf("GET /signin #%d: status %d, %d session cookies, CSRF cookie %v; want 200, 0, true",
				i+1, r.StatusCode, sessionCookies(r), setsCookie(r, "mari_csrf"))
		}
	}
	// A wrong password re-shows the form: still no session.
	if r := c.signIn("exec@mari.example", "wrong"); r.StatusCode != 401 || sessionCookies(r) != 0 {
		t.Errorf("failed sign-in: %d with %d session cookies; want 401 with 0", r.StatusCode, sessionCookies(r))
	}
	if n := count(t, db, `SELECT count(*) FROM sessions`); n != 0 {
		t.Fatalf("%d sessions before anyone signed in; want 0", n)
	}
	c.mustSignIn("exec@mari.example")
	if n := count(t, db, `SELECT count(*) FROM sessions`); n != 1 {
		t.Errorf("%d sessions after one sign-in; want 1", n)
	}
}

// The security headers: Permissions-Policy always, HSTS only when served over HTTPS.
func TestSecurityHeaders(t *testing.T) {
	for _, secure := range []bool{false, true} {
		_, h, _ := testServer(t, Config{CookieSecure: secure})
		r := newClient(t, h, "192.0.2.12").get("/signin")
		if p := r.Header.Get("Permissions-Policy"); !strings.Contains(p, "camera=()") || !strings.Contains(p, "geolocation=()") {
			t.Errorf("Permissions-Policy %q", p)
		}
		hsts := r.Header.Get("Strict-Transport-Security")
		if secure != (hsts == "max-age=31536000") || (!secure && hsts != "") {
			t.Errorf("secure cookies %v: Strict-Transport-Security %q", secure, hsts)
		}
		for _, v := range r.Header.Values("Set-Cookie") {
			if strings.HasPrefix(v, "mari_csrf=") && (!strings.Contains(v, "HttpOnly") || !strings.Contains(v, "SameSite=Strict") || secure != strings.Contains(v, "Secure")) {
				t.Errorf("secure %v: CSRF cookie %s", secure, v)
			}
		}
	}
}
