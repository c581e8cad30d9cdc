package e2e

import (
	"strings"
	"testing"
)

// A person opens the dashboard signed out, lands on the sign-in form, signs in, and gets the
// dashboard with its charts; the header names them and offers sign-out.
func TestSignInInBrowser(t *testing.T) {
	h := NewSignedOut(t, AppOptions{Role: "executive"})
	res := h.CheckPage(t, "/")
	if !strings.Contains(res.Text, "Sign in to Mari BI") || res.Charts != 0 {
		t.Fatalf("signed out, / does not show the sign-in form:\n%s", res.Text)
	}
	if landed := h.SignIn(t); landed != "/" {
		t.Errorf("an executive landed on %s after sign-in; want /", landed)
	}
	dash := h.CheckPage(t, "/")
	if dash.Charts == 0 || !strings.Contains(dash.Text, "Executive dashboard") {
		t.Errorf("signed in, the dashboard drew %d charts:\n%s", dash.Charts, dash.Text)
	}
	if !strings.Contains(dash.Text, h.App.Email) || !strings.Contains(dash.Text, "Sign out") {
		t.Errorf("the header does not show the signed-in email and a sign-out button")
	}
	if strings.Contains(dash.Text, "Accounts") {
		t.Errorf("an executive's menu offers the admin pages")
	}
}

// The admin pages and the change-password page load cleanly in a browser.
func TestAdminPagesInBrowser(t *testing.T) {
	h := New(t, AppOptions{})
	for _, p := range []struct{ path, want string }{
		{"/admin/accounts", h.App.Email},
		{"/admin/audit", "signin"},
		{"/account/password", "Change your password"},
	} {
		t.Run(strings.Trim(strings.ReplaceAll(p.path, "/", "_"), "_"), func(t *testing.T) {
			res := h.CheckPage(t, p.path)
			if !strings.Contains(res.Text, p.want) {
				t.Errorf("%s lacks %q:\n%s", p.path, p.want, res.Text)
			}
		})
	}
}
