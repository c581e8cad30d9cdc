package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"mari/auth"
	"mari/e2e/browser"
)

// pgCount runs a count query on the app's database.
func pgCount(t *testing.T, h *Harness, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := h.App.DB.PG.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// waitJS polls js (an expression of type bool) until it holds or 15 s pass.
func waitJS(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen (%v)", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Actions that cannot be undone in one click ask first: the browser shows a confirm dialog
// with the question; Cancel posts nothing, OK posts. Leaving the model editor with typed,
// unsaved changes asks the browser's "leave site?" question; after saving it does not.
func TestConfirmations(t *testing.T) {
	h := New(t, AppOptions{})
	tab, err := h.Browser.NewTab(h.App.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	ctx, cancel := context.WithTimeout(tab.Ctx, 3*time.Minute)
	defer cancel()

	t.Run("revoke a display link", func(t *testing.T) {
		if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(h.App.URL+"/ops/display-links")); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.SetValue(`form.display-link-form input[name=name]`, "Confirm TV")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(`form.display-link-form button[type=submit]`)); err != nil {
			t.Fatalf("create the link: %v", err)
		}
		const live = `SELECT count(*) FROM display_links WHERE name = 'Confirm TV' AND revoked_at IS NULL`
		if n := pgCount(t, h, live); n != 1 {
			t.Fatalf("%d live links named Confirm TV; want 1", n)
		}
		revoke := `form[data-confirm^="Revoke the display link Confirm TV"] button[type=submit]`

		// Cancel: the question was asked, nothing was posted, the page stayed.
		tab.AcceptDialogs(false)
		before := len(tab.Dialogs())
		if err := chromedp.Do(ctx, chromedp.Click(revoke)); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, "the page settling", `document.readyState === 'complete'`)
		time.Sleep(time.Second) // a submit that got through would be on its way by now
		dialogs := tab.Dialogs()[before:]
		if len(dialogs) != 1 || !strings.HasPrefix(dialogs[0], "confirm: Revoke the display link Confirm TV?") {
			t.Fatalf("dialogs on Revoke: %q; want one confirm naming the link", dialogs)
		}
		if n := pgCount(t, h, live); n != 1 {
			t.Errorf("cancelled, yet the link was revoked")
		}
		if n := pgCount(t, h, `SELECT count(*) FROM audit_log WHERE action = 'display_link_revoked'`); n != 0 {
			t.Errorf("cancelled, yet %d revocations audited", n)
		}

		// OK: revoked.
		tab.AcceptDialogs(true)
		defer tab.AcceptDialogs(false)
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(revoke)); err != nil {
			t.Fatalf("confirm the revocation: %v", err)
		}
		if n := pgCount(t, h, live); n != 0 {
			t.Errorf("confirmed, yet the link is live")
		}
		if got := tab.Dialogs()[before:]; len(got) != 2 {
			t.Errorf("dialogs: %q; want the cancelled and the accepted confirm", got)
		}
	})

	t.Run("without JavaScript a box must be ticked", func(t *testing.T) {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		defer func() {
			_, _ = chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		}()
		if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(h.App.URL+"/ops/display-links")); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.SetValue(`form.display-link-form input[name=name]`, "NoScript TV")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(`form.display-link-form button[type=submit]`)); err != nil {
			t.Fatalf("create the link: %v", err)
		}
		const live = `SELECT count(*) FROM display_links WHERE name = 'NoScript TV' AND revoked_at IS NULL`
		form := `form[data-confirm^="Revoke the display link NoScript TV"]`
		before := len(tab.Dialogs())
		// Unticked: the browser refuses to submit the form.
		if err := chromedp.Do(ctx, chromedp.Click(form+` button[type=submit]`)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if n := pgCount(t, h, live); n != 1 {
			t.Fatalf("revoked without ticking the box")
		}
		// Ticked: revoked, and no script dialog was involved.
		if err := chromedp.Do(ctx, chromedp.Click(form+` input[type=checkbox]`)); err != nil {
			t.Fatalf("tick the box: %v", err)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(form+` button[type=submit]`)); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		if n := pgCount(t, h, live); n != 0 {
			t.Errorf("ticked and submitted, yet the link is live")
		}
		if d := tab.Dialogs()[before:]; len(d) != 0 {
			t.Errorf("dialogs without JavaScript: %q", d)
		}
	})

	t.Run("disable an account", func(t *testing.T) {
		if _, _, err := h.App.Auth.Create(context.Background(), auth.Actor{Email: "e2e"}, "carol@mari.example", "Carol", auth.RoleOps); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(h.App.URL+"/admin/accounts")); err != nil {
			t.Fatal(err)
		}
		const enabled = `SELECT count(*) FROM staff_accounts WHERE email = 'carol@mari.example' AND NOT disabled`
		disable := `form[data-confirm^="Disable carol@mari.example?"] button[type=submit]`
		tab.AcceptDialogs(false)
		before := len(tab.Dialogs())
		if err := chromedp.Do(ctx, chromedp.Click(disable)); err != nil {
			t.Fatal(err)
		}
		waitDialogs(t, tab, before+1)
		time.Sleep(time.Second)
		if d := tab.Dialogs()[before:]; len(d) != 1 || !strings.HasPrefix(d[0], "confirm: Disable carol@mari.example?") {
			t.Errorf("dialogs on Disable: %q", d)
		}
		if pgCount(t, h, enabled) != 1 {
			t.Errorf("cancelled, yet the account was disabled")
		}
		tab.AcceptDialogs(true)
		defer tab.AcceptDialogs(false)
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(disable)); err != nil {
			t.Fatal(err)
		}
		if pgCount(t, h, enabled) != 0 {
			t.Errorf("confirmed, yet the account is enabled")
		}
	})

	t.Run("model editor warns of unsaved changes", func(t *testing.T) {
		if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(h.App.URL+"/model/seed")); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.SetValue(`form[action="/model/seed/clone"] input[name=name]`, "Unsaved case")); err != nil {
			t.Fatal(err)
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(`form[action="/model/seed/clone"] button[type=submit]`))
		if err != nil || !strings.Contains(resp.URL, "saved=new") {
			t.Fatalf("clone: %v %+v", err, resp)
		}
		editor := resp.URL
		waitJS(t, ctx, "the editor's charts", `document.querySelectorAll('[data-echarts-drawn]').length === 2`)

		// Leaving without typing asks nothing.
		before := len(tab.Dialogs())
		leave(t, ctx, h.App.URL+"/glossary")
		if d := tab.Dialogs()[before:]; len(d) != 0 {
			t.Errorf("leaving an untouched editor asked: %q", d)
		}

		// Typed changes: leaving asks, and Cancel keeps the page and the typed value.
		if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(editor)); err != nil {
			t.Fatal(err)
		}
		users := `input[name="y1.users"]`
		if err := chromedp.Do(ctx, chromedp.SendKeys(users, "1")); err != nil {
			t.Fatal(err)
		}
		typed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name="y1.users"]').value`))
		if err != nil {
			t.Fatal(err)
		}
		tab.AcceptDialogs(false)
		before = len(tab.Dialogs())
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(location.href = '/glossary', true)`)); err != nil {
			t.Fatal(err)
		}
		waitDialogs(t, tab, before+1)
		if d := tab.Dialogs()[before:]; len(d) != 1 || !strings.HasPrefix(d[0], "beforeunload") {
			t.Fatalf("leaving with typed changes: dialogs %q; want one beforeunload", d)
		}
		time.Sleep(500 * time.Millisecond)
		still, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + ' ' + document.querySelector('input[name="y1.users"]').value`))
		if err != nil || still != editorPath(editor)+" "+typed {
			t.Errorf("after Cancel the page is %q (%v); want the editor with the typed value", still, err)
		}

		// Saving clears the warning: the saved page leaves without a question.
		resp, err = chromedp.RunResponse(ctx, chromedp.Click(`#model-form button[type=submit]:not([name])`))
		if err != nil {
			t.Fatalf("save: %v", err)
		}
		waitJS(t, ctx, "the saved editor", `document.readyState === 'complete' && !!document.getElementById('model-form')`)
		before = len(tab.Dialogs())
		leave(t, ctx, h.App.URL+"/glossary")
		if d := tab.Dialogs()[before:]; len(d) != 0 {
			t.Errorf("leaving after saving asked: %q", d)
		}
	})
}

// confirmQuestions begin the questions of the guarded forms (static/confirm.js).
var confirmQuestions = []string{"confirm: Publish this report?", "confirm: Revoke the ", "confirm: Rotate the ",
	"confirm: Disable ", "confirm: Delete the alert rule "}

// unexpectedDialogs are the dialogs other than the guarded forms' questions: an alert() a
// hostile narrative managed to run would be one.
func unexpectedDialogs(dialogs []string) []string {
	var out []string
	for _, d := range dialogs {
		ours := false
		for _, q := range confirmQuestions {
			ours = ours || strings.HasPrefix(d, q)
		}
		if !ours {
			out = append(out, d)
		}
	}
	return out
}

// editorPath is the path of an editor's URL.
func editorPath(url string) string {
	path := url[strings.Index(url[8:], "/")+8:]
	path, _, _ = strings.Cut(path, "?")
	return path
}

// leave navigates away by script and waits until the new page has loaded.
func leave(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(location.href = `+jsString(url)+`, true)`)); err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(url, url[:strings.Index(url[8:], "/")+8])
	waitJS(t, ctx, "arriving at "+path, `location.pathname === `+jsString(path)+` && document.readyState === 'complete'`)
}

func waitDialogs(t *testing.T, tab *browser.Tab, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(tab.Dialogs()) < n && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
