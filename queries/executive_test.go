package queries_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/dbtest"
	"mari/queries"
)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.SAST)
	if err != nil {
		panic(err)
	}
	return t
}

// Outages: the union inside the window, overlapping ones once, an ongoing one up to the
// window's end, minor incidents ignored.
func TestExecOutageSeconds(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	db.Exec(t, `INSERT INTO incidents (title, severity, is_outage, started_at, ended_at) VALUES
		('a', 'critical', true,  $1, $2),   -- 10:00–11:00
		('b', 'critical', true,  $3, $4),   -- 10:30–12:00 (overlaps a: union 10:00–12:00)
		('c', 'critical', true,  $5, $6),   -- 11:00–11:30, inside the union: adds nothing
		('d', 'minor',    false, $7, $8),   -- 13:00–18:00, not an outage
		('e', 'major',    true,  $9, NULL)  -- 20:00, still ongoing
		`, at("2026-03-05 10:00"), at("2026-03-05 11:00"), at("2026-03-05 10:30"), at("2026-03-05 12:00"),
		at("2026-03-05 11:00"), at("2026-03-05 11:30"), at("2026-03-05 13:00"), at("2026-03-05 18:00"),
		at("2026-03-05 20:00"))
	cases := []struct {
		from, to string
		want     int64 // seconds
	}{
		{"2026-03-05 00:00", "2026-03-05 19:00", 2 * 3600},       // a∪b∪c
		{"2026-03-05 10:45", "2026-03-05 19:00", 3600 + 15*60},   // clipped at the start
		{"2026-03-05 00:00", "2026-03-05 21:30", 2*3600 + 90*60}, // ongoing e up to the end
		{"2026-03-06 00:00", "2026-03-07 00:00", 24 * 3600},      // e covers the whole day
		{"2026-03-04 00:00", "2026-03-05 00:00", 0},              // before everything
		{"2026-03-05 11:59", "2026-03-05 12:01", 60},             // straddles b's end
	}
	for _, c := range cases {
		got, err := queries.ExecOutageSeconds(ctx, db.PG, at(c.from), at(c.to))
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(decimal.NewFromInt(c.want)) {
			t.Errorf("%s – %s: %s s; want %d", c.from, c.to, got, c.want)
		}
	}
}

// Licensing fees accrue per day in force (migration 00015: licensing_accrual): a month
// earns fee × days covered ÷ days in the month, rounded to the cent per bank and month, and a
// month the range cuts earns only its days in the range.
func TestMonthlyLicensingAccrues(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, contract_start_date, contract_end_date, monthly_fee) VALUES
		('A', 'A', '2026-01-01', NULL, 1000.00),          -- every day from 1 Jan
		('B', 'B', '2026-01-02', '2026-03-01', 250.50),   -- 2 Jan – 1 Mar
		('C', 'C', '2025-06-01', '2026-01-31', 99.99)     -- to 31 Jan`)
	d := func(s string) calendar.Date { v, _ := calendar.ParseDate(s); return v }
	months, err := queries.ExecMonthly(ctx, db.PG, calendar.Range{From: d("2025-12-01"), To: d("2026-03-15")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"99.99",   // Dec: C
		"1342.41", // Jan: A 1 000 + B 250.50 × 30/31 = 242.42 + C 99.99
		"1250.50", // Feb: A + B
		"491.95",  // 1–15 Mar: A 1 000 × 15/31 = 483.87 + B 250.50 × 1/31 = 8.08
	}
	if len(months) != len(want) {
		t.Fatalf("%d months; want %d", len(months), len(want))
	}
	// Every month is listed, with zeros (not missing rows) where the rollup has no days.
	for i, m := range months {
		if !m.LicensingRevenue.Equal(decimal.RequireFromString(want[i])) || m.Days != 0 || !m.LastDay.IsZero() {
			t.Errorf("%s: licensing %s, days %d; want %s, 0", m.Month, m.LicensingRevenue, m.Days, want[i])
		}
	}
	if !months[0].Month.Equal(d("2025-12-01")) || !months[3].Month.Equal(d("2026-03-01")) {
		t.Errorf("months %s … %s", months[0].Month, months[3].Month)
	}
}
