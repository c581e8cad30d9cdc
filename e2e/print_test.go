package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"mari/auth"
	"mari/calendar"
	"mari/config"
	"mari/e2e/browser"
	"mari/links"
	"mari/reports"
)

// a4 is the A4 sheet in PDF points (1/72 in): 210 × 297 mm.
const a4Width, a4Height = 595.28, 841.89

// printableCSSWidth is the width inside the print stylesheet's margins (A4 less 2 × 12 mm) in
// CSS pixels (96 to the inch).
var printableCSSWidth = (210.0 - 2*12) / 25.4 * 96

// pdfPages reads the PDF Chromium printed: the size of each page (its MediaBox, in points) and
// how many there are. Chromium's PDFs keep their page dictionaries uncompressed.
func pdfPages(t *testing.T, pdf []byte) [][2]float64 {
	t.Helper()
	boxes := regexp.MustCompile(`/MediaBox\s*\[\s*([-0-9.]+)\s+([-0-9.]+)\s+([-0-9.]+)\s+([-0-9.]+)\s*\]`).FindAllSubmatch(pdf, -1)
	pages := regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1)
	if len(boxes) != len(pages) {
		t.Fatalf("the PDF has %d pages but %d MediaBoxes", len(pages), len(boxes))
	}
	var out [][2]float64
	for _, b := range boxes {
		var v [4]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(string(b[i+1]), 64)
		}
		out = append(out, [2]float64{v[2] - v[0], v[3] - v[1]})
	}
	return out
}

// printPage opens path in a fresh tab at a laptop's width, waits for its charts, prints it as
// the browser's print dialog would (the page's own @page size preferred) and saves the PDF to
// artifacts/print/<name>.pdf. It returns the PDF, the widths, in CSS pixels, that each
// chart's canvas had while the page was being printed, and the controls (links to edit,
// forms, buttons, navigation, downloads) that print media still shows.
func printPage(t *testing.T, h *Harness, name, path string) ([]byte, []float64, []string) {
	t.Helper()
	tab, err := h.Browser.NewTab(h.App.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	ctx, cancel := context.WithTimeout(tab.Ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900), chromedp.Navigate(h.App.URL+path)); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	waitTrue(t, ctx, `document.readyState === 'complete' && Array.from(document.querySelectorAll('[data-echarts]')).every(el =>
		el.getAttribute('data-echarts-drawn') && typeof echarts !== 'undefined' && echarts.getInstanceByDom(el))`, "the charts of "+path)
	if err := waitStill(ctx); err != nil {
		t.Fatal(err)
	}
	// Record each canvas's width as printing begins, after charts.js has redrawn the charts
	// for paper (its listeners were added first, so they run first); afterwards they are
	// screen-sized again.
	const record = `(() => {
	  window.__printed = [];
	  const measure = () => { window.__printed = Array.from(document.querySelectorAll('[data-echarts] canvas')).map(c => c.getBoundingClientRect().width); };
	  window.matchMedia('print').addEventListener('change', e => { if (e.matches) measure(); });
	  window.addEventListener('beforeprint', measure);
	  return true;
	})()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](record)); err != nil {
		t.Fatal(err)
	}
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: ptr(true), PrintBackground: ptr(true)})
	if err != nil {
		t.Fatalf("print %s: %v", path, err)
	}
	widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`window.__printed || []`))
	if err != nil {
		t.Fatal(err)
	}
	const shown = `Array.from(document.querySelectorAll(
	  'a[href$="/edit"], a[download], form, button, select, input, nav, header.site-header, .range-form, .refresh-picker'))
	  .filter(el => el.getClientRects().length > 0).map(el => el.outerHTML.slice(0, 80))`
	onScreen, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](shown))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d controls on screen", path, len(onScreen))
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	controls, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](shown))
	if err != nil {
		t.Fatal(err)
	}
	edit, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('a[href$="/edit"]') !== null`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(path, "/banks/") && !edit {
		t.Errorf("%s has no edit link to hide: the test's account should be able to edit partnerships", path)
	}
	if dir, err := browser.ArtifactsDir("print"); err == nil {
		file := filepath.Join(dir, name+".pdf")
		if err := os.WriteFile(file, res.Data, 0o644); err == nil {
			t.Logf("printed %s to %s", path, file)
		}
	}
	return res.Data, widths, controls
}

func ptr[T any](v T) *T { return &v }

// Printing on A4: the executive dashboard, the investor report (through its read-only link)
// and a bank's page each print on A4 sheets, on as many pages as their content needs and no
// more, and every chart fits the printable width, so the north star keeps its last months.
// The page counts are those of the demo dataset: the executive page is 4 rows of tiles on
// page 1 and its 4 charts two to a page (3 pages); the investor report, its figures with an
// empty narrative, fills 1 page; the bank page, its tiles and first chart, then its second
// chart and status table, then the top recipients and the contract (3 pages).
func TestPrintOnA4(t *testing.T) {
	h := New(t, AppOptions{})
	ctx := context.Background()
	token := publishedReportLink(t, h)
	var bank string
	if err := h.App.DB.PG.QueryRow(ctx, `SELECT bank_id FROM transactions
		WHERE bank_id IS NOT NULL GROUP BY bank_id ORDER BY count(*) DESC LIMIT 1`).Scan(&bank); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path    string
		pages, charts int
	}{
		// The first of the executive's 4 charts is the north star, 1318 px wide on this
		// laptop-sized screen.
		{"executive", "/", 3, 4},
		{"investor_report", "/r/" + token, 1, 0},
		{"bank", "/banks/" + bank, 3, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			pdf, widths, controls := printPage(t, h, c.name, c.path)
			for _, c := range controls {
				t.Errorf("printed with a control: %s", c)
			}
			sizes := pdfPages(t, pdf)
			for i, s := range sizes {
				if abs(s[0]-a4Width) > 1 || abs(s[1]-a4Height) > 1 {
					t.Errorf("page %d is %.2f × %.2f pt; want A4 (%.2f × %.2f)", i+1, s[0], s[1], a4Width, a4Height)
				}
			}
			if len(sizes) != c.pages {
				t.Errorf("%d pages; want %d", len(sizes), c.pages)
			}
			for i, w := range widths {
				if w <= 0 || w > printableCSSWidth+0.5 {
					t.Errorf("chart %d was %.1f px wide in print; want within the printable %.1f px", i+1, w, printableCSSWidth)
				}
			}
			if len(widths) != c.charts {
				t.Errorf("%d charts measured in print; want %d (charts.js redraws each for paper)", len(widths), c.charts)
			}
			t.Logf("%s: %d A4 pages, chart widths in print %v", c.path, len(sizes), widths)
		})
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// publishedReportLink publishes last month's investor report, as an executive would, and
// returns the token of a read-only link to it.
func publishedReportLink(t *testing.T, h *Harness) string {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	by := auth.Actor{Email: "e2e harness"}
	month := calendar.Today(time.Now()).MonthStart().AddMonths(-1)
	svc := reports.NewService(h.App.DB.PG, cfg.LaunchMonth, nil)
	draft, err := svc.StartDraft(ctx, by, month)
	if err != nil {
		t.Fatalf("draft of %s: %v", month, err)
	}
	if _, err := svc.Publish(ctx, by, draft.ID); err != nil {
		t.Fatalf("publish %s: %v", month, err)
	}
	l, err := links.New(h.App.DB.PG, nil).ShareReport(ctx, by, draft.ID, "Print Investor", 30)
	if err != nil {
		t.Fatal(fmt.Errorf("report link: %w", err))
	}
	return l.Token
}
