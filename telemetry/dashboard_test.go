package telemetry

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dashboardFile is the Grafana dashboard docker-compose.yml provisions.
const dashboardFile = "../deploy/grafana/dashboards/mari.json"

// dashboardPanel is what the test reads of a Grafana panel (rows carry their own panels when
// collapsed).
type dashboardPanel struct {
	Title   string           `json:"title"`
	Type    string           `json:"type"`
	Panels  []dashboardPanel `json:"panels"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

// PromQL words that are not metric names: functions are recognised by the "(" after them.
var promqlKeywords = []string{"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
	"unless", "bool", "offset", "inf", "nan", "le"}

var (
	quoted      = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	matchers    = regexp.MustCompile(`\{[^{}]*\}`)
	ranges      = regexp.MustCompile(`\[[^\[\]]*\]`)
	groupings   = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	identifiers = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?`)
)

// metricNames are the metric names a PromQL expression reads: identifiers that are neither
// functions, nor keywords, nor label names (in matchers or groupings), nor in strings or
// ranges.
func metricNames(expr string) []string {
	e := quoted.ReplaceAllString(expr, `""`)
	e = matchers.ReplaceAllString(e, " ")
	e = ranges.ReplaceAllString(e, " ")
	e = groupings.ReplaceAllString(e, " ")
	var out []string
	for _, m := range identifiers.FindAllStringSubmatch(e, -1) {
		if m[1] != "" { // a function call
			continue
		}
		if slices.Contains(promqlKeywords, strings.ToLower(m[0])) || strings.HasPrefix(m[0], "$") {
			continue
		}
		out = append(out, m[0])
	}
	return out
}

// The parser of this test, on the kinds of expressions the dashboard uses.
func TestMetricNamesOfAnExpression(t *testing.T) {
	for expr, want := range map[string]string{
		`histogram_quantile(0.95, sum by (le, bank) (rate(mari_transaction_duration_seconds_bucket{bank=~"$bank"}[$__rate_interval])))`: "mari_transaction_duration_seconds_bucket",
		`sum(increase(a_total{status="completed"}[1h])) / (sum(increase(a_total[1h])) + sum(b_total))`:                                  "a_total a_total b_total",
		`time() - max by (topic) (x_seconds)`:                                              "x_seconds",
		`sum by (pool) (rate(w_total[5m])) / on (pool) group_left sum by (pool) (v_total)`: "w_total v_total",
	} {
		if got := strings.Join(metricNames(expr), " "); got != want {
			t.Errorf("%s:\n got %q\nwant %q", expr, got, want)
		}
	}
}

// Every metric every panel of the dashboard queries is one the app exports (a histogram's
// series by their family's name), so no panel of the provisioned dashboard shows "no data"
// for a name that does not exist; and the panels the design asks for are there.
func TestDashboardQueriesOnlyExportedMetrics(t *testing.T) {
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID        string           `json:"uid"`
		Panels     []dashboardPanel `json:"panels"`
		Templating struct {
			List []struct {
				Name  string `json:"name"`
				Query struct {
					Query string `json:"query"`
				} `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	tel := New()
	touchAll(t, tel)
	fams := scrape(t, tel)

	used := map[string]bool{}
	check := func(where, expr string) {
		t.Helper()
		names := metricNames(expr)
		if len(names) == 0 {
			t.Errorf("%s: %q reads no metric", where, expr)
		}
		for _, n := range names {
			family := n
			if fams[family] == nil {
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if f, ok := strings.CutSuffix(n, suffix); ok && fams[f] != nil {
						family = f
					}
				}
			}
			if fams[family] == nil {
				t.Errorf("%s: %q reads %s, which the app does not export", where, expr, n)
				continue
			}
			used[family] = true
		}
	}
	var walk func([]dashboardPanel)
	panels := 0
	titles := map[string]bool{}
	walk = func(ps []dashboardPanel) {
		for _, p := range ps {
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			panels++
			titles[p.Title] = true
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			for _, tg := range p.Targets {
				check("panel "+p.Title, tg.Expr)
			}
		}
	}
	walk(dash.Panels)
	for _, v := range dash.Templating.List {
		// label_values(metric, label): the label is no metric.
		expr := v.Query.Query
		if inner, ok := strings.CutPrefix(expr, "label_values("); ok {
			expr = strings.SplitN(inner, ",", 2)[0]
		}
		check("variable $"+v.Name, expr)
	}
	if panels == 0 {
		t.Fatal("the dashboard has no panels")
	}
	// The design's panels, each reading the metric it is about.
	for title, metric := range map[string]string{
		"Transactions per minute":     "mari_transactions_total",
		"Success rate, last hour":     "mari_transactions_total",
		"p95 processing time by bank": "mari_transaction_duration_seconds",
		"Kafka consumer lag":          "mari_ingest_consumer_lag",
		"Dead letters per hour":       "mari_ingest_dead_letters_total",
		"Rejected events per minute":  "mari_ingest_events_total",
		"HTTP p95 by route":           "mari_http_request_duration_seconds",
		"Rollup failures (24 h)":      "mari_rollup_run_failures_total",
	} {
		if !titles[title] {
			t.Errorf("the dashboard has no panel %q", title)
		}
		if !used[metric] {
			t.Errorf("no panel reads %s", metric)
		}
	}
}
