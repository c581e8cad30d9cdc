package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/dbtest"
	"mari/queries"
	"mari/rollup"
)

var (
	sast = dbtest.SAST
	date = dbtest.Date
)

// testNow is 2026-04-10 10:00 SAST: March is over, April is running.
var testNow = sast("2026-04-10 10:00:00")

func uid(name string) uuid.UUID { return uuid.NewSHA1(uuid.NameSpaceOID, []byte("report-user-"+name)) }

// seed is the hand-worked dataset (SAST):
//
//	banks  BANKA from 2026-02-01 R1 000/month; BANKB from 2026-03-01 R500/month
//	       → licensing Feb 1 000, Mar 1 500
//	users  a 2026-02-03 09:00, b 2026-02-28 23:59:59   (February)
//	       c 2026-03-01 00:00:00, d 2026-03-15 12:00, e 2026-03-31 23:30 (March)
//	transactions (sender amount status initiated)
//	  a  100.00 COMPLETED 2026-02-05 10:00
//	  a   50.00 FAILED    2026-02-10 10:00
//	  b  200.00 COMPLETED 2026-02-28 23:59:59   last second of February
//	  a  300.00 COMPLETED 2026-03-01 00:00:00   first second of March
//	  c   25.50 COMPLETED 2026-03-10 12:00
//	  d   40.00 FAILED    2026-03-20 12:00
//	  a 1000.00 COMPLETED 2026-03-31 23:59:59   last second of March
//	  e   70.00 COMPLETED 2026-04-01 00:00:00   April: in no March figure
//
// Revenue is Mari's: the fees billed less BANKA's 30 % share (rounded to the cent per month),
// plus licensing accrued per day in force (here both contracts cover whole months).
// February: total users 2, new 2, MAU 2 (a, b), transactions 3, volume 300.00,
// fees billed 2 × 0.10 = 0.20, BANKA's share round(0.06) = 0.06 → 0.14; licensing 1 000 →
// revenue 1 000.14.
// March: total users 5, new 3, MAU 3 (a, c, d), transactions 4, volume 1 325.50,
// fees billed 0.30, share 0.09 → 0.21; licensing 1 500 → revenue 1 500.21.
func seed(t *testing.T, db *dbtest.DB) {
	t.Helper()
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date, monthly_fee) VALUES
		('Bank A', 'BANKA', 'active', '2026-02-01', 1000.00), ('Bank B', 'BANKB', 'active', '2026-03-01', 500.00)`)
	for _, u := range []struct{ name, at string }{
		{"a", "2026-02-03 09:00:00"}, {"b", "2026-02-28 23:59:59"},
		{"c", "2026-03-01 00:00:00"}, {"d", "2026-03-15 12:00:00"}, {"e", "2026-03-31 23:30:00"},
	} {
		db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at, last_active)
			VALUES ($1, $2, $3, 'key', $4, $4)`, uid(u.name), "phone-"+u.name, "blood-"+u.name, sast(u.at))
	}
	for i, x := range []struct{ from, amount, status, at string }{
		{"a", "100.00", "COMPLETED", "2026-02-05 10:00:00"},
		{"a", "50.00", "FAILED", "2026-02-10 10:00:00"},
		{"b", "200.00", "COMPLETED", "2026-02-28 23:59:59"},
		{"a", "300.00", "COMPLETED", "2026-03-01 00:00:00"},
		{"c", "25.50", "COMPLETED", "2026-03-10 12:00:00"},
		{"d", "40.00", "FAILED", "2026-03-20 12:00:00"},
		{"a", "1000.00", "COMPLETED", "2026-03-31 23:59:59"},
		{"e", "70.00", "COMPLETED", "2026-04-01 00:00:00"},
	} {
		insertTransaction(t, db, i+1, x.from, x.amount, x.status, x.at)
	}
	rerunRollup(t, db)
}

// insertTransaction writes one transaction from user `from` (to user a, or b when a sends).
func insertTransaction(t *testing.T, db *dbtest.DB, n int, from, amount, status, at string) {
	t.Helper()
	to := "a"
	if from == "a" {
		to = "b"
	}
	initiated := sast(at)
	completed := initiated.Add(time.Second)
	var reason *string
	if status == "FAILED" {
		r := "insufficient_funds"
		reason = &r
	}
	db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, bank_id,
			created_at, completed_at, channel, processing_time_ms, failure_reason)
		VALUES ($1, $2, $3::numeric, $4, $5, 'BANKA', $6, $7, 'online', 1000, $8)`,
		uid(from), uid(to), amount, status, fmt.Sprintf("report-seal-%d", n), initiated, completed, reason)
}

// rerunRollup (re)builds the rollups from 1 January 2026 through today.
func rerunRollup(t *testing.T, db *dbtest.DB) {
	t.Helper()
	if err := rollup.New(db.PG, nil, func() time.Time { return testNow }).Backfill(context.Background(), date("2026-01-01"), date("2026-04-10"), io.Discard); err != nil {
		t.Fatalf("rollup: %v", err)
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func line(t *testing.T, f Figures, key string) Line {
	t.Helper()
	for _, l := range f.Lines() {
		if l.Key == key {
			return l
		}
	}
	t.Fatalf("no line %q", key)
	return Line{}
}

func TestComputeMarchAgainstFebruary(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	f, err := Compute(context.Background(), queries.Executive{PG: db.PG}, date("2026-03-17"), calendar.Date{}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	wantCur := Period{Month: "2026-03", TotalUsers: 5, NewUsers: 3, MAU: 3, Transactions: 4,
		CompletedVolume: dec("1325.50"), TransactionRevenue: dec("0.21"), LicensingRevenue: dec("1500"),
		Revenue: dec("1500.21"), RollupDays: 31, RollupComplete: true}
	wantPrev := Period{Month: "2026-02", TotalUsers: 2, NewUsers: 2, MAU: 2, Transactions: 3,
		CompletedVolume: dec("300"), TransactionRevenue: dec("0.14"), LicensingRevenue: dec("1000"),
		Revenue: dec("1000.14"), RollupDays: 28, RollupComplete: true}
	checkPeriod(t, "March", f.Current, wantCur)
	checkPeriod(t, "February", f.Previous, wantPrev)

	// Growth against February, worked by hand: 5/2 − 1, 3/2 − 1, 3/2 − 1, 4/3 − 1,
	// 1325.50/300 − 1, 1500.21/1000.14 − 1 = 500.07/1000.14 and 0.21/0.14 − 1 (both = 0.5 exactly).
	for key, want := range map[string]string{
		"total_users": "1.5", "new_users": "0.5", "mau": "0.5", "transactions": "0.333333333333",
		"completed_volume": "3.418333333333", "revenue": "0.5", "transaction_revenue": "0.5", "licensing_revenue": "0.5",
	} {
		l := line(t, f, key)
		if !l.GrowthOK || !l.Growth.Equal(dec(want)) {
			t.Errorf("growth of %s = %s (ok %v), want %s", key, l.Growth, l.GrowthOK, want)
		}
	}

	// North star from the first sign-up: launch February 2026, so March is month 2, heading for
	// the month-12 milestone (January 2027) of R10 000 000: 1325.50 / 10 000 000 = 0.00013255.
	ns := f.NorthStar
	if !ns.Known || ns.Launch != "2026-02" || ns.MonthN != 2 || ns.MilestoneN != 12 || ns.MilestoneMonth != "2027-01" ||
		!ns.MilestoneVolume.Equal(dec("10000000")) || !ns.Volume.Equal(dec("1325.50")) {
		t.Errorf("north star = %+v", ns)
	}
	if p, ok := ns.PercentOfTarget(); !ok || !p.Equal(dec("0.00013255")) {
		t.Errorf("percent of target = %s %v, want 0.00013255", p, ok)
	}
	if msg := f.CanPublish(date("2026-03-01"), testNow); msg != "" {
		t.Errorf("March should be publishable on 10 April, got %q", msg)
	}

	// A configured launch month wins: launch April 2025 makes March 2026 month 12, whose
	// milestone is month 12 itself (March 2026).
	f, err = Compute(context.Background(), queries.Executive{PG: db.PG}, date("2026-03-01"), date("2025-04-01"), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if ns := f.NorthStar; ns.MonthN != 12 || ns.MilestoneN != 12 || ns.MilestoneMonth != "2026-03" {
		t.Errorf("north star with configured launch = %+v", ns)
	}
	// Launch after the month: n/a, not a negative month number.
	f, err = Compute(context.Background(), queries.Executive{PG: db.PG}, date("2026-03-01"), date("2026-06-01"), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.NorthStar.PercentOfTarget(); f.NorthStar.Known || ok {
		t.Errorf("north star before launch = %+v, want unknown", f.NorthStar)
	}
}

func checkPeriod(t *testing.T, name string, got, want Period) {
	t.Helper()
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	// Decimals compare by value (1325.5 = 1325.50), everything else exactly.
	if got.Month != want.Month || got.TotalUsers != want.TotalUsers || got.NewUsers != want.NewUsers ||
		got.MAU != want.MAU || got.Transactions != want.Transactions ||
		!got.CompletedVolume.Equal(want.CompletedVolume) || !got.TransactionRevenue.Equal(want.TransactionRevenue) ||
		!got.LicensingRevenue.Equal(want.LicensingRevenue) || !got.Revenue.Equal(want.Revenue) ||
		got.RollupDays != want.RollupDays || got.RollupComplete != want.RollupComplete {
		t.Errorf("%s:\n got %s\nwant %s", name, gj, wj)
	}
}

func TestGrowthIsNAWhenThePreviousMonthIsEmpty(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	// February against January: nobody had signed up in January, so every previous value is
	// zero and every growth is n/a (never a division by zero).
	f, err := Compute(context.Background(), queries.Executive{PG: db.PG}, date("2026-02-01"), calendar.Date{}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if f.Previous.TotalUsers != 0 || f.Previous.Transactions != 0 || !f.Previous.Revenue.IsZero() {
		t.Fatalf("January = %+v, want all zero", f.Previous)
	}
	for _, l := range f.Lines() {
		if l.GrowthOK {
			t.Errorf("growth of %s = %s, want n/a", l.Key, l.Growth)
		}
	}
	if f.Current.TotalUsers != 2 || f.Current.Transactions != 3 || !f.Current.Revenue.Equal(dec("1000.14")) {
		t.Errorf("February = %+v", f.Current)
	}
	if f.NorthStar.MonthN != 1 {
		t.Errorf("February is month %d since launch, want 1", f.NorthStar.MonthN)
	}
}

func TestOnlyAFinishedFullyRolledUpMonthCanBePublished(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	src := queries.Executive{PG: db.PG}
	april, err := Compute(context.Background(), src, date("2026-04-01"), calendar.Date{}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	// April so far: e's R70 on the 1st, month to date.
	if april.Current.Transactions != 1 || !april.Current.CompletedVolume.Equal(dec("70")) {
		t.Errorf("April so far = %+v", april.Current)
	}
	if msg := april.CanPublish(date("2026-04-01"), testNow); !strings.Contains(msg, "April 2026 has not ended yet") {
		t.Errorf("April: %q", msg)
	}
	db.Exec(t, `DELETE FROM daily_metrics WHERE date = '2026-03-20'`)
	march, err := Compute(context.Background(), src, date("2026-03-01"), calendar.Date{}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if msg := march.CanPublish(date("2026-03-01"), testNow); !strings.Contains(msg, "30 of 31 days") {
		t.Errorf("March with a missing day: %q", msg)
	}
}

func TestFrozenFiguresRoundTripExactly(t *testing.T) {
	f := Figures{
		Current:   Period{Month: "2026-03", TotalUsers: 5, CompletedVolume: dec("1325.50"), Revenue: dec("12345678901234.07")},
		NorthStar: NorthStar{Known: true, MilestoneVolume: dec("10000000")},
	}
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"revenue":"12345678901234.07"`) {
		t.Errorf("money is not frozen as an exact string: %s", b)
	}
	g, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Current.Revenue.Equal(f.Current.Revenue) || !g.Current.CompletedVolume.Equal(f.Current.CompletedVolume) || g.Current.TotalUsers != 5 {
		t.Errorf("round trip = %+v", g.Current)
	}
}

func TestChangesListOnlyFiguresThatDiffer(t *testing.T) {
	old := Figures{Current: Period{TotalUsers: 5, Transactions: 4, CompletedVolume: dec("1325.50"), Revenue: dec("1500.30")}}
	cur := old
	cur.Current.Transactions = 5
	cur.Current.CompletedVolume = dec("1425.50")
	got := Changes(old, cur)
	if len(got) != 2 || got[0].Label != "Transactions" || !got[0].Old.Equal(dec("4")) || !got[0].New.Equal(dec("5")) ||
		got[1].Label != "Completed volume" || !got[1].New.Equal(dec("1425.5")) {
		t.Errorf("changes = %+v", got)
	}
	if c := Changes(old, old); len(c) != 0 {
		t.Errorf("no change expected, got %+v", c)
	}
}
