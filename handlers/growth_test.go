package handlers

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"mari/calendar"
	"mari/catalogue"
	"mari/dbtest"
	"mari/queries"
	"mari/rollup"
)

// seedGrowth builds the growth dashboard's hand-worked dataset and runs the rollups up to
// testNow (15 Mar 2026 10:00 SAST). All times SAST.
//
//	user  signed up            source          referrer
//	R     2025-11-20 10:00     organic                    (the previous period's only sign-up)
//	C     2025-12-10 09:00     referral        R
//	A     2025-12-31 23:30     organic                    (21:30 UTC, the same day)
//	B     2026-01-01 00:30     referral        R          (22:30 UTC on 31 Dec: SAST day 1 Jan)
//	F     2026-01-05 08:00     referral        A
//	E     2026-01-20 12:00     bank_promotion             never sends
//	G     2026-03-10 10:00     organic                    still in the activation window
//	H     2026-03-14 15:00     organic                    never sends; day 1 is today
//
//	c1 C COMPLETED 2025-12-12 10:00   activates C (day 2)
//	c2 C FAILED    2026-01-09 10:00   C's day 30
//	a1 A COMPLETED 2026-01-01 00:15   activates A; A's day 1; January in SAST (31 Dec in UTC)
//	b1 B FAILED    2026-01-08 10:00   B's day 7 (failed: active, not activated)
//	b2 B PENDING   2026-01-31 12:00   B's day 30
//	f1 F COMPLETED 2026-01-06 09:00   activates F; F's day 1
//	g1 G COMPLETED 2026-03-11 10:00   activates G; G's day 1
func seedGrowth(t *testing.T, db *dbtest.DB) {
	t.Helper()
	users := []struct{ name, at, source, referrer string }{
		{"R", "2025-11-20 10:00:00", "organic", ""},
		{"C", "2025-12-10 09:00:00", "referral", "R"},
		{"A", "2025-12-31 23:30:00", "organic", ""},
		{"B", "2026-01-01 00:30:00", "referral", "R"},
		{"F", "2026-01-05 08:00:00", "referral", "A"},
		{"E", "2026-01-20 12:00:00", "bank_promotion", ""},
		{"G", "2026-03-10 10:00:00", "organic", ""},
		{"H", "2026-03-14 15:00:00", "organic", ""},
	}
	for _, u := range users {
		var ref any
		if u.referrer != "" {
			ref = uid("g-" + u.referrer)
		}
		db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at, last_active, signup_source, referrer_user_id)
			VALUES ($1, $2, $3, 'key', $4, $4, $5, $6)`, uid("g-"+u.name), "phone-g-"+u.name, "blood-g-"+u.name, sast(u.at), u.source, ref)
	}
	txs := []struct{ n, from, status, at string }{
		{"c1", "C", "COMPLETED", "2025-12-12 10:00:00"},
		{"c2", "C", "FAILED", "2026-01-09 10:00:00"},
		{"a1", "A", "COMPLETED", "2026-01-01 00:15:00"},
		{"b1", "B", "FAILED", "2026-01-08 10:00:00"},
		{"b2", "B", "PENDING", "2026-01-31 12:00:00"},
		{"f1", "F", "COMPLETED", "2026-01-06 09:00:00"},
		{"g1", "G", "COMPLETED", "2026-03-11 10:00:00"},
	}
	for _, x := range txs {
		at := sast(x.at)
		var completed, reason any
		if x.status != "PENDING" {
			completed = at
		}
		if x.status == "FAILED" {
			reason = "insufficient_funds"
		}
		db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, created_at, completed_at, channel, failure_reason)
			VALUES ($1, $2, 25.00, $3, $4, $5, $6, 'online', $7)`, uid("g-"+x.from), uid("g-R"), x.status, "seal-g-"+x.n, at, completed, reason)
	}
	r := rollup.New(db.PG, nil, func() time.Time { return testNow })
	if err := r.Backfill(context.Background(), dbtest.Date("2025-11-01"), calendar.Today(testNow), io.Discard); err != nil {
		t.Fatal(err)
	}
}

func growthServer(db *dbtest.DB) *echo.Echo {
	h := NewGrowth(queries.Growth{PG: db.PG}, catalogue.NewSources(db.PG, nil), GrowthOptions{Now: func() time.Time { return testNow }})
	e := echo.New()
	e.GET("/growth", h.Page)
	e.GET("/growth/:file", h.CSV)
	return e
}

// growthCSV fetches a panel's CSV and returns its rows keyed by the first column(s) joined.
func growthCSV(t *testing.T, e *echo.Echo, target string, keyCols ...int) map[string]map[string]string {
	t.Helper()
	res, body := get(t, e, target)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", target, res.StatusCode, body)
	}
	rows := readCSV(t, body)
	out := map[string]map[string]string{}
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		var key []string
		for _, k := range keyCols {
			key = append(key, r[k])
		}
		out[strings.Join(key, "|")] = m
	}
	return out
}

func checkFields(t *testing.T, what string, got map[string]map[string]string, want map[string]map[string]string) {
	t.Helper()
	for key, fields := range want {
		row, ok := got[key]
		if !ok {
			t.Errorf("%s: no row %q (have %d rows)", what, key, len(got))
			continue
		}
		for k, v := range fields {
			if row[k] != v {
				t.Errorf("%s %s %s = %q; want %q", what, key, k, row[k], v)
			}
		}
	}
}

const decJan = "from=2025-12-01&to=2026-01-31"

func TestGrowthSignupsAndCohorts(t *testing.T) {
	db := dbtest.New(t)
	seedGrowth(t, db)
	e := growthServer(db)

	// By month: December has C (referral) and A (organic, 23:30 on the 31st); January has B
	// (00:30 on 1 Jan SAST, still 31 Dec in UTC), F (referral) and E (bank promotion).
	got := growthCSV(t, e, "/growth/signups.csv?"+decJan+"&by=month", 0)
	checkFields(t, "signups by month", got, map[string]map[string]string{
		"2025-12-01": {"period_end": "2025-12-31", "organic": "1", "referral": "1", "bank_promotion": "0", "total": "2", "partial_period": "no"},
		"2026-01-01": {"period_end": "2026-01-31", "organic": "0", "referral": "2", "bank_promotion": "1", "total": "3", "partial_period": "no"},
	})
	if len(got) != 2 {
		t.Errorf("signups by month: %d rows; want 2", len(got))
	}

	// By ISO week: the week of Monday 29 Dec 2025 crosses the year and holds A and B; the first
	// week is cut by the range (1 Dec 2025 is a Monday, so it is whole) and the last ends on
	// Sunday 1 Feb, outside the range: partial.
	got = growthCSV(t, e, "/growth/signups.csv?"+decJan+"&by=week", 0)
	checkFields(t, "signups by week", got, map[string]map[string]string{
		"2025-12-08": {"period_end": "2025-12-14", "referral": "1", "total": "1"},
		"2025-12-29": {"period_end": "2026-01-04", "organic": "1", "referral": "1", "total": "2", "partial_period": "no"},
		"2026-01-26": {"period_end": "2026-01-31", "total": "0", "partial_period": "yes"},
	})

	// By day: A on 31 Dec and B on 1 Jan, in SAST, not in UTC (both are 31 Dec in UTC).
	got = growthCSV(t, e, "/growth/signups.csv?from=2025-12-30&to=2026-01-02&by=day", 0)
	checkFields(t, "signups by day", got, map[string]map[string]string{
		"2025-12-30": {"total": "0"}, "2025-12-31": {"organic": "1", "total": "1"},
		"2026-01-01": {"referral": "1", "total": "1"}, "2026-01-02": {"total": "0"},
	})

	// Cohorts by month. December: A and C, both activated (A's a1 at 00:15 on 1 Jan is inside
	// 168 hours); D1: A (1 Jan); D7: nobody; D30: C (9 Jan). January: B, F, E; activated: F;
	// D1: F; D7: B (a failed transaction still counts as active); D30: B (a pending one too).
	got = growthCSV(t, e, "/growth/cohorts.csv?"+decJan+"&by=month", 0)
	checkFields(t, "cohorts by month", got, map[string]map[string]string{
		"2025-12-01": {"signups": "2", "activation_known": "2", "activated": "2", "activation_rate": "1.000000", "activation_not_yet_known": "0",
			"d1_eligible": "2", "d1_active": "1", "d1_retention": "0.500000", "d7_active": "0", "d7_retention": "0.000000",
			"d30_eligible": "2", "d30_active": "1", "d30_retention": "0.500000"},
		"2026-01-01": {"signups": "3", "activation_known": "3", "activated": "1", "activation_rate": "0.333333",
			"d1_active": "1", "d1_retention": "0.333333", "d7_active": "1", "d7_retention": "0.333333",
			"d30_eligible": "3", "d30_active": "1", "d30_retention": "0.333333"},
	})
	// The week across the year boundary: A (activated, D1) and B (D7, D30).
	got = growthCSV(t, e, "/growth/cohorts.csv?"+decJan+"&by=week", 0)
	checkFields(t, "cohorts by week", got, map[string]map[string]string{
		"2025-12-29": {"signups": "2", "activated": "1", "activation_rate": "0.500000", "d1_retention": "0.500000",
			"d7_retention": "0.500000", "d30_retention": "0.500000"},
		// A week without sign-ups: n/a (empty), never zero.
		"2025-12-15": {"signups": "0", "activation_rate": "", "d1_retention": "", "d30_retention": ""},
	})

	// Only referral sign-ups: C, B, F. Activated C and F; D1 F; D7 B; D30 C and B.
	got = growthCSV(t, e, "/growth/cohorts.csv?"+decJan+"&by=month&source=referral", 0)
	checkFields(t, "referral cohorts", got, map[string]map[string]string{
		"2025-12-01": {"signups": "1", "activated": "1", "d30_active": "1"},
		"2026-01-01": {"signups": "2", "activated": "1", "d1_active": "1", "d7_active": "1", "d30_active": "1"},
	})

	// The page: tiles over the whole range. 5 sign-ups against 1 (R, 20 Nov) in Oct–Nov:
	// +400%. Activation 3/5, D1 2/5, D7 1/5, D30 2/5.
	res, body := get(t, e, "/growth?"+decJan+"&by=month")
	if res.StatusCode != 200 {
		t.Fatalf("GET /growth: %d\n%s", res.StatusCode, body)
	}
	for _, s := range []string{"+400.0% vs 2025-10-01 – 2025-11-30", "60.0%", "3 activated of 5", "40.0%", "2 of 5 sent a transaction on day 1",
		"20.0%", "1 of 5 sent a transaction on day 7", "2 of 5 sent a transaction on day 30",
		"1 organic · 3 referral · 1 bank promotion", "data-echarts=\"chart-retention-heatmap\"", `href="/glossary#growth-activation-rate"`} {
		if !strings.Contains(body, s) {
			t.Errorf("the page does not show %q", s)
		}
	}
}

// Near today, figures that cannot be known yet are "not yet known" / n/a, never zero.
func TestGrowthNotYetKnown(t *testing.T) {
	db := dbtest.New(t)
	seedGrowth(t, db)
	e := growthServer(db)
	// G (10 Mar): its window closes after 17 Mar: not yet known, though G has activated
	// already; day 1 (11 Mar) has passed. H (14 Mar): day 1 is today, not eligible.
	got := growthCSV(t, e, "/growth/cohorts.csv?from=2026-03-01&to=2026-03-15&by=day", 0)
	checkFields(t, "cohorts near today", got, map[string]map[string]string{
		"2026-03-10": {"signups": "1", "activation_known": "0", "activated": "0", "activation_rate": "",
			"activation_not_yet_known": "1", "activated_so_far_not_yet_known": "1",
			"d1_eligible": "1", "d1_active": "1", "d1_retention": "1.000000", "d7_eligible": "0", "d7_retention": "", "d30_retention": ""},
		"2026-03-14": {"signups": "1", "activation_not_yet_known": "1", "d1_eligible": "0", "d1_retention": ""},
	})
	res, body := get(t, e, "/growth?from=2026-03-01&to=2026-03-15")
	if res.StatusCode != 200 {
		t.Fatalf("GET /growth: %d", res.StatusCode)
	}
	for _, s := range []string{"no sign-up in the range has had its 7 days yet", "2 not yet known (still in their 7 days; 1 activated so far)",
		"1 of 1 sent a transaction on day 1", "no sign-up in the range has reached day 7 yet", "n/a"} {
		if !strings.Contains(body, s) {
			t.Errorf("the page does not show %q", s)
		}
	}
}

func TestGrowthHeatmapAcrossTheYear(t *testing.T) {
	db := dbtest.New(t)
	seedGrowth(t, db)
	e := growthServer(db)
	got := growthCSV(t, e, "/growth/retention-heatmap.csv?"+decJan, 0, 1)
	// Cohorts from November (R, the first with users) to January; 12 months each.
	want := map[string]map[string]string{
		// R never sends: months that have begun are real zeros.
		"2025-11|0": {"cohort_size": "1", "active_users": "0", "retention": "0.000000"},
		"2025-11|4": {"activity_month": "2026-03", "active_users": "0", "retention": "0.000000", "month_to_date": "yes"},
		"2025-11|5": {"activity_month": "2026-04", "cohort_size": "", "active_users": "", "retention": ""},
		// December: C sent in December; A's first transaction (00:15 on 1 Jan SAST) is January's.
		"2025-12|0": {"activity_month": "2025-12", "cohort_size": "2", "active_users": "1", "retention": "0.500000", "month_to_date": "no"},
		"2025-12|1": {"activity_month": "2026-01", "active_users": "2", "retention": "1.000000"},
		"2025-12|2": {"activity_month": "2026-02", "active_users": "0", "retention": "0.000000"},
		"2025-12|4": {"activity_month": "2026-04", "retention": ""},
		// January: B (00:30 on 1 Jan SAST) is January's cohort; B and F sent in January.
		"2026-01|0":  {"cohort_size": "3", "active_users": "2", "retention": "0.666667"},
		"2026-01|2":  {"activity_month": "2026-03", "active_users": "0", "retention": "0.000000"},
		"2026-01|3":  {"activity_month": "2026-04", "retention": ""},
		"2026-01|11": {"activity_month": "2026-12", "retention": ""},
	}
	checkFields(t, "heatmap", got, want)
	if len(got) != 3*12 {
		t.Errorf("heatmap has %d cells; want 3 cohorts × 12 months", len(got))
	}
	for k := range got {
		if strings.HasPrefix(k, "2025-10") {
			t.Errorf("a cohort before the first sign-up is shown: %s", k)
		}
	}
}

func TestGrowthReferrals(t *testing.T) {
	db := dbtest.New(t)
	seedGrowth(t, db)
	e := growthServer(db)
	// R referred C and B (C activated); A referred F (activated). Ties never arise here; R first.
	got := growthCSV(t, e, "/growth/referrers.csv?"+decJan, 0)
	checkFields(t, "referrers", got, map[string]map[string]string{
		"1": {"referrer_blood_hash": "blood-g-R", "referred": "2", "activated": "1", "activation_known": "2", "activation_rate": "0.500000", "not_yet_known": "0"},
		"2": {"referrer_blood_hash": "blood-g-A", "referred": "1", "activated": "1", "activation_rate": "1.000000"},
	})
	if len(got) != 2 {
		t.Errorf("%d referrers; want 2", len(got))
	}
	// Referred against organic, whatever the source filter: organic A; referral C, B, F; bank E.
	got = growthCSV(t, e, "/growth/sources.csv?"+decJan+"&source=organic", 0)
	checkFields(t, "sources", got, map[string]map[string]string{
		"organic":        {"signups": "1", "activation_rate": "1.000000", "d1_retention": "1.000000", "d7_retention": "0.000000", "d30_retention": "0.000000"},
		"referral":       {"signups": "3", "activated": "2", "activation_rate": "0.666667", "d1_retention": "0.333333", "d7_retention": "0.333333", "d30_retention": "0.666667"},
		"bank_promotion": {"signups": "1", "activation_rate": "0.000000", "d30_eligible": "1", "d30_retention": "0.000000"},
	})
	_, body := get(t, e, "/growth?"+decJan)
	for _, s := range []string{"blood-g-R", "60.0% of 5 sign-ups", "from 2 referrers", "66.7% (2 / 3)"} {
		if !strings.Contains(body, s) {
			t.Errorf("the page does not show %q", s)
		}
	}
	if strings.Contains(body, "phone-g-") {
		t.Errorf("the page shows a phone hash")
	}
}

func TestGrowthBadInput(t *testing.T) {
	db := dbtest.New(t)
	e := growthServer(db)
	for _, q := range []string{
		"from=2026-03-01&to=2026-01-01",        // reversed
		"from=1900-01-01&to=2026-01-01",        // before any data
		"from=2026-01-01&to=2099-01-01",        // in the future
		"from=2026-01-01",                      // half a range
		"from=2026-13-01&to=2026-01-01",        // not a date
		"source=facebook",                      // unknown source
		"source=organic&source=referral",       // given twice
		"by=hour",                              // unknown period
		"from=2024-01-01&to=2026-03-01&by=day", // too many days
		"preset=forever",
		"source=%27%3B--",
	} {
		res, body := get(t, e, "/growth?"+q)
		if res.StatusCode != 400 || !strings.Contains(body, "form-error") || strings.Contains(body, "goroutine") {
			t.Errorf("GET /growth?%s: %d; want 400 with a message", q, res.StatusCode)
		}
		if res, _ := get(t, e, "/growth/signups.csv?"+q); res.StatusCode != 400 {
			t.Errorf("GET /growth/signups.csv?%s: %d; want 400", q, res.StatusCode)
		}
	}
	for _, p := range []string{"/growth/nosuch.csv", "/growth/signups.txt", "/growth/signups"} {
		if res, _ := get(t, e, p); res.StatusCode != 404 {
			t.Errorf("GET %s: %d; want 404", p, res.StatusCode)
		}
	}
	// An empty database: the page works and says so, with n/a rather than zeros.
	res, body := get(t, e, "/growth")
	if res.StatusCode != 200 || !strings.Contains(body, "n/a") || !strings.Contains(body, "has not run yet") {
		t.Errorf("GET /growth on an empty database: %d", res.StatusCode)
	}
}
