package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// darkBackground is --bg of app.css in dark mode, as the browser computes it.
const darkBackground = "rgb(15, 20, 26)"

// colorScheme makes the tab's pages see the system setting scheme ("dark" or "light").
func colorScheme(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		t.Fatalf("emulate prefers-color-scheme: %s: %v", scheme, err)
	}
}

// Dark mode follows the system setting on every kind of page, charts included; the skip link
// is the first tab stop and leads to the content; copy buttons put a one-time link on the
// clipboard or, where the clipboard is refused, select it; a "?" shows its definition on
// focus; the refresh picker keeps its choice.
func TestDarkModeAndConveniences(t *testing.T) {
	h := New(t, AppOptions{})
	tab, err := h.Browser.NewTab(h.App.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	ctx, cancel := context.WithTimeout(tab.Ctx, 4*time.Minute)
	defer cancel()

	open := func(t *testing.T, path string) {
		t.Helper()
		if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(h.App.URL+path)); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		waitJS(t, ctx, "the charts of "+path, `Array.from(document.querySelectorAll('[data-echarts]')).every(el => el.hasAttribute('data-echarts-drawn'))`)
	}
	background := func(t *testing.T) string {
		t.Helper()
		bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
		if err != nil {
			t.Fatal(err)
		}
		return bg
	}

	t.Run("dark mode", func(t *testing.T) {
		defer colorScheme(t, ctx, "light")
		for _, path := range []string{"/", "/growth", "/banks", "/admin/audit", "/glossary", "/ops", "/transactions"} {
			colorScheme(t, ctx, "dark")
			for _, width := range []int64{390, 1440, 1920} {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
					t.Fatal(err)
				}
				open(t, path)
				if bg := background(t); bg != darkBackground {
					t.Errorf("%s in dark mode at %d px: background %s; want %s", path, width, bg, darkBackground)
				}
				// A chart is drawn on a transparent background with light axis labels.
				theme, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
					const el = document.querySelector('[data-echarts-drawn]');
					const c = el && echarts.getInstanceByDom(el);
					if (!c) return 'no chart';
					return String(c.getOption().backgroundColor); })()`))
				if err != nil {
					t.Fatal(err)
				}
				if theme != "no chart" && theme != "transparent" {
					t.Errorf("%s in dark mode: chart background %q; want transparent (the dark theme)", path, theme)
				}
				snap, err := tab.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				saveScreenshot(t, fmt.Sprintf("DarkMode_%s_%d", pageName(path), width), snap.Screenshot)
				for _, p := range snap.Problems() {
					t.Errorf("%s dark at %d px: %s", path, width, p)
				}
				wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
				if err == nil && wide {
					t.Logf("%s at %d px is wider than the window (the phone-width part's to fix)", path, width)
				}
			}
			// The same page in light mode: the light background.
			colorScheme(t, ctx, "light")
			for _, width := range []int64{390, 1440} {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
					t.Fatal(err)
				}
				open(t, path)
				if bg := background(t); bg == darkBackground {
					t.Errorf("%s in light mode has the dark background", path)
				}
				if snap, err := tab.Snapshot(); err == nil {
					saveScreenshot(t, fmt.Sprintf("LightMode_%s_%d", pageName(path), width), snap.Screenshot)
				}
			}
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("skip link", func(t *testing.T) {
		open(t, "/banks")
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
		first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.className + ' ' + document.activeElement.textContent`))
		if err != nil || first != "skip-link Skip to content" {
			t.Fatalf("the first tab stop is %q (%v); want the skip link", first, err)
		}
		visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.getBoundingClientRect().top >= 0`))
		if err != nil || !visible {
			t.Errorf("the focused skip link is off screen")
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, "focus moving to the content", `location.hash === '#content' && document.activeElement.id === 'content'`)
	})

	t.Run("help definition on focus", func(t *testing.T) {
		open(t, "/")
		if err := chromedp.Do(ctx, chromedp.Focus(`.help-link[href="/glossary#previous-period"]`)); err != nil {
			t.Fatal(err)
		}
		tip, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
			const el = document.activeElement;
			return el.matches(':focus-visible') ? getComputedStyle(el, '::after').content : 'not focus-visible: ' + el.getAttribute('data-tip'); })()`))
		if err != nil || !strings.Contains(tip, "the period of the same length directly before it") {
			t.Errorf("the focused ? shows %q (%v); want the catalogue's definition of the previous period", tip, err)
		}
		if snap, err := tab.Snapshot(); err == nil {
			saveScreenshot(t, "HelpTipOnFocus_1440", snap.Screenshot)
		}
	})

	t.Run("refresh picker", func(t *testing.T) {
		for _, path := range []string{"/", "/growth", "/banks"} {
			open(t, path)
			shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector('[data-refresh-picker]').hidden`))
			if err != nil || !shown {
				t.Errorf("%s: no refresh picker (%v)", path, err)
			}
		}
		// Choosing 1 min keeps the choice for this page across a reload and counts down.
		if err := chromedp.Do(ctx, chromedp.SetValue(`[data-refresh-picker] select`, "60")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-refresh-picker] select').dispatchEvent(new Event('change'))`)); err != nil {
			t.Fatal(err)
		}
		open(t, "/banks")
		waitJS(t, ctx, "the kept choice and its countdown", `document.querySelector('[data-refresh-picker] select').value === '60' &&
			/^next in \d+ s$/.test(document.querySelector('.refresh-status').textContent)`)
		open(t, "/growth")
		if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-refresh-picker] select').value`)); v != "0" {
			t.Errorf("the choice for /banks leaked to /growth: %q", v)
		}
		open(t, "/banks")
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(localStorage.clear(), true)`)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("copy a one-time link", func(t *testing.T) {
		open(t, "/ops/display-links")
		if err := chromedp.Do(ctx, chromedp.SetValue(`form.display-link-form input[name=name]`, "Copy TV")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(`form.display-link-form button[type=submit]`)); err != nil {
			t.Fatal(err)
		}
		link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('new-display-link').value`))
		if err != nil || !strings.Contains(link, "/display/") {
			t.Fatalf("no new link shown: %q %v", link, err)
		}
		for _, name := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted, Origin: h.App.URL,
			}); err != nil {
				t.Fatalf("grant %s: %v", name, err)
			}
		}
		if err := chromedp.Do(ctx, chromedp.Click(`[data-copy="new-display-link"]`)); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, "the copied status", `document.querySelector('.copy-status').textContent === 'Copied.'`)
		if snap, err := tab.Snapshot(); err == nil {
			saveScreenshot(t, "CopyOneTimeLink_1440", snap.Screenshot)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
		if err != nil || got != link {
			t.Errorf("the clipboard holds %q (%v); want the link %q", got, err, link)
		}

		// The clipboard refused: the link is selected for the reader to copy.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(navigator.clipboard.writeText = () => Promise.reject(new Error('denied')), true)`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(`[data-copy="new-display-link"]`)); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, "the link selected", `(() => { const el = document.getElementById('new-display-link');
			return document.activeElement === el && el.selectionStart === 0 && el.selectionEnd === el.value.length &&
				document.querySelector('.copy-status').textContent.startsWith('Selected'); })()`)
	})
}

// pageName names a page's screenshots: "executive" for /, else its path.
func pageName(path string) string {
	if path == "/" {
		return "executive"
	}
	return screenshotName(strings.Trim(path, "/"))
}
