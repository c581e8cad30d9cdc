package handlers

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"mari/calendar"
	"mari/catalogue"
	"mari/dbconn"
	"mari/dbtest"
	"mari/queries"
	"mari/views"
)

// The growth page shows the catalogue's growth metrics: each cohort of the cohorts and
// sign-ups CSVs, by day, week and month, for every source and for one, is what catalogue.Ask
// answers for the same range, grain and source, and so are the tiles.
func TestGrowthPageShowsTheCatalogue(t *testing.T) {
	db := dbtest.New(t)
	seedGrowth(t, db)
	e := growthServer(db)
	src := catalogue.NewSources(db.PG, nil)
	r := calendar.Range{From: dbtest.Date("2025-12-01"), To: dbtest.Date("2026-01-31")}
	ask := func(id string, g catalogue.Grain, source string) catalogue.Series {
		t.Helper()
		s, err := catalogue.Ask(context.Background(), src, catalogue.Must(id),
			catalogue.Query{Range: r, Grain: g, Filters: catalogue.Filters{Source: source}, Now: testNow})
		if err != nil {
			t.Fatalf("%s by %s: %v", id, g, err)
		}
		return s
	}
	csvRate := func(v catalogue.Value) string { return fraction(v).String() }
	rates := map[string]string{catalogue.IDGrowthActivation: "activation_rate", catalogue.IDGrowthD1Retention: "d1_retention",
		catalogue.IDGrowthD7Retention: "d7_retention", catalogue.IDGrowthD30Retention: "d30_retention"}
	for _, g := range []catalogue.Grain{catalogue.Day, catalogue.Week, catalogue.Month} {
		for _, source := range []string{"", "referral", "organic"} {
			q := decJan + "&by=" + string(g)
			if source != "" {
				q += "&source=" + source
			}
			cohorts := growthCSV(t, e, "/growth/cohorts.csv?"+q, 0)
			signups := growthCSV(t, e, "/growth/signups.csv?"+q, 0)
			what := string(g) + " " + source
			s := ask(catalogue.IDGrowthSignups, g, source)
			if len(cohorts) != len(s.Points) || len(signups) != len(s.Points) {
				t.Fatalf("%s: %d cohorts and %d sign-up rows; the catalogue has %d periods", what, len(cohorts), len(signups), len(s.Points))
			}
			for i, p := range s.Points {
				day := p.Period.From.String()
				want := map[string]string{"cohort_end": p.Period.To.String(), "signups": p.Value.V.String()}
				for id, col := range rates {
					want[col] = csvRate(ask(id, g, source).Points[i].Value)
				}
				checkFields(t, "cohorts "+what, cohorts, map[string]map[string]string{day: want})
				bySource := map[string]string{"period_end": p.Period.To.String(), "total": p.Value.V.String()}
				if source == "" {
					for _, one := range catalogue.SignupSources {
						bySource[one] = ask(catalogue.IDGrowthSignups, g, one).Points[i].Value.V.String()
					}
				}
				checkFields(t, "signups "+what, signups, map[string]map[string]string{day: bySource})
			}
		}
	}

	// The tiles: each shows its metric's total over the range, formatted in its unit.
	_, body := get(t, e, "/growth?"+decJan)
	for _, id := range []string{catalogue.IDGrowthSignups, catalogue.IDGrowthActivation, catalogue.IDGrowthD1Retention,
		catalogue.IDGrowthD7Retention, catalogue.IDGrowthD30Retention, catalogue.IDGrowthReferrals} {
		m := catalogue.Must(id)
		v := views.Value(m.Unit, m.Decimals, ask(id, catalogue.Month, "").Total)
		tile := `href="/glossary#` + id + `"`
		at := strings.Index(body, tile)
		if at < 0 {
			t.Errorf("no tile links to %s", id)
			continue
		}
		_, value, _ := strings.Cut(body[at:], `class="tile-value"`)
		_, value, _ = strings.Cut(value, ">")
		value, _, _ = strings.Cut(value, "</p>")
		if value != v {
			t.Errorf("the %s tile shows %q; the catalogue says %s", id, value, v)
		}
	}
}

// With PostgreSQL down every panel says so on its own, the page still renders (200) with its
// filters, and a CSV download answers 503 rather than an empty file.
func TestGrowthPostgresDown(t *testing.T) {
	deadPG, err := dbconn.Postgres(context.Background(), "postgres://mari@127.0.0.1:1/none?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer deadPG.Close()
	h := NewGrowth(queries.Growth{PG: deadPG}, catalogue.NewSources(deadPG, nil), GrowthOptions{
		PanelTimeout: 5 * time.Second, Now: func() time.Time { return testNow }})
	e := echo.New()
	e.GET("/growth", h.Page)
	e.GET("/growth/:file", h.CSV)
	res, body := get(t, e, "/growth?"+decJan+"&source=referral")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	// 5 headline tiles, the referrals tile, 4 charts and 3 tables.
	if n := strings.Count(body, "unavailable — PostgreSQL is unreachable"); n != 13 {
		t.Errorf("%d growth panels unavailable; want 13", n)
	}
	for _, s := range []string{"rollup status unavailable: PostgreSQL is unreachable", "Referral sign-ups only"} {
		if !strings.Contains(body, s) {
			t.Errorf("the page does not say %q", s)
		}
	}
	if res, _ := get(t, e, "/growth/cohorts.csv?"+decJan); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("cohorts CSV with PostgreSQL down: %d; want 503", res.StatusCode)
	}
}
