package web

import (
	"regexp"
	"strings"
	"testing"

	"mari/auth"
)

// Disabling an account asks first: the form carries the question static/confirm.js puts to
// the browser, and for a browser without JavaScript an "I'm sure" box it must tick.
func TestDisableAccountAsksFirst(t *testing.T) {
	_, e, svc := testServer(t, Config{})
	newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)
	newAccount(t, svc, "ops@mari.example", auth.RoleOps)
	c := newClient(t, e, "192.0.2.41")
	c.mustSignIn("admin@mari.example")
	page := c.get("/admin/accounts").Body
	form := regexp.MustCompile(`(?s)<form method="post" action="/admin/accounts/\d+/disable" data-confirm="([^"]*)">(.*?)</form>`).FindStringSubmatch(page)
	if form == nil {
		t.Fatalf("no guarded disable form:\n%s", page)
	}
	if !strings.HasPrefix(form[1], "Disable ops@mari.example?") {
		t.Errorf("the question is %q", form[1])
	}
	if !strings.Contains(form[2], `<noscript><label class="confirm-check small"><input type="checkbox" required> I'm sure</label></noscript>`) {
		t.Errorf("the form has no box for a browser without JavaScript:\n%s", form[2])
	}
	if !strings.Contains(page, `confirm.`) || !strings.Contains(page, `<a class="skip-link" href="#content">Skip to content</a>`) {
		t.Errorf("the layout loads no confirm script or has no skip link")
	}
}
