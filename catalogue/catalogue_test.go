package catalogue

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/dbtest"
	"mari/queries"
	"mari/rollup"
)

// now is 2026-12-01 10:00 SAST: today is the 1st of December.
var now = dbtest.SAST("2026-12-01 10:00:00")

// seed builds the hand-worked dataset of the revenue definitions. Fee R0.10 per completed
// transaction.
//
//	banks  AAA  R3 000/month, share 25%, contract from 2026-09-17 (open)
//	       BBB  R1 000/month, share 30%, contract 2026-08-01 – 2026-10-10
//	licensing accrued (monthly fee × days in force ÷ days in month, cumulative rounding):
//	       AAA  Sep 3000 × 14/30 = 1 400.00; Oct 3 000.00; Nov 3 000.00; 1–16 Nov 1 600.00
//	            1–4 Oct round(3000 × 4/31) = 387.10, so 5–31 Oct = 2 612.90; 1 Nov 100.00
//	       BBB  Aug 1 000.00; Sep 1 000.00; Oct 1000 × 10/31 = 322.58; 1–4 Oct 129.03, 5–10 Oct 193.55
//	users  u1 2026-09-20, u2 2026-10-02, u3 2026-10-09
//	transactions (completed unless said)
//	       3 Oct  u1 AAA ×3         12 Oct u1 AAA ×4
//	        8 Oct u2 BBB ×5, and 1 failed
//	       10 Oct u3 no bank ×2
//	        1 Nov u1 AAA ×1
//	banks' share, cumulative per bank and month: AAA Oct round(0.025 × 3) = 0.08 on the 3rd,
//	       round(0.025 × 7) = 0.18 through the 12th, so 0.10 on the 12th; BBB 0.15 on the 8th;
//	       AAA Nov round(0.025) = 0.03.
//	costs  Oct: infrastructure 100 (cost of revenue), marketing 50
func seed(t *testing.T) *dbtest.DB {
	t.Helper()
	db := dbtest.New(t)
	dbtest.Bank{Code: "AAA", Start: "2026-09-17", Fee: "3000", Share: "0.25"}.Insert(t, db)
	dbtest.Bank{Code: "BBB", Start: "2026-08-01", End: "2026-10-10", Fee: "1000", Share: "0.30"}.Insert(t, db)
	dbtest.User{Name: "u1", Created: "2026-09-20 09:00:00"}.Insert(t, db)
	dbtest.User{Name: "u2", Created: "2026-10-02 09:00:00"}.Insert(t, db)
	dbtest.User{Name: "u3", Created: "2026-10-09 09:00:00"}.Insert(t, db)
	tx := func(n int, from, bank, status, at string) {
		for range n {
			dbtest.Tx{From: from, To: "u3", Amount: "10.00", Status: status, At: at, Bank: bank}.Insert(t, db)
		}
	}
	tx(3, "u1", "AAA", "COMPLETED", "2026-10-03 12:00:00")
	tx(4, "u1", "AAA", "COMPLETED", "2026-10-12 12:00:00")
	tx(5, "u2", "BBB", "COMPLETED", "2026-10-08 12:00:00")
	tx(1, "u2", "BBB", "FAILED", "2026-10-08 13:00:00")
	tx(2, "u3", "", "COMPLETED", "2026-10-10 12:00:00")
	tx(1, "u1", "AAA", "COMPLETED", "2026-11-01 00:00:00")
	dbtest.Cost{Month: "2026-10-01", Category: "infrastructure", Amount: "100"}.Insert(t, db)
	dbtest.Cost{Month: "2026-10-01", Category: "marketing", Amount: "50"}.Insert(t, db)
	if err := rollup.New(db.PG, nil, func() time.Time { return now }).Backfill(context.Background(),
		dbtest.Date("2026-08-01"), dbtest.Date("2026-12-01"), io.Discard); err != nil {
		t.Fatalf("rollup: %v", err)
	}
	return db
}

func ask(t *testing.T, src *Sources, id, from, to string, g Grain, f Filters) Series {
	t.Helper()
	s, err := Ask(context.Background(), src, Must(id), Query{
		Range: calendar.Range{From: dbtest.Date(from), To: dbtest.Date(to)}, Grain: g, Filters: f, Now: now})
	if err != nil {
		t.Fatalf("%s %s–%s by %s: %v", id, from, to, g, err)
	}
	return s
}

func want(t *testing.T, what string, v Value, expected string) {
	t.Helper()
	got := "n/a"
	if v.OK {
		got = v.V.String()
	}
	if expected != "n/a" {
		if e, err := parseDec(expected); err != nil || !v.OK || !v.V.Equal(e) {
			t.Errorf("%s = %s; want %s", what, got, expected)
		}
		return
	}
	if v.OK {
		t.Errorf("%s = %s; want n/a", what, got)
	}
}

func TestRevenueDefinitions(t *testing.T) {
	db := seed(t)
	src := NewSources(db.PG, db.CH)

	// A range that cuts two months: 5 October – 16 November.
	r := ask(t, src, IDRevenue, "2026-10-05", "2026-11-16", Month, Filters{})
	want(t, "licensing 5 Oct – 16 Nov", ask(t, src, IDLicensingRevenue, "2026-10-05", "2026-11-16", Month, Filters{}).Total,
		"4406.45") // AAA 2 612.90 + 1 600.00, BBB 193.55
	want(t, "fees billed 5 Oct – 16 Nov", ask(t, src, IDFeesBilled, "2026-10-05", "2026-11-16", Day, Filters{}).Total,
		"1.20") // 4 + 5 + 2 + 1 completed × R0.10
	want(t, "banks' share 5 Oct – 16 Nov", ask(t, src, IDBankShare, "2026-10-05", "2026-11-16", Week, Filters{}).Total,
		"0.28") // AAA 0.10 (12 Oct) + 0.03 (1 Nov), BBB 0.15
	want(t, "transaction revenue 5 Oct – 16 Nov", ask(t, src, IDTransactionRevenue, "2026-10-05", "2026-11-16", Month, Filters{}).Total,
		"0.92")
	want(t, "revenue 5 Oct – 16 Nov", r.Total, "4407.37")
	// The chart's months are the range's days of each month and add up to the tile.
	if len(r.Points) != 2 {
		t.Fatalf("%d monthly points; want Oct and Nov", len(r.Points))
	}
	want(t, "revenue 5–31 Oct", r.Points[0].Value, "2807.30") // 2 806.45 licensing + 1.10 − 0.25
	want(t, "revenue 1–16 Nov", r.Points[1].Value, "1600.07") // 1 600.00 + 0.10 − 0.03
	if r.Points[0].Complete || r.Points[1].Complete {
		t.Errorf("months cut by the range are complete: %+v", r.Points)
	}
	if got := PeriodLabel(r.Points[0].Period, Month); got != "Oct 2026 (5–31)" {
		t.Errorf("label of the cut October: %q", got)
	}
	for _, g := range []Grain{Day, Week} {
		s := ask(t, src, IDRevenue, "2026-10-05", "2026-11-16", g, Filters{})
		sum := s.Points[0].Value.V
		for _, p := range s.Points[1:] {
			sum = sum.Add(p.Value.V)
		}
		want(t, "Σ revenue by "+string(g), Value{V: sum, OK: true}, "4407.37")
	}

	// The 1st of a month is one day's licensing, not the month's.
	want(t, "revenue on 1 Nov", ask(t, src, IDRevenue, "2026-11-01", "2026-11-01", Day, Filters{}).Total,
		"100.07") // AAA's 3 000 ÷ 30, and 0.10 − 0.03

	// A contract starting on the 17th earns its days of that month.
	want(t, "licensing in September", ask(t, src, IDLicensingRevenue, "2026-09-01", "2026-09-30", Month, Filters{}).Total,
		"2400.00") // AAA 1 400.00 + BBB 1 000.00
	want(t, "AAA's licensing in September", ask(t, src, IDLicensingRevenue, "2026-09-01", "2026-09-30", Month, Filters{Bank: "AAA"}).Total,
		"1400.00")

	// A bank at 25 %: October for AAA alone.
	aaa := Filters{Bank: "AAA"}
	want(t, "AAA billed Oct", ask(t, src, IDFeesBilled, "2026-10-01", "2026-10-31", Month, aaa).Total, "0.70")
	want(t, "AAA share Oct", ask(t, src, IDBankShare, "2026-10-01", "2026-10-31", Month, aaa).Total, "0.18")
	want(t, "AAA revenue Oct", ask(t, src, IDRevenue, "2026-10-01", "2026-10-31", Month, aaa).Total, "3000.52")
	want(t, "BBB success rate Oct", ask(t, src, IDSuccessRate, "2026-10-01", "2026-10-31", Month, Filters{Bank: "BBB"}).Total,
		"0.833333333333") // 5 of 6 final

	// Financial KPIs over October (complete): revenue 3 322.58 licensing + 1.40 − 0.33 = 3 323.65.
	want(t, "gross margin Oct", ask(t, src, IDGrossMargin, "2026-10-01", "2026-10-31", Month, Filters{}).Total,
		"0.969912596092") // 3 223.65 ÷ 3 323.65, to 12 places
	want(t, "transaction margin Oct", ask(t, src, IDTransactionMargin, "2026-10-01", "2026-10-31", Month, Filters{}).Total,
		"-92.457943925234") // (1.07 − 100) ÷ 1.07
	want(t, "CAC Oct", ask(t, src, IDCAC, "2026-10-01", "2026-10-31", Month, Filters{}).Total, "25") // 50 ÷ u2, u3
	want(t, "LTV Oct", ask(t, src, IDLTV, "2026-10-01", "2026-10-31", Month, Filters{}).Total,
		"n/a") // nobody was active in September: churn n/a
	// By month, each complete month is its own: September and November have no costs.
	gm := ask(t, src, IDGrossMargin, "2026-09-01", "2026-11-30", Month, Filters{})
	want(t, "gross margin Sep", gm.Points[0].Value, "1")
	want(t, "gross margin Oct", gm.Points[1].Value, "0.969912596092")
	want(t, "gross margin Nov", gm.Points[2].Value, "1")
	want(t, "gross margin Sep–Nov", gm.Total, "0.988537000271") // (2 400 + 3 323.65 + 3 000.07 − 100) ÷ 8 723.72
}

func TestAskRefusesWhatAMetricCannotAnswer(t *testing.T) {
	q := Query{Range: calendar.Range{From: dbtest.Date("2026-10-01"), To: dbtest.Date("2026-10-31")}, Grain: Week,
		Filters: Filters{Bank: "AAA"}, Now: now}
	for id, msg := range map[string]string{
		IDMAU:       "available by month, not by week",
		IDFraudRate: "cannot be filtered by bank",
		IDDay:       "is a definition",
	} {
		_, err := Ask(context.Background(), nil, Must(id), q)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s by week for a bank: %v; want %q", id, err, msg)
		}
	}
}

func TestPeriods(t *testing.T) {
	r := calendar.Range{From: dbtest.Date("2026-10-05"), To: dbtest.Date("2026-11-16")}
	weeks := Periods(r, Week, dbtest.Date("2026-12-01"))
	// 5 Oct 2026 is a Monday: 6 whole weeks (5 Oct – 15 Nov), then Monday 16 Nov alone.
	if len(weeks) != 7 || !weeks[0].Complete || weeks[6].Complete || weeks[6].Period.Days() != 1 {
		t.Errorf("weeks: %+v", weeks)
	}
	months := Periods(calendar.Range{From: dbtest.Date("2026-06-01"), To: dbtest.Date("2026-12-01")}, Month, dbtest.Date("2026-12-01"))
	if len(months) != 7 || !months[5].Complete || months[6].Complete {
		t.Errorf("months Jun – 1 Dec: %d, Nov complete %v, Dec complete %v", len(months), months[5].Complete, months[6].Complete)
	}
}

// Every metric is in the glossary once, with what a reader needs.
func TestCatalogueIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range All() {
		if seen[m.ID] {
			t.Errorf("%s listed twice", m.ID)
		}
		seen[m.ID] = true
		if m.Formula == "" || m.Source == "" {
			t.Errorf("%s lacks a formula or a source", m.ID)
		}
		if m.Unit != Concept && m.Load != nil && len(m.Grains) == 0 {
			t.Errorf("%s loads but has no grain", m.ID)
		}
		if m.Target != "" && m.Better == Neutral {
			t.Errorf("%s has a target but no better direction", m.ID)
		}
		for _, name := range m.SQL {
			func() {
				defer func() {
					if recover() != nil {
						t.Errorf("%s names SQL %q, which queries does not have", m.ID, name)
					}
				}()
				_ = queries.SQL(name)
			}()
		}
	}
}

func parseDec(s string) (decimal.Decimal, error) { return decimal.NewFromString(s) }
