package e2e

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mari/alerts"
	"mari/auth"
	"mari/dbtest"
)

// The alerts page and the operations banner in a real browser, as ops sees them: a firing rule
// (named like an injection attempt, which must show as text) on top of the list and in the
// wall screen's banner; a second rule that starts firing while the wall screen is open appears
// in its banner at a refresh, without a reload. The page is looked at on a phone and a laptop.
func TestAlertsInBrowser(t *testing.T) {
	db := dbtest.New(t)
	now := time.Now()
	url, b := opsApp(t, db, db.CH, now)
	ctx := context.Background()
	svc := &alerts.Service{DB: db.PG, Now: func() time.Time { return now }}
	ops := auth.Actor{Email: "wall@mari.example"}
	name := `<img src=x onerror=alert(1)> Stream stalled`
	for _, f := range []alerts.Form{
		{Name: name, Template: "no_events", Window: "5", For: "0"},
		{Name: "Rollups", Template: "rollup_failure", For: "0"},
	} {
		if _, err := svc.Create(ctx, ops, f); err != nil {
			t.Fatal(err)
		}
	}
	ev := alerts.NewEvaluator(db.PG, 30*time.Second, url, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ev.Now = func() time.Time { return now }
	if led, changed := ev.Tick(ctx); !led || changed != 1 {
		t.Fatalf("evaluation: led %v, %d changes", led, changed)
	}

	res, err := b.Load(url+"/alerts", url, PageTimeout)
	if res != nil && len(res.Screenshot) > 0 {
		saveScreenshot(t, "AlertsInBrowser", res.Screenshot)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems() {
		t.Errorf("/alerts: %s", p)
	}
	for _, s := range []string{name, "firing", "Rollups", "Success rate below a threshold", "Webhooks are off on this server", "History"} {
		if !strings.Contains(res.Text, s) {
			t.Errorf("the alerts page does not show %q", s)
		}
	}
	if strings.Index(res.Text, name) > strings.Index(res.Text, "Rollups") {
		t.Error("the firing rule is not listed first")
	}

	tab, err := b.NewTab(url)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	for _, width := range []int64{390, 1440} {
		tctx, cancel := context.WithTimeout(tab.Ctx, 30*time.Second)
		err := chromedp.Do(tctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(url+"/alerts"), chromedp.WaitVisible(`#rules`))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		snap, err := tab.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		saveScreenshot(t, "AlertsInBrowser_"+strconv.FormatInt(width, 10), snap.Screenshot)
		for _, p := range snap.Problems() {
			t.Errorf("/alerts at %d px: %s", width, p)
		}
	}

	// On a phone: open the success-rate template, ask for 150% over 0 minutes, and get the
	// form back with what is wrong, nothing saved.
	fctx, fcancel := context.WithTimeout(tab.Ctx, 30*time.Second)
	err = chromedp.Do(fctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(url+"/alerts"),
		chromedp.Click(`#new-success_rate > summary`),
		chromedp.SetValue(`#alert-success_rate-name`, "Impossible"),
		chromedp.SetValue(`#alert-success_rate-threshold`, "150"),
		chromedp.SetValue(`#alert-success_rate-window`, "0"),
		chromedp.Click(`#new-success_rate button[type=submit]`),
		chromedp.WaitVisible(`#err-alert-success_rate-threshold`))
	fcancel()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := tab.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	saveScreenshot(t, "AlertsInBrowser_refused_390", snap.Screenshot)
	for _, s := range []string{alerts.MsgPercent, alerts.MsgWindow, "The rule was not created"} {
		if !strings.Contains(snap.Text, s) {
			t.Errorf("the refused form does not say %q", s)
		}
	}
	for _, p := range snap.Problems() {
		if !strings.Contains(p, "400") { // the refusal's own status
			t.Errorf("refused form: %s", p)
		}
	}
	if n := db.Count(t, `SELECT count(*) FROM alert_rules`); n != 2 {
		t.Errorf("%d rules after a refused form; want 2", n)
	}

	wctx, cancel := context.WithTimeout(tab.Ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(url+"/ops?wall=1"),
		chromedp.WaitVisible(`[data-ops-alerts]`)); err != nil {
		t.Fatal(err)
	}
	banner := func() string {
		t.Helper()
		text, err := chromedp.Run(wctx, chromedp.Evaluate[string](`document.querySelector("[data-ops-alerts]").innerText`))
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	if got := banner(); !strings.Contains(got, "1 alert firing") || !strings.Contains(got, name) {
		t.Errorf("the wall screen's banner: %q", got)
	}
	// A rollup fails: the second rule fires, and the open wall screen shows it at a refresh.
	db.Exec(t, `INSERT INTO rollup_runs (job, mode, period_start, period_end, started_at, finished_at, rows_written, error)
		VALUES ('daily_metrics', 'partial', current_date, current_date, $1, $1, 0, 'statement timeout')`, now.Add(-time.Minute))
	ev.Now = func() time.Time { return now.Add(time.Second) }
	if _, changed := ev.Tick(ctx); changed != 1 {
		t.Fatalf("the rollup rule did not fire")
	}
	deadline := time.Now().Add(20 * time.Second)
	got := banner()
	for !strings.Contains(got, "2 alerts firing") && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		got = banner()
	}
	if !strings.Contains(got, "2 alerts firing") || !strings.Contains(got, "Rollups") || !strings.Contains(got, "daily_metrics failed") {
		t.Errorf("20 s after the rollup rule fired, without a reload, the banner says %q", got)
	}
	snap, err = tab.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	saveScreenshot(t, "AlertsInBrowser_wall_1920x1080", snap.Screenshot)
	for _, p := range snap.Problems() {
		t.Errorf("wall screen: %s", p)
	}
	if d := tab.Dialogs(); len(d) > 0 {
		t.Errorf("a rule's name ran as script: %v", d)
	}
}
