package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mari/auth"
)

// An executive clones the seed plan in the browser, types a new year-1 user count, and sees
// the yearly table and the revenue chart change without a page reload; a bad value gets its
// message next to the field while the last good results stay. The console stays clean.
func TestModelEditorLivePreview(t *testing.T) {
	h := New(t, AppOptions{Role: auth.RoleExecutive})

	// The pages a reader opens load and draw.
	t.Run("list", func(t *testing.T) {
		res := h.CheckPage(t, "/model")
		if !strings.Contains(res.Text, "Seed plan") {
			t.Errorf("the list does not show the seed plan:\n%s", res.Text)
		}
	})
	t.Run("sensitivity", func(t *testing.T) {
		if res := h.CheckPage(t, "/model/seed/sensitivity"); res.Charts != 2 {
			t.Errorf("%d charts drawn; want the two tornado charts", res.Charts)
		}
	})
	t.Run("actuals", func(t *testing.T) {
		res := h.CheckPage(t, "/model/seed/actuals")
		if res.Charts != 2 || !strings.Contains(res.Text, "complete months within ±5%") {
			t.Errorf("%d charts; text:\n%s", res.Charts, res.Text)
		}
	})

	tab, err := h.Browser.NewTab(h.App.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	ctx, cancel := context.WithTimeout(tab.Ctx, 2*time.Minute)
	defer cancel()

	if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(h.App.URL+"/model/seed")); err != nil {
		t.Fatalf("open the seed plan: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(`form[action="/model/seed/clone"] input[name=name]`, "Browser case")); err != nil {
		t.Fatalf("name the clone: %v", err)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(`form[action="/model/seed/clone"] button[type=submit]`))
	if err != nil || resp.Status != http.StatusOK || !strings.Contains(resp.URL, "/model/1?saved=new") {
		t.Fatalf("clone: %v %+v", err, resp)
	}

	// cellAndChart reads the year-1 revenue cell (its exact value) and the first bar of the
	// revenue chart as drawn.
	cellAndChart := func() (string, float64) {
		t.Helper()
		cell, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById('res-y1-total_revenue') || {}).title || ''`))
		if err != nil {
			t.Fatal(err)
		}
		bar, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => {
			const el = document.querySelector('[data-echarts="chart-model-revenue-costs"]');
			const c = el && echarts.getInstanceByDom(el);
			return c ? Number(c.getOption().series[0].data[0]) : -1; })()`))
		if err != nil {
			t.Fatal(err)
		}
		return cell, bar
	}
	waitFor := func(what, js string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({status: (document.getElementById('model-status') || {}).textContent,
					field: (document.querySelector('input[name="y1.users"]') || {}).value,
					message: (document.getElementById('err-y1.users') || {}).textContent})`))
				t.Fatalf("%s did not happen (%v); editor state %s", what, err, state)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("the charts drawing", `document.querySelectorAll('[data-echarts-drawn]').length === 2`)
	cell, bar := cellAndChart()
	if cell != "9000000.00" || bar != 9000000 {
		t.Fatalf("before typing: cell %q, bar %v; want the seed's year-1 revenue 9 000 000", cell, bar)
	}
	// A marker that a page reload would wipe.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(window.__noReload = true)`)); err != nil {
		t.Fatal(err)
	}

	// Year-1 users 350 000 → 700 000: revenue 700 000 × 20 × 12 × R0.10 + R600 000 licensing.
	users := `input[name="y1.users"]`
	// typeUsers empties the field by script (no input event), then types value key by key as
	// a person would.
	typeUsers := func(value string) error {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('input[name="y1.users"]').value = '') === ''`)); err != nil {
			return err
		}
		return chromedp.Do(ctx, chromedp.SendKeys(users, value))
	}
	if err := typeUsers("700000"); err != nil {
		t.Fatalf("type the users: %v", err)
	}
	waitFor("the table and chart updating", `(document.getElementById('res-y1-total_revenue') || {}).title === '17400000.00'`)
	waitFor("the chart updating", `(() => { const c = echarts.getInstanceByDom(document.querySelector('[data-echarts="chart-model-revenue-costs"]'));
		return c && Number(c.getOption().series[0].data[0]) === 17400000; })()`)
	cell, bar = cellAndChart()
	if cell != "17400000.00" || bar != 17400000 {
		t.Errorf("after typing: cell %q, bar %v; want 17 400 000", cell, bar)
	}

	// A negative count: the message appears next to the field and the results stay.
	if err := typeUsers("-5"); err != nil {
		t.Fatalf("type a bad value: %v", err)
	}
	waitFor("the field's message", `(document.getElementById('err-y1.users') || {}).textContent === 'Cannot be negative.'`)
	if cell, _ := cellAndChart(); cell != "17400000.00" {
		t.Errorf("a bad value replaced the last good results: %q", cell)
	}
	stayed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__noReload === true`))
	if err != nil || !stayed {
		t.Errorf("the page reloaded (%v)", err)
	}
	if err := typeUsers("700000"); err != nil {
		t.Fatal(err)
	}
	waitFor("the message clearing", `(document.getElementById('err-y1.users') || {}).textContent === ''`)

	snap, err := tab.Snapshot()
	if snap != nil && len(snap.Screenshot) > 0 {
		saveScreenshot(t, screenshotName(t.Name()), snap.Screenshot)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range snap.Problems() {
		t.Errorf("console or network: %s", p)
	}
	if d := tab.Dialogs(); len(d) > 0 {
		t.Errorf("dialogs opened: %v", d)
	}

	// An expired session: its CSRF token no longer matches, so the server refuses the preview
	// (403). The editor says to reload, and the last good results stay.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#model-form input[name="_csrf"]').value = 'expired') === 'expired'`)); err != nil {
		t.Fatal(err)
	}
	if err := typeUsers("800000"); err != nil {
		t.Fatal(err)
	}
	waitFor("the expired-session message", `((document.getElementById('model-status') || {}).textContent || '').indexOf('session has expired') >= 0`)
	if cell, _ := cellAndChart(); cell != "17400000.00" {
		t.Errorf("a refused preview replaced the last good results: %q", cell)
	}

	// The clone's other pages: the monthly view, its history, and a comparison with the seed.
	t.Run("monthly", func(t *testing.T) {
		res := h.CheckPage(t, "/model/1?view=monthly")
		if res.Charts != 2 || !strings.Contains(res.Text, "Year 5, month 12") {
			t.Errorf("%d charts; the monthly table does not reach year 5, month 12", res.Charts)
		}
	})
	t.Run("history", func(t *testing.T) {
		if res := h.CheckPage(t, "/model/1/history"); !strings.Contains(res.Text, "cloned from Seed plan") {
			t.Errorf("history:\n%s", res.Text)
		}
	})
	t.Run("compare", func(t *testing.T) {
		if res := h.CheckPage(t, "/model/compare?s=seed&s=1"); res.Charts != 1 || !strings.Contains(res.Text, "Seed plan (baseline)") {
			t.Errorf("%d charts; text:\n%s", res.Charts, res.Text)
		}
	})
}
