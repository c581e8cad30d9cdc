package catalogue

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"mari/calendar"
	"mari/dbtest"
	"mari/rollup"
)

// growthNow is Friday 2026-02-20 10:00 SAST: today is 20 February.
var growthNow = dbtest.SAST("2026-02-20 10:00:00")

// seedGrowth builds the growth metrics' hand-worked dataset (all times SAST) and rolls it up
// to growthNow.
//
//	user source          signed up          its transactions (sent)
//	z    organic         2025-12-31 23:59   none (21:59 UTC: 31 Dec, before the range)
//	a    organic         2026-01-05 09:00   COMPLETED 6 Jan 10:00 (activates; day 1), FAILED 12 Jan (day 7)
//	b    referral        2026-01-05 23:30   COMPLETED 12 Jan 23:31, one minute after its 168 hours:
//	                                        not activated, but day 7; PENDING 4 Feb (day 30)
//	c    referral        2026-01-12 00:30   (22:30 UTC on 11 Jan: SAST day 12 Jan) COMPLETED 13 Jan 00:10
//	                                        (activates; day 1), FAILED 11 Feb (day 30)
//	d    bank_promotion  2026-01-31 12:00   none
//	e    organic         2026-02-01 08:00   COMPLETED 8 Feb 07:59 (activates, a minute inside; day 7)
//	f    referral        2026-02-10 10:00   FAILED 11 Feb (day 1; failed: not activated)
//	g    organic         2026-02-16 10:00   COMPLETED 17 Feb (activated, but its window is still open; day 1)
//	h    organic         2026-02-19 15:00   none (day 1 is today: not eligible)
//
// Known on 20 Feb: activation for signup days up to 12 Feb (D + 7 < 20 Feb): a–f, of whom a,
// c, e activated; g and h are not yet known (g activated so far). D1 eligible up to 18 Feb:
// a–g, active a, c, f, g. D7 up to 12 Feb: a–f, active a, b, e. D30 up to 20 Jan: a, b, c,
// active b, c.
func seedGrowth(t *testing.T) *dbtest.DB {
	t.Helper()
	db := dbtest.New(t)
	for _, u := range []dbtest.User{
		{Name: "z", Created: "2025-12-31 23:59:00"},
		{Name: "a", Created: "2026-01-05 09:00:00"},
		{Name: "b", Created: "2026-01-05 23:30:00"},
		{Name: "c", Created: "2026-01-12 00:30:00"},
		{Name: "d", Created: "2026-01-31 12:00:00", Source: "bank_promotion"},
		{Name: "e", Created: "2026-02-01 08:00:00"},
		{Name: "f", Created: "2026-02-10 10:00:00"},
		{Name: "g", Created: "2026-02-16 10:00:00"},
		{Name: "h", Created: "2026-02-19 15:00:00"},
	} {
		u.Insert(t, db)
	}
	// A referral sign-up names its referrer, which dbtest.User does not: z referred them.
	for _, name := range []string{"b", "c", "f"} {
		db.Exec(t, `UPDATE users SET signup_source = 'referral', referrer_user_id = $2 WHERE id = $1`, dbtest.UserID(name), dbtest.UserID("z"))
	}
	for _, x := range []dbtest.Tx{
		{From: "a", Status: "COMPLETED", At: "2026-01-06 10:00:00"},
		{From: "a", Status: "FAILED", At: "2026-01-12 10:00:00"},
		{From: "b", Status: "COMPLETED", At: "2026-01-12 23:31:00"},
		{From: "b", Status: "PENDING", At: "2026-02-04 09:00:00"},
		{From: "c", Status: "COMPLETED", At: "2026-01-13 00:10:00"},
		{From: "c", Status: "FAILED", At: "2026-02-11 09:00:00"},
		{From: "e", Status: "COMPLETED", At: "2026-02-08 07:59:00"},
		{From: "f", Status: "FAILED", At: "2026-02-11 10:00:00"},
		{From: "g", Status: "COMPLETED", At: "2026-02-17 10:00:00"},
	} {
		x.To, x.Amount = "z", "10.00"
		x.Insert(t, db)
	}
	if err := rollup.New(db.PG, nil, func() time.Time { return growthNow }).Backfill(context.Background(),
		dbtest.Date("2025-12-01"), calendar.Today(growthNow), io.Discard); err != nil {
		t.Fatalf("rollup: %v", err)
	}
	return db
}

func askAt(t *testing.T, src *Sources, id, from, to string, g Grain, f Filters) Series {
	t.Helper()
	s, err := Ask(context.Background(), src, Must(id), Query{
		Range: calendar.Range{From: dbtest.Date(from), To: dbtest.Date(to)}, Grain: g, Filters: f, Now: growthNow})
	if err != nil {
		t.Fatalf("%s %s–%s by %s %+v: %v", id, from, to, g, f, err)
	}
	return s
}

var (
	allSources = Filters{}
	referral   = Filters{Source: "referral"}
)

// The growth metrics over 1 Jan – 20 Feb (today) by month, week and day, worked out by hand.
func TestGrowthMetricsByHand(t *testing.T) {
	db := seedGrowth(t)
	src := NewSources(db.PG, db.CH)
	const from, to = "2026-01-01", "2026-02-20"

	// By month: January (complete) a, b, c, d; February to date e, f, g, h.
	type month struct{ jan, feb, total string }
	for _, c := range []struct {
		id string
		f  Filters
		m  month
	}{
		{IDGrowthSignups, allSources, month{"4", "4", "8"}},
		{IDGrowthActivation, allSources, month{"0.5", "0.5", "0.5"}},                         // a, c of a–d; e of e, f; 3 of 6
		{IDGrowthD1Retention, allSources, month{"0.5", "0.666666666667", "0.571428571429"}},  // a, c of 4; f, g of e, f, g; 4 of 7
		{IDGrowthD7Retention, allSources, month{"0.5", "0.5", "0.5"}},                        // a, b of 4; e of e, f; 3 of 6
		{IDGrowthD30Retention, allSources, month{"0.666666666667", "n/a", "0.666666666667"}}, // b, c of a, b, c; nobody eligible in Feb
		{IDGrowthReferrals, allSources, month{"2", "1", "3"}},                                // b, c; f
		// Referral sign-ups only: b, c in January, f in February.
		{IDGrowthSignups, referral, month{"2", "1", "3"}},
		{IDGrowthActivation, referral, month{"0.5", "0", "0.333333333333"}},  // c of b, c; f failed
		{IDGrowthD1Retention, referral, month{"0.5", "1", "0.666666666667"}}, // c; f
		{IDGrowthD7Retention, referral, month{"0.5", "0", "0.333333333333"}}, // b; f silent on 17 Feb
		{IDGrowthD30Retention, referral, month{"1", "n/a", "1"}},             // b, c
	} {
		s := askAt(t, src, c.id, from, to, Month, c.f)
		what := c.id + " " + c.f.Source
		if len(s.Points) != 2 || !s.Points[0].Complete || s.Points[1].Complete {
			t.Fatalf("%s by month: %+v; want complete January and February to date", what, s.Points)
		}
		want(t, what+" January", s.Points[0].Value, c.m.jan)
		want(t, what+" February to date", s.Points[1].Value, c.m.feb)
		want(t, what+" total", s.Total, c.m.total)
	}

	// By ISO week: 1–4 Jan is cut by the range; the week of 26 Jan crosses into February (d, e);
	// the week of 16 Feb is cut by today.
	weeks := func(id string) []string {
		s := askAt(t, src, id, from, to, Week, allSources)
		var out []string
		for _, p := range s.Points {
			v := "n/a"
			if p.Value.OK {
				v = p.Value.V.String()
			}
			out = append(out, p.Period.From.String()+" "+v)
		}
		return out
	}
	for id, w := range map[string]string{
		IDGrowthSignups:      "2026-01-01 0|2026-01-05 2|2026-01-12 1|2026-01-19 0|2026-01-26 2|2026-02-02 0|2026-02-09 1|2026-02-16 2",
		IDGrowthActivation:   "2026-01-01 n/a|2026-01-05 0.5|2026-01-12 1|2026-01-19 n/a|2026-01-26 0.5|2026-02-02 n/a|2026-02-09 0|2026-02-16 n/a",
		IDGrowthD1Retention:  "2026-01-01 n/a|2026-01-05 0.5|2026-01-12 1|2026-01-19 n/a|2026-01-26 0|2026-02-02 n/a|2026-02-09 1|2026-02-16 1",
		IDGrowthD7Retention:  "2026-01-01 n/a|2026-01-05 1|2026-01-12 0|2026-01-19 n/a|2026-01-26 0.5|2026-02-02 n/a|2026-02-09 0|2026-02-16 n/a",
		IDGrowthD30Retention: "2026-01-01 n/a|2026-01-05 0.5|2026-01-12 1|2026-01-19 n/a|2026-01-26 n/a|2026-02-02 n/a|2026-02-09 n/a|2026-02-16 n/a",
		IDGrowthReferrals:    "2026-01-01 0|2026-01-05 1|2026-01-12 1|2026-01-19 0|2026-01-26 0|2026-02-02 0|2026-02-09 1|2026-02-16 0",
	} {
		if got := strings.Join(weeks(id), "|"); got != w {
			t.Errorf("%s by week:\n got %s\nwant %s", id, got, w)
		}
	}

	// By SAST day: b at 23:30 on 5 Jan and c at 00:30 on 12 Jan (11 Jan in UTC) are their
	// SAST days' sign-ups; z (23:59 on 31 Dec) is before the range.
	days := askAt(t, src, IDGrowthSignups, "2025-12-31", "2026-01-12", Day, allSources)
	for i, w := range map[int]string{0: "1", 1: "0", 5: "2", 11: "0", 12: "1"} {
		want(t, "sign-ups on "+days.Points[i].Period.From.String(), days.Points[i].Value, w)
	}
	want(t, "sign-ups 31 Dec – 12 Jan", days.Total, "4")
	// g activated on 17 Feb, but its window is open until 23 Feb: not yet known, so n/a.
	want(t, "activation of 16 Feb", askAt(t, src, IDGrowthActivation, "2026-02-16", "2026-02-16", Day, allSources).Total, "n/a")
	want(t, "D1 of 19 Feb (day 1 is today)", askAt(t, src, IDGrowthD1Retention, "2026-02-19", "2026-02-19", Day, allSources).Total, "n/a")

	// The counts behind the rates, as the page shows them beside each rate.
	_, c, err := Cohorts(context.Background(), src, Query{Range: calendar.Range{From: dbtest.Date(from), To: dbtest.Date(to)}, Grain: Month, Now: growthNow})
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := CohortCounts{Signups: 8, Known: 6, Activated: 3, Open: 2, OpenActivated: 1,
		Eligible: [3]int64{7, 6, 3}, Active: [3]int64{4, 3, 2}}
	if c != wantCounts {
		t.Errorf("counts 1 Jan – 20 Feb: %+v; want %+v", c, wantCounts)
	}
}

// Every growth metric, by every grain and with and without a source filter, has points that add
// up to its total: a count's points sum to it, a rate's numerators and denominators do, and
// every point is its cohort's formula. Unfiltered sign-ups are New users, day by day, and the
// sources add up to them.
func TestGrowthMetricsAddUp(t *testing.T) {
	db := seedGrowth(t)
	src := NewSources(db.PG, db.CH)
	ranges := [][2]string{{"2026-01-01", "2026-02-20"}, {"2025-12-29", "2026-02-03"}, {"2026-01-31", "2026-02-01"}}
	rates := map[string]func(CohortCounts) (int64, int64){
		IDGrowthActivation:   func(c CohortCounts) (int64, int64) { return c.Activated, c.Known },
		IDGrowthD1Retention:  func(c CohortCounts) (int64, int64) { return c.Active[0], c.Eligible[0] },
		IDGrowthD7Retention:  func(c CohortCounts) (int64, int64) { return c.Active[1], c.Eligible[1] },
		IDGrowthD30Retention: func(c CohortCounts) (int64, int64) { return c.Active[2], c.Eligible[2] },
	}
	for _, r := range ranges {
		for _, g := range []Grain{Day, Week, Month} {
			q := Query{Range: calendar.Range{From: dbtest.Date(r[0]), To: dbtest.Date(r[1])}, Grain: g, Now: growthNow}
			what := r[0] + "–" + r[1] + " by " + string(g)

			newUsers := askAt(t, src, IDNewUsers, r[0], r[1], g, allSources)
			var bySource []Series
			for _, s := range SignupSources {
				bySource = append(bySource, askAt(t, src, IDGrowthSignups, r[0], r[1], g, Filters{Source: s}))
			}
			for _, f := range append([]Filters{allSources}, Filters{Source: "organic"}, referral, Filters{Source: "bank_promotion"}) {
				q.Filters = f
				cohorts, total, err := Cohorts(context.Background(), src, q)
				if err != nil {
					t.Fatal(err)
				}
				signups := askAt(t, src, IDGrowthSignups, r[0], r[1], g, f)
				var sum int64
				for i, p := range signups.Points {
					if p.Period != cohorts[i].Period || p.Value.V.IntPart() != cohorts[i].Counts.Signups {
						t.Errorf("%s %s: sign-ups point %d is %+v; its cohort %+v", what, f.Source, i, p, cohorts[i])
					}
					sum += p.Value.V.IntPart()
				}
				want(t, what+" "+f.Source+" Σ sign-ups", OfInt(sum), signups.Total.V.String())
				if sum != total.Signups {
					t.Errorf("%s %s: Σ sign-ups %d; cohort total %d", what, f.Source, sum, total.Signups)
				}
				if f == allSources {
					for i, p := range signups.Points {
						want(t, what+" new users "+p.Period.From.String(), newUsers.Points[i].Value, p.Value.V.String())
						var sources int64
						for _, s := range bySource {
							sources += s.Points[i].Value.V.IntPart()
						}
						want(t, what+" Σ sources "+p.Period.From.String(), OfInt(sources), p.Value.V.String())
					}
					want(t, what+" new users total", newUsers.Total, signups.Total.V.String())
				}
				for id, parts := range rates {
					s := askAt(t, src, id, r[0], r[1], g, f)
					var num, den int64
					for i, p := range s.Points {
						n, d := parts(cohorts[i].Counts)
						num, den = num+n, den+d
						want(t, what+" "+f.Source+" "+id+" "+p.Period.From.String(), p.Value, ratioText(n, d))
					}
					if tn, td := parts(total); tn != num || td != den {
						t.Errorf("%s %s %s: points add up to %d/%d; total is %d/%d", what, f.Source, id, num, den, tn, td)
					}
					want(t, what+" "+f.Source+" "+id+" total", s.Total, ratioText(num, den))
				}
			}
			referrals := askAt(t, src, IDGrowthReferrals, r[0], r[1], g, allSources)
			for i, p := range referrals.Points {
				want(t, what+" referrals "+p.Period.From.String(), p.Value, bySource[1].Points[i].Value.V.String())
			}
			want(t, what+" referrals total", referrals.Total, bySource[1].Total.V.String())
		}
	}
}

func ratioText(num, den int64) string {
	v := ratio(num, den)
	if !v.OK {
		return "n/a"
	}
	return v.V.String()
}

func TestGrowthMetricsRefuseWhatTheyCannotAnswer(t *testing.T) {
	q := Query{Range: calendar.Range{From: dbtest.Date("2026-01-01"), To: dbtest.Date("2026-01-31")}, Grain: Week, Now: growthNow}
	for _, c := range []struct {
		id  string
		f   Filters
		msg string
	}{
		{IDGrowthReferrals, Filters{Source: "organic"}, "cannot be filtered by source"},
		{IDGrowthSignups, Filters{Bank: "AAA"}, "cannot be filtered by bank"},
		{IDGrowthActivation, Filters{Source: "facebook"}, `Unknown signup source "facebook"`},
		{IDGrowthTopReferrers, Filters{}, "is a definition"},
		{IDGrowthCohortHeatmap, Filters{}, "is a definition"},
	} {
		q.Filters = c.f
		_, err := Ask(context.Background(), NewSources(nil, nil), Must(c.id), q)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s %+v: %v; want %q", c.id, c.f, err, c.msg)
		}
	}
}
