package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"mari/e2e/browser"
)

// phonePages are the GET pages of the page registry (web/pages.go) that a person opens, with
// the demo data: every page an admin sees, the public ones (sign-in, an investor link, a wall
// screen) and the error pages. The CSV, XLSX and machine routes are files, not pages, and are
// left out. When a page is added to the registry, add it here.
func phonePages(t *testing.T, h *Harness) []chartPage {
	t.Helper()
	var code string
	err := h.App.DB.PG.QueryRow(context.Background(), `SELECT bank_id FROM transactions
		WHERE bank_id IS NOT NULL GROUP BY bank_id ORDER BY count(*) DESC LIMIT 1`).Scan(&code)
	if err != nil {
		t.Fatal(err)
	}
	display, reportID, reportToken := sharedLinks(t, h)
	scenario := baseCase(t, h)
	return []chartPage{
		{"password", "/account/password", false},
		{"executive", "/", true},
		{"reports", "/reports", false},
		{"report", fmt.Sprintf("/reports/%d", reportID), false},
		{"report_link", "/r/" + reportToken, false},
		{"ops", "/ops", true},
		{"display_links", "/ops/display-links", false},
		{"wall", "/display/" + display, true},
		{"incidents", "/incidents", false},
		{"alerts", "/alerts", false},
		{"quality", "/quality", false},
		{"growth", "/growth", true},
		{"banks", "/banks", false},
		{"bank_new", "/banks/new", false},
		{"bank", "/banks/" + code, true},
		{"bank_edit", "/banks/" + code + "/edit", false},
		{"transactions", "/transactions", false},
		{"model", "/model", false},
		{"model_compare", fmt.Sprintf("/model/compare?s=seed&s=%d", scenario), true},
		{"scenario_editor", fmt.Sprintf("/model/%d", scenario), true},
		{"model_editor", "/model/seed", true},
		{"model_history", "/model/seed/history", false},
		{"model_sensitivity", "/model/seed/sensitivity", true},
		{"model_actuals", "/model/seed/actuals", true},
		{"glossary", "/glossary", false},
		{"api", "/api", false},
		{"accounts", "/admin/accounts", false},
		{"audit", "/admin/audit", false},
		{"ingest", "/admin/ingest", false},
		{"api_keys", "/admin/api-keys", false},
		{"not_found", "/no-such-page", false},
		{"bad_report_link", "/r/not-a-token", false},
	}
}

// overflowJS measures the page at the window's width: how wide the document is, and the
// elements that reach past the window's right edge, widest first, outside any box that
// scrolls sideways itself (a table in its scrolling card is allowed to be wide).
const overflowJS = `(() => {
  const vw = window.innerWidth;
  const scrolls = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if ((ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') && p.getBoundingClientRect().right <= vw + 1) return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1 || scrolls(el)) continue;
    wide.push({el: name(el), right: Math.round(r.right), width: Math.round(r.width),
      text: (el.innerText || '').trim().slice(0, 60)});
  }
  wide.sort((a, b) => b.right - a.right);
  return JSON.stringify({scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, wide: wide.slice(0, 5)});
})()`

type pageOverflow struct {
	ScrollWidth int `json:"scrollWidth"`
	InnerWidth  int `json:"innerWidth"`
	Wide        []struct {
		El    string `json:"el"`
		Right int    `json:"right"`
		Width int    `json:"width"`
		Text  string `json:"text"`
	} `json:"wide"`
}

// Every page fits a 390 px phone without the page scrolling sideways (tables scroll inside
// their own box), signed in or out; and on a 1440 px laptop the header is one line.
func TestPagesFitAPhoneInBrowser(t *testing.T) {
	h := New(t, AppOptions{})
	pages := phonePages(t, h)
	signedOut, err := browser.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(signedOut.Close)
	tab, err := h.Browser.NewTab(h.App.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	outTab, err := signedOut.NewTab(h.App.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer outTab.Close()
	pages = append(pages, chartPage{"signin", "/signin", false})

	// The pages whose layout this check changed are also measured and kept as screenshots on
	// a laptop and a wall screen, to be looked at; every page is kept at phone width.
	looked := map[string]bool{"growth": true, "report": true, "report_link": true, "model": true}
	for _, p := range pages {
		t.Run(p.Name, func(t *testing.T) {
			use := tab
			if p.Name == "signin" {
				use = outTab
			}
			widths := []int64{390}
			if looked[p.Name] {
				widths = append(widths, 1440, 1920)
			}
			for _, width := range widths {
				openDrawnPage(t, use, h.App.URL+p.Path, width)
				raw, err := chromedp.Run(use.Ctx, chromedp.Evaluate[string](overflowJS))
				if err != nil {
					t.Fatal(err)
				}
				var o pageOverflow
				if err := json.Unmarshal([]byte(raw), &o); err != nil {
					t.Fatalf("%s: %v", raw, err)
				}
				if o.ScrollWidth > o.InnerWidth {
					t.Errorf("%s at %d px is %d px wide (window %d); widest overflowing elements: %+v", p.Path, width, o.ScrollWidth, o.InnerWidth, o.Wide)
				}
				snap, err := use.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				saveScreenshot(t, fmt.Sprintf("%s_%d", screenshotName(t.Name()), width), snap.Screenshot)
			}
		})
	}

	// At 1440 px the header's labels stay on one line each and the header is one row.
	t.Run("header_1440", func(t *testing.T) {
		openDrawnPage(t, tab, h.App.URL+"/", 1440)
		raw, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[string](`(() => {
			const header = document.querySelector('.site-header');
			const line = parseFloat(getComputedStyle(document.querySelector('.site-header .brand')).lineHeight) ||
				1.5 * parseFloat(getComputedStyle(document.body).fontSize);
			const items = Array.from(header.querySelectorAll('.brand, .site-nav > a, .site-nav summary, .site-nav button, .site-nav form'))
				.filter(el => el.getBoundingClientRect().height > 0);
			const wrapped = items.filter(el => el.getBoundingClientRect().height > 1.6 * line)
				.map(el => el.innerText.trim() + ' (' + Math.round(el.getBoundingClientRect().height) + ' px)');
			const tops = items.map(el => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2));
			const rows = new Set(tops.map(t => Math.round(t / 8))).size;
			return JSON.stringify({line, height: header.getBoundingClientRect().height, wrapped, rows, items: items.length});
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Line    float64  `json:"line"`
			Height  float64  `json:"height"`
			Wrapped []string `json:"wrapped"`
			Rows    int      `json:"rows"`
			Items   int      `json:"items"`
		}
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		t.Logf("header at 1440 px: %.0f px high, %d items, line %.0f px", got.Height, got.Items, got.Line)
		if got.Items < 3 || len(got.Wrapped) > 0 || got.Rows > 1 {
			t.Errorf("at 1440 px the header is not one line: %d items in %d rows, wrapped labels %q (%s)", got.Items, got.Rows, got.Wrapped, raw)
		}
	})
}
