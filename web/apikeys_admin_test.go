package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mari/apikeys"
	"mari/auth"
	"mari/dbtest"
)

// An admin makes an API key on its page and sees it once; bad input is refused with a reason
// and writes nothing; the key's expiry is set, then it is revoked; the audit log has every
// change and never the key.
func TestAdminManagesAPIKeys(t *testing.T) {
	db, h, svc := testServer(t, Config{APIRatePerMinute: 45})
	dbtest.Bank{Code: "ABSA", Start: "2025-01-01"}.Insert(t, db)
	newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)
	c := newClient(t, h, "10.0.0.1")
	c.mustSignIn("admin@mari.example")
	ctx := context.Background()
	store := apikeys.Store{PG: db.PG, Now: func() time.Time { return testNow }}

	r := c.post("/admin/api-keys", url.Values{"name": {"treasury"}, "scope": {"metrics:read", "banks:read"},
		"bank": {"ABSA"}, "expires": {"2026-04-01"}, "rate": {""}})
	m := regexp.MustCompile(`id="new-api-key" class="new-link">([^<]+)<`).FindStringSubmatch(r.Body)
	if r.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("create: %d, key shown: %v\n%s", r.StatusCode, m != nil, r.Body)
	}
	secret := m[1]
	k, err := store.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	// The rate is MARI_API_RATE_LIMIT's; the expiry is the start of the day in SAST.
	if k.Name != "treasury" || k.Bank != "ABSA" || k.RatePerMinute != 45 || k.ExpiresAt == nil ||
		!k.ExpiresAt.Equal(dbtest.SAST("2026-04-01 00:00:00")) || k.CreatedBy != "admin@mari.example" ||
		!k.Has(apikeys.MetricsRead) || !k.Has(apikeys.BanksRead) || k.Has(apikeys.UsersRead) {
		t.Errorf("created %+v", k)
	}
	page := c.get("/admin/api-keys")
	for _, want := range []string{"treasury", "<code>metrics:read</code>", "ABSA", "1 Apr 2026 00:00", "45/min", ">live<", "never"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, secret) || strings.Contains(page.Body, secret[len(apikeys.Prefix):]) {
		t.Error("the list shows the key itself")
	}

	keys := func() int { return count(t, db, `SELECT count(*) FROM api_keys`) }
	audits := func() int { return count(t, db, `SELECT count(*) FROM audit_log WHERE action LIKE 'api_key%'`) }
	beforeKeys, beforeAudits := keys(), audits()
	for _, bad := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"name": {"x"}}, "Choose at least one scope"},
		{url.Values{"name": {""}, "scope": {"metrics:read"}}, "Name the key"},
		{url.Values{"name": {"x"}, "scope": {"admin:write"}}, "&#34;admin:write&#34; is not a scope"},
		{url.Values{"name": {"absa-users"}, "scope": {"users:read"}, "bank": {"ABSA"}}, "cannot have users:read"},
		{url.Values{"name": {"x"}, "scope": {"metrics:read"}, "bank": {"NOPE"}}, "no bank partnership with the code"},
		{url.Values{"name": {"x"}, "scope": {"metrics:read"}, "expires": {"2026-03-15"}}, "must be in the future"},
		{url.Values{"name": {"x"}, "scope": {"metrics:read"}, "expires": {"2028-03-16"}}, "at most 2 years ahead"},
		{url.Values{"name": {"x"}, "scope": {"metrics:read"}, "expires": {"1 April"}}, "is not a date of the form YYYY-MM-DD"},
		{url.Values{"name": {"x"}, "scope": {"metrics:read"}, "rate": {"fast"}}, "a whole number from 1 to 10000"},
		{url.Values{"name": {"x"}, "scope": {"metrics:read"}, "rate": {"0"}}, "a whole number from 1 to 10000"},
		{url.Values{"name": {"treasury"}, "scope": {"metrics:read"}}, "already named &#34;treasury&#34;"},
	} {
		r := c.post("/admin/api-keys", bad.form)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, bad.want) || !strings.Contains(r.Body, "Nothing was saved.") {
			t.Errorf("%v: %d; want 400 saying %q", bad.form, r.StatusCode, bad.want)
		}
		// The form comes back as typed.
		if name := bad.form.Get("name"); name != "" && !strings.Contains(r.Body, `value="`+name+`"`) {
			t.Errorf("%v: the form lost the name", bad.form)
		}
	}
	if keys() != beforeKeys || audits() != beforeAudits {
		t.Errorf("refused forms wrote %d keys and %d audit entries", keys()-beforeKeys, audits()-beforeAudits)
	}

	// A new expiry, then a date already past: expired now.
	expire := fmt.Sprintf("/admin/api-keys/%d/expire", k.ID)
	if r := c.post(expire, url.Values{"expires": {"2026-05-01"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set expiry: %d", r.StatusCode)
	}
	if page := c.get("/admin/api-keys?done=expiry"); !strings.Contains(page.Body, "1 May 2026 00:00") || !strings.Contains(page.Body, "expiry was set") {
		t.Errorf("the new expiry is not shown")
	}
	for _, bad := range []url.Values{{"expires": {""}}, {"expires": {"soon"}}, {"expires": {"2029-01-01"}}} {
		if r := c.post(expire, bad); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "Nothing was changed.") && !strings.Contains(r.Body, "nothing was changed") {
			t.Errorf("expiry %v: %d; want 400", bad, r.StatusCode)
		}
	}
	if r := c.post(expire, url.Values{"expires": {"2026-03-01"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("expire now: %d", r.StatusCode)
	}
	if _, err := store.Authenticate(ctx, secret); err != apikeys.ErrExpired {
		t.Errorf("after expiring it: %v; want ErrExpired", err)
	}
	if page := c.get("/admin/api-keys"); !strings.Contains(page.Body, ">expired<") || !strings.Contains(page.Body, "15 Mar 2026 10:00") {
		t.Errorf("the expired key is not shown as expired now")
	}

	revoke := fmt.Sprintf("/admin/api-keys/%d/revoke", k.ID)
	if r := c.post(revoke, url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	if _, err := store.Authenticate(ctx, secret); err != apikeys.ErrRevoked {
		t.Errorf("after revoking it: %v; want ErrRevoked", err)
	}
	if r := c.post(revoke, url.Values{}); r.StatusCode != http.StatusNotFound {
		t.Errorf("revoke again: %d; want 404", r.StatusCode)
	}
	if r := c.post(expire, url.Values{"expires": {"2026-05-01"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("expiry of a revoked key: %d; want 404", r.StatusCode)
	}
	if page := c.get("/admin/api-keys"); !strings.Contains(page.Body, ">revoked<") || strings.Contains(page.Body, revoke) {
		t.Errorf("the revoked key is not shown as revoked, or can still be revoked")
	}

	var actions string
	if err := db.PG.QueryRow(ctx, `SELECT string_agg(action || ' ' || target || ' ' || actor_email, '; ' ORDER BY id)
		FROM audit_log WHERE action LIKE 'api_key%'`).Scan(&actions); err != nil {
		t.Fatal(err)
	}
	target := fmt.Sprintf("api key %d admin@mari.example", k.ID)
	if want := "api_key_created " + target + "; api_key_expiry_set " + target + "; api_key_expiry_set " + target + "; api_key_revoked " + target; actions != want {
		t.Errorf("audit:\n got %s\nwant %s", actions, want)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log a WHERE strpos(a::text, $1) > 0`, secret[len(apikeys.Prefix):]); n != 0 {
		t.Errorf("the key is in %d audit entries", n)
	}
}
