package web

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mari/auth"
)

var oneTimePassword = regexp.MustCompile(`<code id="one-time-password">([^<]+)</code>`)

// Account management: each change works, takes effect on the account's next request, and
// leaves an audit row naming the admin who made it.
func TestAdminManagesAccounts(t *testing.T) {
	db, e, svc := testServer(t, Config{})
	admin := newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)
	c := newClient(t, e, "192.0.2.90")
	c.mustSignIn("admin@mari.example")
	auditBy := func(action string) int {
		return count(t, db, `SELECT count(*) FROM audit_log WHERE action = $1 AND actor_id = $2 AND actor_email = 'admin@mari.example' AND ip = '192.0.2.90'`, action, admin.ID)
	}

	// Create: the one-time password is shown once and works once, forcing a change.
	r := c.post("/admin/accounts", url.Values{"email": {"Nomsa@Mari.example"}, "name": {"Nomsa Dlamini"}, "role": {"executive"}})
	m := oneTimePassword.FindStringSubmatch(r.Body)
	if r.StatusCode != 200 || m == nil || len(m[1]) < 16 {
		t.Fatalf("create: %d, one-time password shown: %v", r.StatusCode, m)
	}
	once := m[1]
	if list := c.get("/admin/accounts"); strings.Contains(list.Body, once) || !strings.Contains(list.Body, "nomsa@mari.example") {
		t.Errorf("the list shows the one-time password again, or not the new account")
	}
	if auditBy("account_created") != 1 {
		t.Errorf("account creation not audited")
	}
	var id int64
	if err := db.PG.QueryRow(context.Background(), `SELECT id FROM staff_accounts WHERE email = 'nomsa@mari.example' AND must_change_password AND role = 'executive'`).Scan(&id); err != nil {
		t.Fatalf("created account: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE position($1 in detail) > 0`, once); n != 0 {
		t.Errorf("the password is in the audit log")
	}
	// The same email in another case is refused.
	if r := c.post("/admin/accounts", url.Values{"email": {"NOMSA@mari.example"}, "role": {"ops"}}); r.StatusCode != 409 || !strings.Contains(r.Body, "already an account") {
		t.Errorf("duplicate email: %d", r.StatusCode)
	}
	if r := c.post("/admin/accounts", url.Values{"email": {"x@mari.example"}, "role": {"superuser"}}); r.StatusCode != 400 {
		t.Errorf("unknown role: %d", r.StatusCode)
	}

	nomsa := newClient(t, e, "192.0.2.91")
	if r := nomsa.signIn("nomsa@mari.example", once); r.StatusCode != 303 {
		t.Fatalf("sign in with the one-time password: %d", r.StatusCode)
	}
	nomsa.post("/account/password", url.Values{"current": {once}, "new": {knownPassword}, "confirm": {knownPassword}})
	if r := nomsa.get("/"); r.StatusCode != 200 {
		t.Fatalf("nomsa on the dashboard: %d", r.StatusCode)
	}

	// Role change: applies at once to the signed-in account.
	path := "/admin/accounts/" + strconv.FormatInt(id, 10)
	if r := c.post(path+"/role", url.Values{"role": {"ops"}}); r.StatusCode != 303 {
		t.Fatalf("role change: %d", r.StatusCode)
	}
	if r := nomsa.get("/"); r.StatusCode != 403 {
		t.Errorf("after the change to ops, GET /: %d; want 403", r.StatusCode)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'role_changed' AND actor_id = $1 AND detail = 'nomsa@mari.example: executive → ops'`, admin.ID); n != 1 {
		t.Errorf("role change audit rows: %d; want 1", n)
	}

	// Disable: the session stops working at its next request, and sign-in is refused.
	if r := c.post(path+"/disable", nil); r.StatusCode != 303 {
		t.Fatalf("disable: %d", r.StatusCode)
	}
	if r := nomsa.get("/glossary"); r.StatusCode != 303 {
		t.Errorf("disabled account's session: %d; want 303 to sign in", r.StatusCode)
	}
	if r := newClient(t, e, "192.0.2.92").signIn("nomsa@mari.example", knownPassword); r.StatusCode != 401 {
		t.Errorf("disabled account signs in: %d", r.StatusCode)
	}
	if r := c.post(path+"/enable", nil); r.StatusCode != 303 {
		t.Fatalf("enable: %d", r.StatusCode)
	}
	if auditBy("account_changed") != 2 {
		t.Errorf("disable and enable audit rows: %d; want 2", auditBy("account_changed"))
	}
	nomsa.mustSignIn("nomsa@mari.example")

	// Reset: a new one-time password; the old password stops working.
	r = c.post(path+"/reset-password", nil)
	m = oneTimePassword.FindStringSubmatch(r.Body)
	if r.StatusCode != 200 || m == nil || m[1] == once {
		t.Fatalf("reset: %d %v", r.StatusCode, m)
	}
	if r := newClient(t, e, "192.0.2.93").signIn("nomsa@mari.example", knownPassword); r.StatusCode != 401 {
		t.Errorf("old password after reset: %d; want 401", r.StatusCode)
	}
	if r := nomsa.get("/glossary"); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
		t.Errorf("nomsa's session after the reset: %d; want 303 to /signin (a reset ends every session)", r.StatusCode)
	}
	if auditBy("password_changed") != 1 {
		t.Errorf("reset not audited")
	}

	// An admin cannot lock themselves out.
	self := "/admin/accounts/" + strconv.FormatInt(admin.ID, 10)
	if r := c.post(self+"/disable", nil); r.StatusCode != 403 {
		t.Errorf("disable self: %d; want 403", r.StatusCode)
	}
	if r := c.post(self+"/role", url.Values{"role": {"ops"}}); r.StatusCode != 403 {
		t.Errorf("demote self: %d; want 403", r.StatusCode)
	}
	for _, p := range []string{"/admin/accounts/999999/disable", "/admin/accounts/abc/disable", "/admin/accounts/-1/reset-password"} {
		if r := c.post(p, nil); r.StatusCode != 404 {
			t.Errorf("%s: %d; want 404", p, r.StatusCode)
		}
	}

	// The audit page lists it all, newest first, and filters by action.
	page := c.get("/admin/audit")
	if page.StatusCode != 200 || strings.Index(page.Body, "<td>password_changed</td>") > strings.Index(page.Body, "<td>account_created</td>") {
		t.Errorf("audit page: %d, or not newest first", page.StatusCode)
	}
	filtered := c.get("/admin/audit?action=role_changed")
	if !strings.Contains(filtered.Body, "executive → ops") || strings.Contains(filtered.Body, "<td>account_created</td>") {
		t.Errorf("the role_changed filter shows other actions or misses the change")
	}
}

// Hostile strings in every field and parameter of these pages are stored and shown as text.
func TestHostileInputIsInert(t *testing.T) {
	db, e, svc := testServer(t, Config{})
	newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)
	c := newClient(t, e, "192.0.2.95")
	c.mustSignIn("admin@mari.example")
	hostile := []string{`'; DROP TABLE staff_accounts;--`, `<script>alert(1)</script>`, `" onmouseover="alert(1)`}
	for _, h := range hostile {
		// Sign-in: email and password and next. Not an email, so refused before anything is
		// written.
		anon := newClient(t, e, "192.0.2.96")
		r := anon.post("/signin", url.Values{"email": {h}, "password": {h}, "next": {h}})
		if r.StatusCode != 400 || !strings.Contains(r.Body, "does not look like an email") || strings.Contains(r.Body, h) && strings.ContainsAny(h, `<"`) {
			t.Errorf("sign-in with %q: %d or shown unescaped", h, r.StatusCode)
		}
		// Create: the name is stored verbatim; the email is refused with a message.
		r = c.post("/admin/accounts", url.Values{"email": {h}, "name": {h}, "role": {h}})
		if r.StatusCode != 400 || strings.ContainsAny(h, `<"`) && strings.Contains(r.Body, h) {
			t.Errorf("create with %q everywhere: %d", h, r.StatusCode)
		}
		r = c.post("/admin/accounts", url.Values{"email": {"h" + strconv.Itoa(len(h)) + "@mari.example"}, "name": {h}, "role": {"ops"}})
		if r.StatusCode != 200 {
			t.Errorf("create with name %q: %d", h, r.StatusCode)
		}
		r = c.post("/admin/accounts/1/role", url.Values{"role": {h}})
		if r.StatusCode != 400 {
			t.Errorf("role %q: %d", h, r.StatusCode)
		}
		r = c.post("/account/password", url.Values{"current": {h}, "new": {h + h}, "confirm": {h + h}})
		if r.StatusCode != 400 {
			t.Errorf("password change with %q: %d", h, r.StatusCode)
		}
		for _, p := range []string{"/admin/audit?action=" + url.QueryEscape(h), "/admin/accounts?done=" + url.QueryEscape(h),
			"/signin?next=" + url.QueryEscape(h), "/glossary?x=" + url.QueryEscape(h)} {
			r = c.get(p)
			if r.StatusCode >= 500 || strings.ContainsAny(h, `<"`) && strings.Contains(r.Body, h) {
				t.Errorf("GET %s: %d or shown unescaped", p, r.StatusCode)
			}
		}
	}
	if n := count(t, db, `SELECT count(*) FROM staff_accounts WHERE display_name = ANY($1)`, hostile); n != len(hostile) {
		t.Errorf("%d hostile names stored verbatim; want %d", n, len(hostile))
	}
	list := c.get("/admin/accounts").Body
	if !strings.Contains(list, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(list, "<script>alert(1)") {
		t.Errorf("the account list does not escape names")
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'signin_failed'`); n != 0 {
		t.Errorf("%d failed sign-ins recorded for emails that are not emails; want 0", n)
	}
	if n := count(t, db, `SELECT count(*) FROM signin_attempts WHERE NOT succeeded`); n != 0 {
		t.Errorf("%d sign-in attempts recorded for emails that are not emails; want 0", n)
	}
}
