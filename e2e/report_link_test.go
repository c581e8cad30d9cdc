package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	neturl "net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/calendar"
	"mari/e2e/browser"
	"mari/views"
)

// The investor-report journey in a real browser: an executive checks the dashboard, writes
// and publishes last month's report (with a script tag in its narrative), and creates a
// read-only link for an investor. The investor opens it in a separate browser with an empty
// profile: the report and its figures, the narrative as plain text, no way into the app, no
// cookies, no console errors. Once the executive revokes the link, the same address shows
// only "This link is not valid." with a 404.
func TestInvestorLinkInBrowser(t *testing.T) {
	began := time.Now()
	step := began
	lap := func(what string) {
		t.Logf("timing: %-38s %6s", what, time.Since(step).Round(time.Millisecond))
		step = time.Now()
	}
	h := New(t, AppOptions{Role: auth.RoleExecutive})
	lap("app, demo data, browser, sign-in")

	if !t.Run("executive dashboard", func(t *testing.T) {
		res := h.CheckPage(t, "/")
		if res.Charts == 0 || !strings.Contains(res.Text, "Executive dashboard") {
			t.Errorf("the executive dashboard drew %d charts:\n%s", res.Charts, res.Text)
		}
	}) {
		t.FailNow()
	}
	lap("dashboard drawn")

	// The most recent complete calendar month (SAST); the demo data ends now, so it is covered.
	month := calendar.Today(time.Now()).MonthStart().AddMonths(-1)
	monthLabel := month.Time().Format("January 2006")
	const script = `<script>alert(1)</script>`
	milestones := "Signed a third bank partner " + script + " & crossed 1 000 users."
	challenges := "Failed transfers at one bank rose in the last week."
	goals := "Launch referrals in Gauteng."

	staff, err := h.Browser.NewTab(h.App.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer staff.Close()
	staff.AcceptDialogs(true) // publishing and revoking ask first; the executive answers OK
	ctx, cancel := context.WithTimeout(staff.Ctx, 2*time.Minute)
	defer cancel()

	// submit clicks sel and waits for the page it leads to; it fails the test unless that
	// page is a 200 whose address contains wantURL.
	submit := func(what, sel, wantURL string) string {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel))
		if err != nil {
			t.Fatalf("%s: click %s: %v", what, sel, err)
		}
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		if resp.Status != http.StatusOK || !strings.Contains(resp.URL, wantURL) {
			t.Fatalf("%s: got HTTP %d at %s; want 200 at …%s. Page:\n%s", what, resp.Status, resp.URL, wantURL, text)
		}
		return text
	}

	// The list of reports, and a draft of the month.
	if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(h.App.URL+"/reports")); err != nil {
		t.Fatalf("open /reports: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(`form[action="/reports"] input[name=month]`, month.MonthKey())); err != nil {
		t.Fatalf("fill in the month: %v", err)
	}
	text := submit("start a draft", `form[action="/reports"] button[type=submit]`, "/reports/")
	if !strings.Contains(text, monthLabel) || !strings.Contains(text, "Draft") {
		t.Fatalf("the new draft does not show %s as a draft:\n%s", monthLabel, text)
	}
	reportPath, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil || !regexp.MustCompile(`^/reports/\d+$`).MatchString(reportPath) {
		t.Fatalf("the draft is at %q (%v); want /reports/<id>", reportPath, err)
	}
	lap("draft started")

	// The narrative, typed key by key as a person would.
	for _, f := range []struct{ id, text string }{
		{"milestones", milestones}, {"challenges", challenges}, {"next_month_goals", goals},
	} {
		if err := chromedp.Do(ctx, chromedp.SendKeys("#"+f.id, f.text)); err != nil {
			t.Fatalf("type into %s: %v", f.id, err)
		}
	}
	text = submit("save the narrative", `form[action="`+reportPath+`"] button[type=submit]`, reportPath+"?saved=1")
	if !strings.Contains(text, "Draft saved.") || !strings.Contains(text, milestones) {
		t.Fatalf("after saving, the draft does not show the notice and the milestones:\n%s", text)
	}
	text = submit("publish", `form[action="`+reportPath+`/publish"] button[type=submit]`, reportPath+"?published=1")
	if !strings.Contains(text, "Published: the figures are frozen") {
		t.Fatalf("publishing did not confirm:\n%s", text)
	}
	if d := staff.Dialogs(); len(d) != 1 || !strings.HasPrefix(d[0], "confirm: Publish this report?") {
		t.Errorf("publishing asked %q; want one confirmation", d)
	}
	lap("narrative typed, saved, published")

	// A link for the investor; its address is shown once, in a read-only field.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(`input[name=recipient]`, "Thandi Investor"),
		chromedp.SetValue(`input[name=days]`, "30"),
	); err != nil {
		t.Fatalf("fill in the link form: %v", err)
	}
	text = submit("create a link", `form[action="`+reportPath+`/links"] button[type=submit]`, reportPath+"/links")
	if !strings.Contains(text, "Link for Thandi Investor. Copy it now") {
		t.Errorf("the new link is not announced for Thandi Investor:\n%s", text)
	}
	link, err := chromedp.Run(ctx, chromedp.Value(`input[aria-label="New link"]`))
	if err != nil {
		t.Fatalf("read the new link: %v", err)
	}
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(h.App.URL) + `/r/[A-Za-z0-9_-]{43}$`).MatchString(link) {
		t.Fatalf("the new link is %q; want %s/r/<43-character token>", link, h.App.URL)
	}
	staffPage := snapshot(t, staff, "report_signed_in")
	checkScriptIsText(t, ctx, staff, "the signed-in report page")
	for _, p := range staffPage.Problems() {
		t.Errorf("signed-in report pages: %s", p)
	}
	lap("link created")

	// The figures the shared page must show, worked out here from the source table: the
	// month's transactions and completed volume, by created_at in SAST.
	var txCount int64
	var volume decimal.Decimal
	if err := h.App.DB.PG.QueryRow(context.Background(), `
		SELECT count(*), coalesce(sum(amount) FILTER (WHERE status = 'COMPLETED'), 0)
		FROM transactions WHERE created_at >= $1 AND created_at < $2`,
		month.Start(), month.MonthEnd().End()).Scan(&txCount, &volume); err != nil {
		t.Fatal(err)
	}
	if txCount == 0 || !volume.IsPositive() {
		t.Fatalf("the demo data has %d transactions and R%s volume in %s; want some", txCount, volume, monthLabel)
	}

	// The investor: another Chromium with an empty profile, so nothing of the staff session.
	investor, err := browser.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer investor.Close()
	inv, err := investor.NewTab(h.App.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer inv.Close()
	ictx, icancel := context.WithTimeout(inv.Ctx, time.Minute)
	defer icancel()
	setCookies := &setCookieLog{urls: map[network.RequestID]string{}}
	if err := chromedp.Listen(inv.Ctx, setCookies.listen); err != nil {
		t.Fatal(err)
	}
	lap("investor's browser started")

	resp, err := chromedp.Run(ictx, chromedp.NavigateResponse(link))
	if err != nil {
		t.Fatalf("open the link in a fresh browser: %v", err)
	}
	shared := snapshot(t, inv, "shared_link")
	lap("shared link opened")
	if resp.Status != http.StatusOK {
		t.Errorf("the link answered HTTP %d; want 200:\n%s", resp.Status, shared.Text)
	}
	for _, want := range []string{monthLabel, "Monthly investor report", "Version 1", "Published",
		milestones, challenges, goals, "Confidential: shared with you"} {
		// innerText follows the CSS: the kicker line is in capitals on screen.
		if !strings.Contains(strings.ToLower(shared.Text), strings.ToLower(want)) {
			t.Errorf("the shared page lacks %q:\n%s", want, shared.Text)
		}
	}
	if strings.Contains(shared.Text, "figures live") {
		t.Errorf("the shared page says its figures are live; a published report's are frozen")
	}
	figures := figureCells(t, ictx)
	if got, want := figures["Completed volume"], views.Rand(volume); got != want {
		t.Errorf("the shared page shows completed volume %q; the month's completed transactions sum to %q (all rows: %v)", got, want, figures)
	}
	if got, want := figures["Transactions"], views.Count(txCount); got != want {
		t.Errorf("the shared page shows %q transactions; the month has %q (all rows: %v)", got, want, figures)
	}
	checkScriptIsText(t, ictx, inv, "the shared page")
	checkNoWayIn(t, ictx, h.App.URL, "the shared page")
	checkNoCookies(t, ictx, h.App.URL, "the shared page", setCookies)
	for _, p := range shared.Problems() {
		t.Errorf("the shared page: %s", p)
	}
	for _, w := range shared.Warnings {
		t.Logf("the shared page: %s", w)
	}

	// The executive revokes the link; the list records the investor's view and the revocation.
	text = submit("revoke the link", `form[action$="/revoke"] button[type=submit]`, reportPath+"?revoked=1")
	if !strings.Contains(text, "Link revoked: it no longer opens the report.") {
		t.Errorf("revoking did not confirm:\n%s", text)
	}
	row, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const r = Array.from(document.querySelectorAll('table.links tbody tr'))
			.find(tr => tr.cells[0].innerText === 'Thandi Investor');
		return r ? Array.from(r.cells).map(c => c.innerText.trim()).join(' | ') : '';
	})()`))
	if err != nil || !strings.Contains(strings.ToLower(row), "revoked") || !strings.Contains(row, "| 1 |") {
		t.Errorf("the links table row for Thandi Investor is %q (%v); want it revoked with 1 view", row, err)
	}
	if !strings.Contains(text, "HeadlessChrome") {
		t.Errorf("the view log does not show the investor's browser:\n%s", text)
	}
	lap("link revoked")

	resp, err = chromedp.RunResponse(ictx, chromedp.Reload())
	if err != nil {
		t.Fatalf("reload the revoked link: %v", err)
	}
	gone := snapshot(t, inv, "shared_link_revoked")
	lap("revoked link reloaded")
	if resp.Status != http.StatusNotFound {
		t.Errorf("the revoked link answered HTTP %d; want 404", resp.Status)
	}
	if got := strings.TrimSpace(gone.Text); got != "This link is not valid." {
		t.Errorf("the revoked link shows %q; want only \"This link is not valid.\"", got)
	}
	checkNoWayIn(t, ictx, h.App.URL, "the revoked link's page")
	checkNoCookies(t, ictx, h.App.URL, "the revoked link's page", setCookies)
	for _, p := range gone.Problems() {
		if p == "request: "+link+": HTTP 404" {
			continue // the page itself: the 404 is what it must answer
		}
		t.Errorf("the revoked link's page: %s", p)
	}
	if d := inv.Dialogs(); len(d) > 0 {
		t.Errorf("the investor's browser opened dialogs: %q", d)
	}
	if d := unexpectedDialogs(staff.Dialogs()); len(d) > 0 {
		t.Errorf("the executive's browser opened dialogs: %q", d)
	}
	t.Logf("timing: %-38s %6s", "whole test", time.Since(began).Round(time.Millisecond))
}

// snapshot takes what tab shows now and saves its screenshot as InvestorLinkInBrowser_<name>.
func snapshot(t *testing.T, tab *browser.Tab, name string) *browser.PageResult {
	t.Helper()
	res, err := tab.Snapshot()
	if res != nil && len(res.Screenshot) > 0 {
		saveScreenshot(t, screenshotName(t.Name())+"_"+name, res.Screenshot)
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

// figureCells reads the report's figures table: row label → the month's value.
func figureCells(t *testing.T, ctx context.Context) map[string]string {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`Object.fromEntries(
		Array.from(document.querySelectorAll('.report-figures tbody tr'))
			.map(tr => [tr.querySelector('th').innerText.trim(), tr.querySelector('td').innerText.trim()]))`))
	if err != nil {
		t.Fatalf("read the figures table: %v", err)
	}
	out := map[string]string{}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("decode the figures table %s: %v", raw, err)
	}
	return out
}

// checkScriptIsText asserts that the narrative's <script> tag is shown as text: it is in a
// .narrative paragraph's text, no element was made of it, and no dialog opened.
func checkScriptIsText(t *testing.T, ctx context.Context, tab *browser.Tab, where string) {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`({
		shown: Array.from(document.querySelectorAll('.narrative')).some(p => p.textContent.includes('<script>alert(1)</script>')),
		scripts: Array.from(document.querySelectorAll('script')).filter(s => s.textContent.includes('alert(')).length,
	})`))
	if err != nil {
		t.Fatalf("%s: read the narrative: %v", where, err)
	}
	var got struct {
		Shown   bool `json:"shown"`
		Scripts int  `json:"scripts"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if !got.Shown || got.Scripts != 0 {
		t.Errorf("%s: the narrative's script tag shown as text: %v; script elements running it: %d", where, got.Shown, got.Scripts)
	}
	if d := unexpectedDialogs(tab.Dialogs()); len(d) > 0 {
		t.Errorf("%s: dialogs opened: %q", where, d)
	}
}

// checkNoWayIn asserts that the page offers no way into the app: no navigation bar, no
// link or form that leads to one of the app's pages.
func checkNoWayIn(t *testing.T, ctx context.Context, appURL, where string) {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`({
		navs: document.querySelectorAll('nav').length,
		links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
		forms: Array.from(document.querySelectorAll('form')).map(f => f.action),
	})`))
	if err != nil {
		t.Fatalf("%s: read the links: %v", where, err)
	}
	var got struct {
		Navs  int      `json:"navs"`
		Links []string `json:"links"`
		Forms []string `json:"forms"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Navs != 0 {
		t.Errorf("%s has %d <nav> elements; want none", where, got.Navs)
	}
	app, _ := neturl.Parse(appURL)
	var inApp []string
	for _, l := range append(got.Links, got.Forms...) {
		u, err := neturl.Parse(l)
		if err != nil || u.Host == app.Host {
			inApp = append(inApp, l)
		}
	}
	if len(inApp) > 0 {
		t.Errorf("%s leads into the app (%d a[href], %d forms): %q; every a[href]: %q",
			where, len(got.Links), len(got.Forms), inApp, got.Links)
	}
}

// checkNoCookies asserts that the browser holds no cookie at all: not for the page's script,
// not for the app's address, not anywhere in its profile.
func checkNoCookies(t *testing.T, ctx context.Context, appURL, where string, sets *setCookieLog) {
	t.Helper()
	doc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`))
	if err != nil {
		t.Fatalf("%s: document.cookie: %v", where, err)
	}
	forApp, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{appURL + "/", appURL + "/r/"}})
	if err != nil {
		t.Fatalf("%s: Network.getCookies: %v", where, err)
	}
	all, err := chromedp.CallBrowser(ctx, storage.GetCookies, storage.GetCookiesParams{})
	if err != nil {
		t.Fatalf("%s: Storage.getCookies: %v", where, err)
	}
	if doc != "" || len(forApp.Cookies) > 0 || len(all.Cookies) > 0 {
		t.Errorf("%s: the investor's browser got cookies: document.cookie %q; for the app %s; in the profile %s; set by %q",
			where, doc, cookieNames(forApp.Cookies), cookieNames(all.Cookies), sets.list())
	}
}

// setCookieLog records every response that set a cookie, so a failure can say which did.
type setCookieLog struct {
	mu   sync.Mutex
	urls map[network.RequestID]string
	sets []string
}

func (l *setCookieLog) listen(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		l.urls[ev.RequestID] = ev.Request.URL
	case *network.EventResponseReceivedExtraInfo:
		for k, v := range ev.Headers {
			if strings.EqualFold(k, "Set-Cookie") {
				l.sets = append(l.sets, fmt.Sprintf("%s (HTTP %d): %v", l.urls[ev.RequestID], ev.StatusCode, v))
			}
		}
	}
}

func (l *setCookieLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.sets...)
}

func cookieNames(cs []*network.Cookie) string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s (%s%s)", c.Name, c.Domain, c.Path))
	}
	return "[" + strings.Join(out, ", ") + "]"
}
