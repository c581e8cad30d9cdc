package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mari/e2e/browser"
	"mari/static"
	"mari/views"
)

// The Go formatters (views/format.go) and the charts' (static/charts.js) print every value of
// one table identically, so a tile, a table, an axis and a tooltip never disagree. The JS runs
// in Chromium, on the numbers a chart receives (JSON floats).
func TestFormattersAgreeWithCharts(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/static/", http.StripPrefix("/static", static.Handler()))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>formatters</title><script src="/static/charts.js"></script>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := browser.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tab, err := b.NewTab(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	tctx, tcancel := context.WithTimeout(tab.Ctx, time.Minute)
	defer tcancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}

	cases := views.FormatCases()
	type jsCase struct {
		F string          `json:"f"`
		V json.RawMessage `json:"v"` // the decimal as a JSON number, as a chart's data carries it
	}
	in := make([]jsCase, len(cases))
	for i, c := range cases {
		in[i] = jsCase{F: c.JS, V: json.RawMessage(c.Input)}
	}
	arg, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`(`+string(arg)+`).map(c =>
		typeof window.MariFormat[c.f] === 'function' ? window.MariFormat[c.f](c.v) : 'no formatter ' + c.f)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cases) {
		t.Fatalf("%d results for %d cases", len(got), len(cases))
	}
	for i, c := range cases {
		if got[i] != c.Go {
			t.Errorf("%s(%s): charts.js %q, Go %q", c.JS, c.Input, strings.ReplaceAll(got[i], "\u00a0", "·"), strings.ReplaceAll(c.Go, "\u00a0", "·"))
		}
	}
	if res, err := tab.Snapshot(); err == nil {
		for _, p := range res.Problems() {
			t.Errorf("console: %s", p)
		}
	}
}
