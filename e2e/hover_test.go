package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mari/auth"
	"mari/calendar"
	"mari/config"
	"mari/e2e/browser"
	"mari/finmodel"
	"mari/links"
	"mari/reports"
	"mari/scenarios"
)

// chartPages opens the app's pages that draw charts, on the demo dataset: the dashboards, a
// bank, the financial model's editor and analyses, a wall screen through a display link and a
// published investor report with its read-only link. It returns their paths by name.
func chartPages(t *testing.T, h *Harness) []chartPage {
	t.Helper()
	ctx := context.Background()
	var code string
	err := h.App.DB.PG.QueryRow(ctx, `SELECT bank_id FROM transactions
		WHERE bank_id IS NOT NULL GROUP BY bank_id ORDER BY count(*) DESC LIMIT 1`).Scan(&code)
	if err != nil {
		t.Fatal(err)
	}
	display, reportID, reportToken := sharedLinks(t, h)
	scenario := baseCase(t, h)
	return []chartPage{
		{"executive", "/", true},
		{"ops", "/ops", true},
		{"wall", "/display/" + display, true},
		{"growth", "/growth", true},
		{"banks", "/banks", false},
		{"bank", "/banks/" + code, true},
		{"model_editor", "/model/seed", true},
		{"model_sensitivity", "/model/seed/sensitivity", true},
		{"model_actuals", "/model/seed/actuals", true},
		{"model_compare", fmt.Sprintf("/model/compare?s=seed&s=%d", scenario), true},
		{"report", fmt.Sprintf("/reports/%d", reportID), false},
		{"report_link", "/r/" + reportToken, false},
	}
}

// chartPage is a page of the app opened by the browser tests; Charts says whether it draws
// charts (the banks overview and the investor report show tables and figures only).
type chartPage struct {
	Name, Path string
	Charts     bool
}

// sharedLinks makes a display link, and publishes last month's investor report with a link to
// it, as the app's own services do; it returns the display token, the report and its token.
func sharedLinks(t *testing.T, h *Harness) (display string, reportID int64, reportToken string) {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	by := auth.Actor{Email: "e2e harness"}
	l := links.New(h.App.DB.PG, nil)
	d, err := l.CreateDisplayLink(ctx, by, "Ops room TV")
	if err != nil {
		t.Fatalf("display link: %v", err)
	}
	month := calendar.Today(time.Now()).MonthStart().AddMonths(-1)
	svc := reports.NewService(h.App.DB.PG, cfg.LaunchMonth, nil)
	draft, err := svc.StartDraft(ctx, by, month)
	if err != nil {
		t.Fatalf("draft of %s: %v", month, err)
	}
	if _, err := svc.Publish(ctx, by, draft.ID); err != nil {
		t.Fatalf("publish %s: %v", month, err)
	}
	r, err := l.ShareReport(ctx, by, draft.ID, "Thandi Investor", 30)
	if err != nil {
		t.Fatalf("report link: %v", err)
	}
	return d.Token, draft.ID, r.Token
}

// baseCase saves a scenario of the financial model, a copy of the seed plan, so that two
// scenarios can be compared; it returns its number.
func baseCase(t *testing.T, h *Harness) int64 {
	t.Helper()
	id, err := scenarios.New(h.App.DB.PG, nil).Create(context.Background(), auth.Actor{Email: "e2e harness"},
		scenarios.Draft{Name: "Base case", BasedOn: "Seed plan", Assumptions: finmodel.SeedPlan(), Summary: "cloned from Seed plan"})
	if err != nil {
		t.Fatalf("scenario: %v", err)
	}
	return id
}

// openDrawnPage navigates the tab to url at the given width and waits until every chart has
// drawn and stopped animating.
func openDrawnPage(t *testing.T, tab *browser.Tab, url string, width int64) {
	t.Helper()
	if err := chromedp.Do(tab.Ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	waitTrue(t, tab.Ctx, `document.readyState === 'complete' && Array.from(document.querySelectorAll('[data-echarts]')).every(el =>
		el.getAttribute('data-echarts-drawn') && typeof echarts !== 'undefined' && echarts.getInstanceByDom(el))`, "every chart of "+url+" to draw")
	if err := waitStill(tab.Ctx); err != nil {
		t.Fatal(err)
	}
}

// hoverTarget is one point of one series, where the pointer goes to show its tooltip.
type hoverTarget struct {
	Chart    int     `json:"chart"`
	Label    string  `json:"label"`  // the chart's aria-label
	Axis     string  `json:"axis"`   // the name of the series' value axis ("ms", "rate (%)")
	Type     string  `json:"type"`   // the series' type
	Series   string  `json:"series"` // its name
	Index    int     `json:"index"`
	Value    float64 `json:"value"` // the point's raw value
	HasValue bool    `json:"hasValue"`
	Tooltip  bool    `json:"tooltip"` // false when the chart or series turns its tooltip off
	X        float64 `json:"x"`       // viewport pixels, after scrolling the chart into view
	Y        float64 `json:"y"`
	Why      string  `json:"why"` // why there is no point to hover, if there is none
}

// hoverTargetsJS lists, for chart number %d on the page, one point of each series: the middle
// one of those with a value. It scrolls the chart into view and places the point in viewport
// pixels with the chart's own convertToPixel.
const hoverTargetsJS = `(() => {
  const el = document.querySelectorAll('[data-echarts]')[%d];
  el.scrollIntoView({block: 'center'});
  const chart = echarts.getInstanceByDom(el), o = chart.getOption();
  const box = el.getBoundingClientRect();
  const tips = o.tooltip || [];
  const chartTip = tips.length > 0 && tips[0].show !== false;
  const horizontal = !!(o.yAxis && o.yAxis[0] && o.yAxis[0].type === 'category');
  const valueOf = d => {
    if (d === null || d === undefined) return null;
    if (Array.isArray(d)) return d;
    if (typeof d === 'object') return d.value === undefined ? null : d.value;
    return d;
  };
  return JSON.stringify((o.series || []).map((s, si) => {
    const axis = (horizontal ? o.xAxis : o.yAxis) || [];
    const t = {chart: %d, label: el.getAttribute('aria-label') || '', axis: (axis[s.yAxisIndex || 0] || {}).name || '', type: s.type, series: s.name || '',
      index: -1, value: 0, hasValue: false, tooltip: chartTip && !(s.tooltip && s.tooltip.show === false), x: 0, y: 0, why: ''};
    const data = s.data || [];
    const ok = [];
    data.forEach((d, i) => {
      const v = valueOf(d);
      const n = Array.isArray(v) ? v[v.length - 1] : v;
      if (n !== null && n !== '' && n !== '-' && !isNaN(Number(n))) ok.push(i);
    });
    if (ok.length === 0) { t.why = 'no point with a value'; return t; }
    const i = ok[Math.floor(ok.length / 2)];
    const v = valueOf(data[i]);
    t.index = i;
    t.value = Number(Array.isArray(v) ? v[v.length - 1] : v);
    t.hasValue = true;
    let p = null;
    if (s.type === 'gauge' || s.type === 'pie') {
      p = [box.width / 2, box.height / 2];
    } else if (s.type === 'heatmap' || Array.isArray(v)) {
      p = chart.convertToPixel({seriesIndex: si}, [v[0], v[1]]);
    } else {
      p = chart.convertToPixel({seriesIndex: si}, horizontal ? [t.value, i] : [i, t.value]);
      // A point at or near zero lies on the axis line, the grid's edge: rest a few pixels
      // inside the grid, in the same category.
      const base = chart.convertToPixel({seriesIndex: si}, horizontal ? [0, i] : [i, 0]);
      const k = horizontal ? 0 : 1, inward = (horizontal ? 1 : -1) * (t.value < 0 ? -1 : 1);
      if (p && base && !isNaN(base[k]) && Math.abs(p[k] - base[k]) < 6) p[k] = base[k] + 6 * inward;
    }
    if (!p || isNaN(p[0]) || isNaN(p[1])) { t.why = 'the point has no pixel'; return t; }
    t.x = box.left + p[0];
    t.y = box.top + p[1];
    return t;
  }));
})()`

// readTooltipJS reads what chart number %d's tooltip shows. Tooltips are drawn on the
// chart's canvas as rich text (static/charts.js), so there is no markup to read: the text
// and its styled runs come from the tooltip's own text element.
const readTooltipJS = `(() => {
  const el = document.querySelectorAll('[data-echarts]')[%d];
  const chart = echarts.getInstanceByDom(el);
  const view = (chart._componentsViews || []).find(v => v && v._tooltipContent);
  const content = view && view._tooltipContent;
  const hit = document.elementFromPoint(%f, %f);
  const at = hit ? (hit.closest('[data-echarts]') === el ? 'the chart' : hit.tagName + '.' + hit.className) : 'nothing';
  if (!content || !content.el) return JSON.stringify({shown: false, mode: 'none', text: 'the pointer is over ' + at});
  const html = !!(content.el && content.el.tagName !== undefined);
  if (html) return JSON.stringify({shown: !!content._show, mode: 'html', text: content.el ? content.el.innerText : ''});
  const style = content.el.style;
  const rich = style.rich || {};
  const runs = [];
  const re = /\{([^|{}]+)\|([^{}]*)\}|([^{}]+)/g;
  let m;
  while ((m = re.exec(String(style.text || ''))) !== null) {
    if (m[3] !== undefined) { if (m[3].trim()) runs.push({text: m[3], marker: false}); continue; }
    const st = rich[m[1]] || {};
    runs.push({text: m[2], marker: m[2] === '' && !!st.backgroundColor});
  }
  return JSON.stringify({shown: !!content._show && !content.el.invisible, mode: 'richText', text: String(style.text || ''), runs});
})()`

// tooltipRead is what a tooltip shows: its runs of text, each drawn in its own style (a
// marker is an empty run with a background colour, the series' colour).
type tooltipRead struct {
	Shown bool   `json:"shown"`
	Mode  string `json:"mode"`
	Text  string `json:"text"`
	Runs  []struct {
		Text   string `json:"text"`
		Marker bool   `json:"marker"`
	} `json:"runs"`
}

// readable is the tooltip as a person reads it: "● p95 | 2 227 ms".
func (r tooltipRead) readable() string {
	var parts []string
	for _, run := range r.Runs {
		if run.Marker {
			parts = append(parts, "●")
			continue
		}
		parts = append(parts, strings.TrimSpace(run.Text))
	}
	return strings.Join(parts, " | ")
}

// Every chart of every page, hovered with the mouse as a person would: each series' tooltip
// shows, drawn on the canvas (the CSP refuses ECharts' inline-styled HTML tooltips), names the
// series beside its colour marker and gives the value formatted with its unit, and the console
// stays free of errors and CSP violations. The wall screen is opened through a display link,
// the investor report through its read-only link.
func TestChartTooltipsInBrowser(t *testing.T) {
	h := New(t, AppOptions{})
	pages := chartPages(t, h)
	tab, err := h.Browser.NewTab(h.App.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	hovered := 0
	for _, p := range pages {
		t.Run(p.Name, func(t *testing.T) {
			openDrawnPage(t, tab, h.App.URL+p.Path, 1440)
			if _, err := tab.Snapshot(); err != nil { // start recording the console afresh
				t.Fatal(err)
			}
			n, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-echarts]').length`))
			if err != nil {
				t.Fatal(err)
			}
			if p.Charts && n == 0 {
				t.Errorf("%s drew no chart to hover", p.Path)
			}
			pointed := 0
			for c := 0; c < n; c++ {
				raw, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[string](fmt.Sprintf(hoverTargetsJS, c, c)))
				if err != nil {
					t.Fatalf("chart %d: %v", c, err)
				}
				var targets []hoverTarget
				if err := json.Unmarshal([]byte(raw), &targets); err != nil {
					t.Fatalf("chart %d: %s: %v", c, raw, err)
				}
				for _, tg := range targets {
					if !tg.HasValue || tg.Why != "" {
						t.Logf("%s / %s: not hovered: %s", tg.Label, tg.Series, tg.Why)
						continue
					}
					// Away first, so this chart's tooltip is the only one showing (the last one
					// stays up for the screenshot).
					if err := chromedp.Do(tab.Ctx, chromedp.MouseEvent(chromedp.MouseMoved, 1, 1)); err != nil {
						t.Fatal(err)
					}
					// The pointer comes to rest on the point, with a few small moves before the
					// test concludes there is no tooltip: ECharts draws it on a later animation
					// frame, which a loaded machine can delay.
					var tip tooltipRead
					for try := 0; try < 4 && !tip.Shown; try++ {
						x, y := tg.X+float64(try%2), tg.Y
						if err := chromedp.Do(tab.Ctx, chromedp.MouseEvent(chromedp.MouseMoved, x, y)); err != nil {
							t.Fatal(err)
						}
						time.Sleep(200 * time.Millisecond)
						raw, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[string](fmt.Sprintf(readTooltipJS, c, x, y)))
						if err != nil {
							t.Fatalf("read the tooltip of %s: %v", tg.Label, err)
						}
						tip = tooltipRead{}
						if err := json.Unmarshal([]byte(raw), &tip); err != nil {
							t.Fatalf("%s: %v", raw, err)
						}
						if !tg.Tooltip {
							break
						}
					}
					hovered++
					pointed++
					checkTooltip(t, tg, tip)
				}
			}
			if n > 0 && pointed == 0 {
				t.Errorf("%s: %d charts, no point hovered", p.Path, n)
			}
			snap, err := tab.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			saveScreenshot(t, screenshotName(t.Name()), snap.Screenshot)
			for _, pr := range snap.Problems() {
				t.Errorf("%s after hovering every chart: %s", p.Path, pr)
			}
			for _, w := range snap.Warnings {
				if strings.Contains(w, "Content Security Policy") {
					t.Errorf("%s after hovering every chart: %s", p.Path, w)
				}
			}
		})
	}
	t.Logf("%d points hovered", hovered)
}

// checkTooltip asserts that the tooltip of a hovered point shows, names its series beside a
// colour marker, and gives the point's value formatted (grouped digits, a unit) as a run of
// its own, so name and value are never run together ("p952,227").
func checkTooltip(t *testing.T, tg hoverTarget, tip tooltipRead) {
	t.Helper()
	where := fmt.Sprintf("%s / %s (%s, point %d = %v)", tg.Label, tg.Series, tg.Type, tg.Index, tg.Value)
	if !tg.Tooltip {
		if tip.Shown {
			t.Errorf("%s: the chart has no tooltip, but one shows: %q", where, tip.Text)
		}
		t.Logf("%s: no tooltip (turned off)", where)
		return
	}
	if !tip.Shown || tip.Mode != "richText" {
		t.Errorf("%s: hovered, no canvas tooltip (shown %v, mode %s): %q", where, tip.Shown, tip.Mode, tip.Text)
		return
	}
	t.Logf("%s: %s", where, tip.readable())
	at := -1
	for i, run := range tip.Runs {
		if !run.Marker && strings.TrimSpace(run.Text) == tg.Series && tg.Series != "" {
			at = i
		}
	}
	if tg.Series != "" && at < 0 {
		t.Errorf("%s: the tooltip does not name the series: %s", where, tip.readable())
		return
	}
	if at > 0 && !tip.Runs[at-1].Marker {
		t.Errorf("%s: no colour marker before the series' name: %s", where, tip.readable())
	}
	// An axis tooltip reads "● name value" per series; an item tooltip has the series' name
	// as its heading, then "● item value".
	value := at + 1
	if value < len(tip.Runs) && tip.Runs[value].Marker {
		value += 2
	}
	if at < 0 || value >= len(tip.Runs) {
		t.Errorf("%s: no value after the series' name: %s", where, tip.readable())
		return
	}
	if value > 0 && strings.TrimSpace(tip.Runs[value-1].Text) == "" && !tip.Runs[value-1].Marker {
		t.Errorf("%s: no name before the value: %s", where, tip.readable())
	}
	if msg := formattedValue(strings.TrimSpace(tip.Runs[value].Text), tg.Value, wantUnit(tg)); msg != "" {
		t.Errorf("%s: %s: %s", where, msg, tip.readable())
	}
}

// wantUnit is the unit a point's value must show: "%" for a rate, "ms" for a duration (as the
// series or its axis says), "" when the figure is a count or an amount (an amount's "R" is
// checked by the format itself when the series shows one).
func wantUnit(tg hoverTarget) string {
	switch {
	case rateName.MatchString(tg.Series) || strings.Contains(tg.Axis, "%") || strings.Contains(strings.ToLower(tg.Series), "rate"):
		return "%"
	case tg.Axis == "ms" || strings.Contains(tg.Series, "(ms)"):
		return "ms"
	}
	return ""
}

var (
	// rateName is a series of percentages ("Activation %", "Active users (% of cohort)"), not
	// one named after a percentage ("driver −20%", whose values are rands).
	rateName = regexp.MustCompile(`(^|[\s(])%`)
	// formattedNumber is a number as the app writes it: an optional currency, digits grouped by
	// spaces (ordinary or no-break), an optional fraction, an optional unit.
	formattedNumber = regexp.MustCompile(`^(-|−)?(R[\x{00a0} ])?(\d{1,3}(?:[\x{00a0}\x{202f} ]\d{3})*)(\.\d+)?[\x{00a0} ]?(%|ms|s|min|h|x|×|pp)?$`)
)

// formattedValue says what is wrong with text as the formatted form of raw in unit, or "".
func formattedValue(text string, raw float64, unit string) string {
	m := formattedNumber.FindStringSubmatch(text)
	if m == nil {
		return fmt.Sprintf("the value %q is not formatted (digits grouped by spaces, a unit)", text)
	}
	if unit != "" && m[5] != unit {
		return fmt.Sprintf("the value %q has no unit %q", text, unit)
	}
	digits := strings.NewReplacer("\u00a0", "", "\u202f", "", " ", "").Replace(m[3]) + m[4]
	shown, err := strconv.ParseFloat(digits, 64)
	if err != nil {
		return fmt.Sprintf("the value %q does not read as a number", text)
	}
	if m[1] != "" {
		shown = -shown
	}
	// The shown figure is the raw one rounded, or in percent the raw fraction times 100.
	tolerance := 0.5
	if m[4] != "" {
		tolerance = 0.5 * math.Pow(10, -float64(len(m[4])-1))
	}
	for _, want := range []float64{raw, raw * 100} {
		if math.Abs(shown-want) <= tolerance+1e-9 {
			return ""
		}
	}
	return fmt.Sprintf("the value %q is not the point's %v", text, raw)
}
