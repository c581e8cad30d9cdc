package handlers

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/calendar"
	"mari/catalogue"
	"mari/dbconn"
	"mari/dbtest"
	"mari/queries"
	"mari/rollup"
	"mari/views"
)

// seedBanks builds the hand-worked dataset of the bank tests. All times SAST; the tests use
// the range 2026-01-01 – 2026-02-28 unless they say otherwise. The fee is R0.10 per completed
// transaction.
//
//	ALPHA  active   contract 2025-11-15 –            R1 000/month, bank share 30%,    SLA 2 000 ms
//	BETA   pilot    contract 2026-01-01 – 2026-01-31 R500/month,   bank share 33.33%, SLA 3 000 ms
//	GAMMA  inactive contract 2024-01-01 – 2025-06-30 R100/month,   no transactions
//	ZETA   active   contract 2026-01-17 –            R3 100/month, bank share 25%,    SLA 2 500 ms
//
//	      bank  sender→recipient  amount  status     initiated             ms    reason
//	a1    ALPHA u1→u2   100.00 COMPLETED 2025-12-31 23:59:59   500         before the range
//	a2    ALPHA u1→u2   200.00 COMPLETED 2026-01-01 00:00:00  1000         first second: inside
//	a3    ALPHA u2→u3    50.00 COMPLETED 2026-01-10 10:00:00  1500
//	a4    ALPHA u3→u2    30.00 FAILED    2026-01-20 10:00:00  2500  insufficient_funds
//	a5    ALPHA u1→u3    70.00 PENDING   2026-02-05 10:00:00     -
//	a6    ALPHA u1→u2   300.00 COMPLETED 2026-02-28 23:59:59  1200         last second: inside
//	a7    ALPHA u2→u3   999.00 COMPLETED 2026-03-01 00:00:00   100         after the range
//	a8    ALPHA u4→u3    40.00 COMPLETED 2026-02-10 12:00:00   800
//	a9    ALPHA u4→u3     5.00 COMPLETED 2026-02-11 12:00:00   900
//	b1    BETA  u5→u1   500.00 COMPLETED 2026-01-15 10:00:00  1600
//	b2    BETA  u5→u1    10.00 FAILED    2026-01-16 10:00:00  3000  bank_timeout
//	z1    ZETA  u5→u4    20.00 COMPLETED 2026-01-20 09:00:00   700
//	z2    ZETA  u5→u4    30.00 COMPLETED 2026-02-10 09:00:00   600
//	z3    ZETA  u4→u5    10.00 COMPLETED 2026-02-27 09:00:00   650
//	z4    ZETA  u4→u5    15.00 COMPLETED 2026-02-27 09:30:00   640
//
// The shared revenue rules, worked by hand (both accrue per day with cumulative rounding per
// bank and month, so any range is the sum of its days):
//
//	licensing  fee through day d of month M = round(monthly fee × days in force from the 1st
//	           of M through d ÷ days in M, 2)
//	  ALPHA    Nov 2025: in force 15–30 Nov, 16 of 30 days: round(1000 × 16/30) = 533.33;
//	           Dec, Jan, Feb: 1 000.00 each.
//	           16–31 Jan: 1 000.00 − round(1000 × 15/31 = 483.870…) 483.87 = 516.13;
//	           1–10 Feb: round(1000 × 10/28 = 357.142…) = 357.14; 1 Feb: round(1000/28) = 35.71
//	  BETA     Jan 500.00; 16–31 Jan: 500.00 − round(500 × 15/31 = 241.935…) 241.94 = 258.06;
//	           nothing from February (the contract ended on 31 January)
//	  GAMMA    nothing after 30 June 2025
//	  ZETA     starts on the 17th: Jan 17–31, 15 of 31 days: round(3100 × 15/31) = 1 500.00
//	           (under the old rule, booked whole on the 1st, January earned nothing);
//	           Feb 3 100.00; 1–10 Feb: round(3100 × 10/28 = 1 107.142…) = 1 107.14;
//	           1 Feb: round(3100/28 = 110.714…) = 110.71
//	bank's share through day d of month M = round(share × R0.10 × completed from the 1st of
//	           M through d, 2)
//	  ALPHA    30%: R0.03 per completed transaction, exactly: no rounding
//	  BETA     33.33%: b1 alone: round(0.03333) = 0.03, Mari keeps 0.07
//	  ZETA     25%, R0.025 per completed transaction, so rounding bites: January z1:
//	           round(0.025) = 0.03; February z2 on the 10th round(0.025) = 0.03, then z3 z4 on the
//	           27th round(0.075) = 0.08 through the 27th, 0.05 that day; February 0.08.
//	           Jan–Feb 0.11, where one rounding over the range (the old rule) gave
//	           round(0.40 × 0.25) = 0.10; 16 Jan – 10 Feb 0.03 + 0.03 = 0.06 (old rule 0.05).
func seedBanks(t *testing.T, db *dbtest.DB) {
	t.Helper()
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date, contract_end_date,
			monthly_fee, transaction_fee_percentage, sla_p95_ms, api_key_hash) VALUES
		('Alpha Bank', 'ALPHA', 'active', '2025-11-15', NULL, 1000.00, 0.3000, 2000, 'secret-hash-alpha'),
		('Beta Bank', 'BETA', 'pilot', '2026-01-01', '2026-01-31', 500.00, 0.3333, 3000, NULL),
		('Gamma Bank', 'GAMMA', 'inactive', '2024-01-01', '2025-06-30', 100.00, 0.3000, 3000, NULL),
		('Zeta Bank', 'ZETA', 'active', '2026-01-17', NULL, 3100.00, 0.2500, 2500, NULL)`)
	for _, u := range []string{"u1", "u2", "u3", "u4", "u5"} {
		db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at, last_active)
			VALUES ($1, $2, $3, 'key', $4, $4)`, uid(u), "phone-"+u, "blood-"+u, sast("2025-10-01 10:00:00"))
	}
	txs := []struct {
		n, bank, from, to, amount, status, at string
		ms                                    *int
		reason                                *string
	}{
		{"a1", "ALPHA", "u1", "u2", "100.00", "COMPLETED", "2025-12-31 23:59:59", ip(500), nil},
		{"a2", "ALPHA", "u1", "u2", "200.00", "COMPLETED", "2026-01-01 00:00:00", ip(1000), nil},
		{"a3", "ALPHA", "u2", "u3", "50.00", "COMPLETED", "2026-01-10 10:00:00", ip(1500), nil},
		{"a4", "ALPHA", "u3", "u2", "30.00", "FAILED", "2026-01-20 10:00:00", ip(2500), sp("insufficient_funds")},
		{"a5", "ALPHA", "u1", "u3", "70.00", "PENDING", "2026-02-05 10:00:00", nil, nil},
		{"a6", "ALPHA", "u1", "u2", "300.00", "COMPLETED", "2026-02-28 23:59:59", ip(1200), nil},
		{"a7", "ALPHA", "u2", "u3", "999.00", "COMPLETED", "2026-03-01 00:00:00", ip(100), nil},
		{"a8", "ALPHA", "u4", "u3", "40.00", "COMPLETED", "2026-02-10 12:00:00", ip(800), nil},
		{"a9", "ALPHA", "u4", "u3", "5.00", "COMPLETED", "2026-02-11 12:00:00", ip(900), nil},
		{"b1", "BETA", "u5", "u1", "500.00", "COMPLETED", "2026-01-15 10:00:00", ip(1600), nil},
		{"b2", "BETA", "u5", "u1", "10.00", "FAILED", "2026-01-16 10:00:00", ip(3000), sp("bank_timeout")},
		{"z1", "ZETA", "u5", "u4", "20.00", "COMPLETED", "2026-01-20 09:00:00", ip(700), nil},
		{"z2", "ZETA", "u5", "u4", "30.00", "COMPLETED", "2026-02-10 09:00:00", ip(600), nil},
		{"z3", "ZETA", "u4", "u5", "10.00", "COMPLETED", "2026-02-27 09:00:00", ip(650), nil},
		{"z4", "ZETA", "u4", "u5", "15.00", "COMPLETED", "2026-02-27 09:30:00", ip(640), nil},
	}
	for _, x := range txs {
		created := sast(x.at)
		var completed any
		if x.status != "PENDING" {
			completed = created
		}
		db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, bank_id,
				created_at, completed_at, channel, processing_time_ms, failure_reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'online', $9, $10)`,
			uid(x.from), uid(x.to), x.amount, x.status, "seal-"+x.n, x.bank, created, completed, x.ms, x.reason)
	}
	rollUp(t, db, "2025-11-01", "2026-03-31")
}

// rollUp runs the rollups (the bank pages read the per-bank daily rollup) over [from, to] as
// the scheduler would have by testNow.
func rollUp(t *testing.T, db *dbtest.DB, from, to string) {
	t.Helper()
	r := rollup.New(db.PG, nil, func() time.Time { return testNow })
	if err := r.Backfill(context.Background(), date(from), date(to), io.Discard); err != nil {
		t.Fatal(err)
	}
}

func ip(i int) *int       { return &i }
func sp(s string) *string { return &s }

// bankServer serves the bank routes as an account of role (id 7) would use them.
func bankServer(db *dbtest.DB, role auth.Role) *echo.Echo {
	h := NewBanks(db.PG, BanksOptions{Now: func() time.Time { return testNow }})
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			auth.SetCurrent(c, auth.Account{ID: 7, Email: "pm@mari.example", Role: role})
			return next(c)
		}
	})
	e.GET("/banks", h.Overview)
	e.GET("/banks.csv", h.OverviewCSV)
	e.GET("/banks.xlsx", h.OverviewCSV)
	e.GET("/banks/new", h.NewForm)
	e.POST("/banks/new", h.Create)
	e.GET("/banks/:code", h.Bank)
	e.GET("/banks/:code/:file", h.BankCSV)
	e.GET("/banks/:code/edit", h.EditForm)
	e.POST("/banks/:code/edit", h.Edit)
	return e
}

func postForm(t *testing.T, e *echo.Echo, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	e.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	return rows
}

func csvByKey(t *testing.T, rows [][]string, key int) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out[r[key]] = m
	}
	return out
}

const janFeb = "from=2026-01-01&to=2026-02-28"

func TestBankOverviewNumbers(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	e := bankServer(db, auth.RolePartnerships)

	res, body := get(t, e, "/banks.csv?"+janFeb)
	if res.StatusCode != 200 {
		t.Fatalf("GET /banks.csv: %d\n%s", res.StatusCode, body)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "mari-banks-2026-01-01-to-2026-02-28.csv") {
		t.Errorf("file name: %s", cd)
	}
	rows := readCSV(t, body)
	check(t, "header", strings.Join(rows[0], ","), "from,to,bank_code,bank_name,status,users,transactions,completed,failed,pending,"+
		"completed_volume,success_rate,transaction_fees_billed,bank_share_fraction,bank_share,mari_share,licensing_fees,revenue")
	got := csvByKey(t, rows, 2)
	want := map[string]map[string]string{
		// ALPHA in range: a2 a3 a4 a5 a6 a8 a9 (a1 and a7 are a second outside each end).
		// Completed a2 a3 a6 a8 a9 = 5, volume 200+50+300+40+5 = 595.00; failed a4; pending a5.
		// Users u1 u2 u3 u4 = 4. Success 5/6. Fees billed 5 × 0.10 = 0.50: the bank's 30% is
		// 0.06 in January and 0.09 in February, 0.15; Mari 0.35. Licensing January and
		// February, 2 000.00; Mari's revenue 0.35 + 2 000.00.
		"ALPHA": {"bank_name": "Alpha Bank", "status": "active", "users": "4", "transactions": "7", "completed": "5",
			"failed": "1", "pending": "1", "completed_volume": "595.00", "success_rate": "0.833333333333",
			"transaction_fees_billed": "0.50", "bank_share_fraction": "0.3", "bank_share": "0.15", "mari_share": "0.35",
			"licensing_fees": "2000.00", "revenue": "2000.35"},
		// BETA: b1 completed 500.00, b2 failed; 1 user; fees 0.10, bank 33.33%: round(0.03333)
		// = 0.03, Mari 0.07. Licensing: January only (the contract ended 31 Jan), 500.00.
		"BETA": {"bank_name": "Beta Bank", "status": "pilot", "users": "1", "transactions": "2", "completed": "1",
			"failed": "1", "pending": "0", "completed_volume": "500.00", "success_rate": "0.5",
			"transaction_fees_billed": "0.10", "bank_share_fraction": "0.3333", "bank_share": "0.03", "mari_share": "0.07",
			"licensing_fees": "500.00", "revenue": "500.07"},
		// GAMMA: nothing at all; success n/a (empty in the CSV), no licensing (contract over).
		"GAMMA": {"users": "0", "transactions": "0", "completed_volume": "0.00", "success_rate": "",
			"transaction_fees_billed": "0.00", "bank_share": "0.00", "mari_share": "0.00", "licensing_fees": "0.00", "revenue": "0.00"},
		// ZETA: z1 z2 z3 z4 completed, 75.00, senders u5 and u4; fees 0.40, the bank's 25%
		// 0.03 (Jan) + 0.08 (Feb) = 0.11 (not round(0.40 × 0.25) = 0.10), Mari 0.29.
		// Licensing 1 500.00 (17–31 Jan) + 3 100.00; revenue 0.29 + 4 600.00.
		"ZETA": {"users": "2", "transactions": "4", "completed": "4", "failed": "0", "completed_volume": "75.00",
			"success_rate": "1", "transaction_fees_billed": "0.40", "bank_share_fraction": "0.25", "bank_share": "0.11",
			"mari_share": "0.29", "licensing_fees": "4600.00", "revenue": "4600.29"},
	}
	for code, fields := range want {
		for k, v := range fields {
			if got[code][k] != v {
				t.Errorf("%s %s = %q; want %q", code, k, got[code][k], v)
			}
		}
	}
	// Default sort: completed volume, largest first.
	var order []string
	for _, r := range rows[1:] {
		order = append(order, r[2])
	}
	check(t, "default order", strings.Join(order, " "), "ALPHA BETA ZETA GAMMA")

	// The page shows the same figures, n/a for GAMMA's success rate, and never the key hash.
	// All banks: fees 1.00, bank 0.29, Mari 0.71, licensing 7 100.00; success (5 + 1 + 4)
	// ÷ (10 + 2 failed) = 83.33%. Mari's revenue per bank is in the CSV.
	res, body = get(t, e, "/banks?"+janFeb)
	if res.StatusCode != 200 {
		t.Fatalf("GET /banks: %d", res.StatusCode)
	}
	for _, s := range []string{"R\u00a0595.00", "83.33%", "50.00%", "R\u00a00.15 (30.00%)", "R\u00a00.03 (33.33%)",
		"R\u00a00.11 (25.00%)", "R\u00a02\u00a0000.00", "R\u00a04\u00a0600.00", "n/a", `href="/banks/new"`,
		"R\u00a01.00", "R\u00a00.29", "R\u00a00.71", "R\u00a07\u00a0100.00"} {
		if !strings.Contains(body, s) {
			t.Errorf("the overview does not show %q", s)
		}
	}
	if strings.Contains(body, "secret-hash") {
		t.Errorf("the overview shows the API key hash")
	}
	// Executives see the figures but not the edit links.
	if _, body := get(t, bankServer(db, auth.RoleExecutive), "/banks?"+janFeb); strings.Contains(body, `href="/banks/new"`) {
		t.Errorf("an executive is offered to add a partnership")
	}
}

func TestBankOverviewSort(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	e := bankServer(db, auth.RolePartnerships)
	order := func(q string) string {
		t.Helper()
		res, body := get(t, e, "/banks.csv?"+janFeb+"&"+q)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", q, res.StatusCode)
		}
		var codes []string
		for _, r := range readCSV(t, body)[1:] {
			codes = append(codes, r[2])
		}
		return strings.Join(codes, " ")
	}
	for q, want := range map[string]string{
		"sort=success&dir=asc":     "GAMMA BETA ALPHA ZETA", // n/a lowest, then 50%, 83% and 100%
		"sort=success&dir=desc":    "ZETA ALPHA BETA GAMMA",
		"sort=bank":                "ALPHA BETA GAMMA ZETA",
		"sort=bank&dir=desc":       "ZETA GAMMA BETA ALPHA",
		"sort=licensing&dir=asc":   "GAMMA BETA ALPHA ZETA", // 0, 500, 2 000, 4 600
		"sort=users&dir=desc":      "ALPHA ZETA BETA GAMMA", // 4, 2, 1, 0
		"sort=bank_share":          "GAMMA BETA ZETA ALPHA", // 0.00, 0.03, 0.11, 0.15
		"sort=mari_share&dir=desc": "ALPHA ZETA BETA GAMMA", // 0.35, 0.29, 0.07, 0.00
	} {
		if got := order(q); got != want {
			t.Errorf("%s: %s; want %s", q, got, want)
		}
	}
	for _, bad := range []string{"sort=bogus", "sort=volume%27%3B--", "dir=sideways", "sort=volume&dir=DESC"} {
		res, body := get(t, e, "/banks?"+janFeb+"&"+bad)
		if res.StatusCode != 400 || !strings.Contains(body, "form-error") {
			t.Errorf("GET /banks?%s: %d; want 400 with a message", bad, res.StatusCode)
		}
		if res, _ := get(t, e, "/banks.csv?"+janFeb+"&"+bad); res.StatusCode != 400 {
			t.Errorf("GET /banks.csv?%s: %d; want 400", bad, res.StatusCode)
		}
	}
	if res, _ := get(t, e, "/banks?from=2026-03-01&to=2026-01-01"); res.StatusCode != 400 {
		t.Errorf("reversed range: %d; want 400", res.StatusCode)
	}
}

// Licensing accrues per day in force and the bank's share rounds per month, over ranges that
// start a contract mid-month, cut two months, or hold a single 1st of the month (worked by
// hand in seedBanks). Each bank's revenue is its share of the fees kept by Mari plus its
// licensing.
func TestBankLicensingAndShareByHand(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	e := bankServer(db, auth.RolePartnerships)
	for _, c := range []struct {
		from, to string
		want     map[string]string // code: licensing_fees bank_share mari_share revenue
	}{
		{"2026-01-16", "2026-02-10", map[string]string{
			// ALPHA: a4 failed, a5 pending, a8 completed: 0.10 billed, 0.03 to the bank.
			// Licensing 516.13 (16–31 Jan) + 357.14 (1–10 Feb); the old rule booked 1 000.00 on 1 Feb.
			"ALPHA": "873.27 0.03 0.07 873.34",
			// BETA: b2 failed on the 16th; licensing 258.06 (16–31 Jan); the old rule booked nothing.
			"BETA":  "258.06 0.00 0.00 258.06",
			"GAMMA": "0.00 0.00 0.00 0.00",
			// ZETA: z1 and z2, 0.03 each month (0.06; one rounding over the range would give
			// 0.05); licensing 1 500.00 + 1 107.14, where the old rule booked 3 100.00 on 1 Feb.
			"ZETA": "2607.14 0.06 0.14 2607.28",
		}},
		// ALPHA's contract starts on 15 November: 16 of 30 days, 533.33, then December whole.
		// a1 at 23:59:59 on 31 December is inside: 0.10 billed, 0.03 to the bank.
		{"2025-11-01", "2025-12-31", map[string]string{"ALPHA": "1533.33 0.03 0.07 1533.40", "BETA": "0.00 0.00 0.00 0.00",
			"GAMMA": "0.00 0.00 0.00 0.00", "ZETA": "0.00 0.00 0.00 0.00"}},
		// The 1st of a month is one day's fee, not the month's (the old rule: 1 000.00 and 3 100.00).
		{"2026-02-01", "2026-02-01", map[string]string{"ALPHA": "35.71 0.00 0.00 35.71", "BETA": "0.00 0.00 0.00 0.00",
			"GAMMA": "0.00 0.00 0.00 0.00", "ZETA": "110.71 0.00 0.00 110.71"}},
	} {
		res, body := get(t, e, "/banks.csv?from="+c.from+"&to="+c.to)
		if res.StatusCode != 200 {
			t.Fatalf("%s – %s: %d", c.from, c.to, res.StatusCode)
		}
		got := csvByKey(t, readCSV(t, body), 2)
		for code, want := range c.want {
			r := got[code]
			check(t, code+" "+c.from+" – "+c.to, r["licensing_fees"]+" "+r["bank_share"]+" "+r["mari_share"]+" "+r["revenue"], want)
		}
	}
}

func TestBankPageNumbers(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	e := bankServer(db, auth.RolePartnerships)

	res, body := get(t, e, "/banks/ALPHA?"+janFeb)
	if res.StatusCode != 200 {
		t.Fatalf("GET /banks/ALPHA: %d\n%s", res.StatusCode, body)
	}
	// p95 of ALPHA's final transactions in range: 800 900 1000 1200 1500 2500 → the 6th
	// (nearest rank ⌈0.95 × 6⌉) = 2 500 ms > SLA 2 000: missed. The tiles: volume 595.00 of 7
	// transactions, 5 completed; success 5 of 6 final; fees billed 0.50, the bank's 0.15 and
	// Mari's 0.35; licensing 2 000.00; Mari's revenue 2 000.35 (exact on hover).
	for _, s := range []string{"2\u00a0500 ms", "SLA ≤ 2\u00a0000 ms", "badge-missed", "83.33%", "R\u00a0595.00",
		"7 transactions, 5 completed", "5 completed, 1 failed", "Transaction fees billed", "R\u00a00.50", "R\u00a00.15", "R\u00a00.35",
		"30.00% of the fees billed", "R\u00a02\u00a0000.00", "R\u00a02\u00a0000.35", "R\u00a01\u00a0000.00 a month",
		"insufficient_funds", "data-echarts", "open-ended", "blood-u3", "R\u00a031.67", "71.43%"} {
		if !strings.Contains(body, s) {
			t.Errorf("ALPHA's page does not show %q", s)
		}
	}
	if strings.Contains(body, "secret-hash") {
		t.Errorf("ALPHA's page shows the API key hash")
	}
	// Every tile links to its one definition in the catalogue: the executive metrics filtered
	// by the bank, and the bank pages' own.
	for _, id := range []string{catalogue.IDCompletedVolume, catalogue.IDSuccessRate, catalogue.IDBankP95, catalogue.IDFeesBilled,
		catalogue.IDBankShare, catalogue.IDTransactionRevenue, catalogue.IDLicensingRevenue, catalogue.IDRevenue, catalogue.IDBankRecipients} {
		if !strings.Contains(body, `href="/glossary#`+id+`"`) {
			t.Errorf("ALPHA's page has no help link to %s", id)
		}
	}
	// BETA: finals 1600 and 3000 → p95 = 3 000 ms, exactly the SLA: met.
	_, body = get(t, e, "/banks/BETA?"+janFeb)
	if !strings.Contains(body, "3\u00a0000 ms") || !strings.Contains(body, "badge-met") {
		t.Errorf("BETA's p95 3 000 ms at SLA 3 000 should be met")
	}

	// Monthly: January a2 a3 a4 (2 completed 250.00, 1 failed; fees 0.20, the bank's 0.06);
	// February a5 a6 a8 a9 (3 completed 345.00, 1 pending, none failed: success 1; fees 0.30,
	// the bank's 0.09). Licensing 1 000.00 a month. The months add up to the tiles.
	res, body = get(t, e, "/banks/ALPHA/monthly.csv?"+janFeb)
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "mari-bank-ALPHA-monthly-2026-01-01-to-2026-02-28.csv") {
		t.Errorf("file name: %s", cd)
	}
	rows := readCSV(t, body)
	check(t, "monthly header", strings.Join(rows[0], ","), "month,from,to,transactions,completed,failed,success_rate,"+
		"completed_volume,transaction_fees_billed,bank_share,mari_share,licensing_fees,revenue,complete")
	check(t, "ALPHA months", joinRows(rows[1:]),
		"2026-01|2026-01-01|2026-01-31|3|2|1|0.666666666667|250.00|0.20|0.06|0.14|1000.00|1000.14|yes;"+
			"2026-02|2026-02-01|2026-02-28|4|3|0|1|345.00|0.30|0.09|0.21|1000.00|1000.21|yes")
	// ZETA over 16 Jan – 10 Feb, a range that cuts both months: each month counts its days in
	// the range. January: z1 (0.10 billed, round(0.025) = 0.03 to the bank), licensing
	// 1 500.00 from the 17th; February 1–10: z2 (0.03), licensing 1 107.14. They add up to
	// the range: 0.06 to the bank, revenue 1 500.07 + 1 107.21 = 2 607.28.
	_, body = get(t, e, "/banks/ZETA/monthly.csv?from=2026-01-16&to=2026-02-10")
	check(t, "ZETA cut months", joinRows(readCSV(t, body)[1:]),
		"2026-01|2026-01-16|2026-01-31|1|1|0|1|20.00|0.10|0.03|0.07|1500.00|1500.07|no;"+
			"2026-02|2026-02-01|2026-02-10|1|1|0|1|30.00|0.10|0.03|0.07|1107.14|1107.21|no")
	_, body = get(t, e, "/banks/ZETA?from=2026-01-16&to=2026-02-10")
	for _, s := range []string{"R\u00a02\u00a0607.28", "R\u00a02\u00a0607.14", "R\u00a00.06", "R\u00a00.14", "R\u00a00.20", "25.00% of the fees billed",
		"Jan 2026 (16–31)", "Feb 2026 (1–10)", "2 transactions, 2 completed", "2 completed, 0 failed"} {
		if !strings.Contains(body, s) {
			t.Errorf("ZETA's page for 16 Jan – 10 Feb does not show %q", s)
		}
	}
	// BETA has no transactions in February: success n/a (empty), zeros elsewhere, and no
	// licensing after its contract ended.
	_, body = get(t, e, "/banks/BETA/monthly.csv?"+janFeb)
	m := csvByKey(t, readCSV(t, body), 0)
	check(t, "BETA Feb", m["2026-02"]["transactions"]+" ["+m["2026-02"]["success_rate"]+"] "+m["2026-02"]["completed_volume"]+
		" "+m["2026-02"]["licensing_fees"], "0 [] 0.00 0.00")

	// Statuses, most frequent first.
	_, body = get(t, e, "/banks/ALPHA/status.csv?"+janFeb)
	st := readCSV(t, body)
	check(t, "status rows", joinRows(st[1:]), "completed||5|0.7143|595.00;failed|insufficient_funds|1|0.1429|30.00;pending||1|0.1429|70.00")

	// Top recipients: u3 has 3 completed (50 + 40 + 5 = 95.00, average 31.67) and comes before
	// u2 with 2 (200 + 300 = 500.00) despite the smaller volume.
	_, body = get(t, e, "/banks/ALPHA/recipients.csv?"+janFeb)
	check(t, "recipients", joinRows(readCSV(t, body)[1:]), "1|blood-u3|3|95.00|31.67;2|blood-u2|2|500.00|250.00")

	// Unknown code: a 404 page that names it.
	res, body = get(t, e, "/banks/NOPE")
	if res.StatusCode != 404 || !strings.Contains(body, "NOPE") || !strings.Contains(body, "Bank not found") {
		t.Errorf("unknown bank: %d; want 404 naming the code", res.StatusCode)
	}
	for _, p := range []string{"/banks/NOPE/monthly.csv", "/banks/NOPE/edit"} {
		if res, _ := get(t, e, p); res.StatusCode != 404 {
			t.Errorf("GET %s: %d; want 404", p, res.StatusCode)
		}
	}
	if res, _ := get(t, e, "/banks/ALPHA/nothing.csv"); res.StatusCode != 404 {
		t.Errorf("unknown CSV: %d; want 404", res.StatusCode)
	}
	for _, bad := range []string{"/banks/ALPHA?from=2026-03-01&to=2026-01-01", "/banks/ALPHA?preset=bogus"} {
		if res, body := get(t, e, bad); res.StatusCode != 400 || !strings.Contains(body, "form-error") {
			t.Errorf("GET %s: %d; want 400 with a message", bad, res.StatusCode)
		}
	}
	if res, _ := get(t, e, "/banks/ALPHA/monthly.csv?from=2026-03-01&to=2026-01-01"); res.StatusCode != 400 {
		t.Errorf("a reversed range's CSV: %d; want 400", res.StatusCode)
	}
}

// The bank pages' figures are the catalogue's metrics filtered by the bank: for every bank and
// range (whole months, a range that cuts two months, one 1st of a month, a contract's first
// months, and months the rollup never covered), the overview's row, the bank page's tiles and
// its monthly rows equal catalogue.Ask with Filters{Bank: code}, and the months add up to the
// range.
func TestBankFiguresAreTheCatalogues(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	e := bankServer(db, auth.RolePartnerships)
	h := NewBanks(db.PG, BanksOptions{Now: func() time.Time { return testNow }})
	src := catalogue.NewSources(db.PG, nil)
	ctx := context.Background()
	// The CSV columns that are catalogue metrics (overview and monthly alike).
	columns := map[string]string{
		"transactions": catalogue.IDTransactions, "completed": catalogue.IDCompleted,
		"completed_volume": catalogue.IDCompletedVolume, "success_rate": catalogue.IDSuccessRate,
		"transaction_fees_billed": catalogue.IDFeesBilled, "bank_share": catalogue.IDBankShare,
		"mari_share": catalogue.IDTransactionRevenue, "licensing_fees": catalogue.IDLicensingRevenue,
		"revenue": catalogue.IDRevenue,
	}
	same := func(what, cell string, v catalogue.Value) {
		t.Helper()
		if !v.OK {
			if cell != "" {
				t.Errorf("%s = %q; the catalogue says n/a", what, cell)
			}
			return
		}
		if d, err := decimal.NewFromString(cell); err != nil || !d.Equal(v.V) {
			t.Errorf("%s = %q; the catalogue says %s", what, cell, v.V)
		}
	}
	checked := 0
	for _, r := range []struct{ from, to string }{
		{"2026-01-01", "2026-02-28"}, {"2026-01-16", "2026-02-10"}, {"2026-02-01", "2026-02-01"},
		{"2025-11-01", "2025-12-31"}, {"2025-11-10", "2026-03-15"}, {"2025-06-01", "2025-06-30"},
	} {
		rg := calendarRange(r.from, r.to)
		q := "from=" + r.from + "&to=" + r.to
		_, body := get(t, e, "/banks.csv?"+q)
		overview := csvByKey(t, readCSV(t, body), 2)
		for _, code := range []string{"ALPHA", "BETA", "GAMMA", "ZETA"} {
			series := map[string]catalogue.Series{}
			for _, id := range columns {
				s, err := catalogue.Ask(ctx, src, catalogue.Must(id), catalogue.Query{Range: rg, Grain: catalogue.Month,
					Filters: catalogue.Filters{Bank: code}, Now: testNow})
				if err != nil {
					t.Fatal(err)
				}
				series[id] = s
			}
			where := code + " " + r.from + " – " + r.to
			for col, id := range columns {
				same(where+" overview "+col, overview[code][col], series[id].Total)
				checked++
			}

			// The bank page's tiles show the same totals.
			p, ok, err := queries.PartnershipByCode(ctx, db.PG, code)
			if err != nil || !ok {
				t.Fatalf("%s: %v", code, err)
			}
			page := h.bankPage(ctx, p, rangeChoice{Range: rg}, testNow)
			for _, tile := range append(append([]views.Tile(nil), page.Tiles...), page.RevenueTiles...) {
				m, ok := catalogue.Lookup(tile.MetricID)
				if !ok {
					t.Errorf("%s: tile %q names no catalogue metric (%q)", where, tile.Title, tile.MetricID)
					continue
				}
				if tile.Unavailable != "" {
					t.Errorf("%s: tile %q unavailable: %s", where, tile.Title, tile.Unavailable)
				}
				s, asked := series[m.ID]
				if !asked {
					continue // the p95, not a catalogue figure over the range
				}
				want := metricTile(m, s.Total)
				if tile.Value != want.Value || tile.Exact != want.Exact {
					t.Errorf("%s: tile %q shows %q (%q); the catalogue says %q (%q)", where, tile.Title, tile.Value, tile.Exact, want.Value, want.Exact)
				}
				checked++
			}

			// Its monthly rows are the catalogue's months, and add up to its totals.
			_, body := get(t, e, "/banks/"+code+"/monthly.csv?"+q)
			months := readCSV(t, body)
			if len(months)-1 != len(series[catalogue.IDRevenue].Points) {
				t.Fatalf("%s: %d monthly rows; the catalogue has %d months", where, len(months)-1, len(series[catalogue.IDRevenue].Points))
			}
			for col, id := range columns {
				i := slices.Index(months[0], col)
				sum, known := decimal.Zero, false
				for j, row := range months[1:] {
					same(fmt.Sprintf("%s month %s %s", where, row[0], col), row[i], series[id].Points[j].Value)
					if row[i] != "" {
						sum, known = sum.Add(decimal.RequireFromString(row[i])), true
					}
				}
				if id == catalogue.IDSuccessRate || !known {
					continue // a rate does not add up; n/a months have nothing to add
				}
				same(where+" Σ months "+col, sum.String(), series[id].Total)
			}
		}
	}
	if checked < 300 {
		t.Errorf("only %d figures compared", checked)
	}
}

func joinRows(rows [][]string) string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, "|"))
	}
	return strings.Join(out, ";")
}

func validBank() url.Values {
	return url.Values{"bank_name": {"Delta Bank"}, "bank_code": {"DELTA_1"}, "status": {"pilot"},
		"contract_start": {"2026-01-01"}, "contract_end": {"2026-12-31"}, "monthly_fee": {"12500.50"},
		"bank_share_percent": {"25.5"}, "sla_p95_ms": {"2500"}, "api_endpoint": {"https://api.delta.example/v1"}}
}

func countRows(t *testing.T, db *dbtest.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.PG.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBankCreateValidation(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	e := bankServer(db, auth.RolePartnerships)
	bad := map[string]struct{ field, value, msg string }{
		"no name":          {"bank_name", "", "at most 100 characters"},
		"long name":        {"bank_name", strings.Repeat("x", 101), "at most 100 characters"},
		"short code":       {"bank_code", "D", "2 to 20 characters"},
		"long code":        {"bank_code", strings.Repeat("D", 21), "2 to 20 characters"},
		"bad code":         {"bank_code", "DEL-TA", "2 to 20 characters"},
		"status":           {"status", "closed", "pilot, active or inactive"},
		"start":            {"contract_start", "2026-02-30", "start date"},
		"end before start": {"contract_end", "2025-12-31", "cannot end"},
		"fee decimals":     {"monthly_fee", "10.001", "at most 2 decimals"},
		"fee negative":     {"monthly_fee", "-1", "0 to 10"},
		"fee too big":      {"monthly_fee", "10000000.01", "0 to 10"},
		"fee text":         {"monthly_fee", "1e3", "0 to 10"},
		"share over":       {"bank_share_percent", "100.01", "0 to 100"},
		"share decimals":   {"bank_share_percent", "30.125", "at most 2 decimals"},
		"sla low":          {"sla_p95_ms", "99", "100 to 120"},
		"sla high":         {"sla_p95_ms", "120001", "100 to 120"},
		"api http":         {"api_endpoint", "http://api.delta.example", "https://"},
		"api long":         {"api_endpoint", "https://x.example/" + strings.Repeat("a", 240), "https://"},
	}
	for name, c := range bad {
		form := validBank()
		form.Set(c.field, c.value)
		res, body := postForm(t, e, "/banks/new", form)
		if res.StatusCode != 400 || !strings.Contains(body, c.msg) || !strings.Contains(body, `id="err-`+c.field+`"`) {
			t.Errorf("%s: %d; want 400 with %q next to %s", name, res.StatusCode, c.msg, c.field)
		}
	}
	// Duplicate code (any case is upper-cased first).
	form := validBank()
	form.Set("bank_code", "alpha")
	res, body := postForm(t, e, "/banks/new", form)
	if res.StatusCode != 400 || !strings.Contains(body, "ALPHA already exists") {
		t.Errorf("duplicate code: %d; want 400 with a clear message", res.StatusCode)
	}
	if n := countRows(t, db, `SELECT count(*) FROM bank_partnerships`); n != 4 {
		t.Errorf("bad input wrote partnerships: %d rows; want 4", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_log`); n != 0 {
		t.Errorf("bad input wrote %d audit rows", n)
	}
}

func TestBankCreateAndEdit(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	e := bankServer(db, auth.RolePartnerships)
	form := validBank()
	form.Set("bank_name", `<script>alert("x")</script> & Co`)
	res, _ := postForm(t, e, "/banks/new", form)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/banks/DELTA_1?saved=1" {
		t.Fatalf("create: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	var name, share, fee string
	var sla int
	if err := db.PG.QueryRow(context.Background(), `SELECT bank_name, transaction_fee_percentage::text, monthly_fee::text, sla_p95_ms
		FROM bank_partnerships WHERE bank_code = 'DELTA_1'`).Scan(&name, &share, &fee, &sla); err != nil {
		t.Fatal(err)
	}
	check(t, "stored", name+"|"+share+"|"+fee, `<script>alert("x")</script> & Co|0.2550|12500.50`)
	_, body := get(t, e, "/banks/DELTA_1")
	if strings.Contains(body, `<script>alert("x")`) || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("the bank name is not escaped on its page")
	}
	_, body = get(t, e, "/banks")
	if strings.Contains(body, `<script>alert("x")`) {
		t.Errorf("the bank name is not escaped on the overview")
	}
	var action, target, detail string
	if err := db.PG.QueryRow(context.Background(), `SELECT action, target, detail FROM audit_log`).Scan(&action, &target, &detail); err != nil {
		t.Fatal(err)
	}
	check(t, "audit create", action+"|"+target, "partnership_created|bank DELTA_1")
	if !strings.Contains(detail, "bank_share=25.50%") || !strings.Contains(detail, "monthly_fee=12500.50") {
		t.Errorf("create audit detail: %s", detail)
	}

	// Edit: the form shows the percent; a change is saved with its before→after summary.
	_, body = get(t, e, "/banks/DELTA_1/edit")
	if !strings.Contains(body, `value="25.50"`) || !strings.Contains(body, `name="_csrf"`) {
		t.Errorf("edit form does not show the share in percent or lacks the CSRF field")
	}
	if !strings.Contains(body, `<input type="hidden" name="version" value="1">`) {
		t.Errorf("edit form does not carry the version it shows")
	}
	form = validBank()
	form.Set("bank_code", "HIJACK") // ignored: the code cannot change
	form.Set("version", "1")        // the version the edit form was loaded at
	form.Set("status", "active")
	form.Set("bank_share_percent", "30")
	res, _ = postForm(t, e, "/banks/DELTA_1/edit", form)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/banks/DELTA_1?saved=1" {
		t.Fatalf("edit: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if err := db.PG.QueryRow(context.Background(), `SELECT detail FROM audit_log WHERE action = 'partnership_changed'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	check(t, "audit edit", detail, `name: "<script>alert(\"x\")</script> & Co" → "Delta Bank"; status: pilot → active; bank_share: 25.50% → 30.00%`)
	if n := countRows(t, db, `SELECT count(*) FROM bank_partnerships WHERE bank_code = 'HIJACK'`); n != 0 {
		t.Errorf("the edit changed the bank code")
	}
	// A second form, opened before that edit (version 1), raising the SLA: saving it would
	// also put the old status and share back, so it is refused with what it would change,
	// keeps what was typed, writes nothing, and now carries version 2 so that a second,
	// informed save goes through.
	stale := validBank()
	stale.Set("version", "1")
	stale.Set("sla_p95_ms", "4000")
	res, body = postForm(t, e, "/banks/DELTA_1/edit", stale)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "you started from version 1; it is now at version 2") ||
		!strings.Contains(body, "status: active → pilot; bank_share: 30.00% → 25.50%; sla_p95_ms: 2500 → 4000") ||
		!strings.Contains(body, `value="4000"`) || !strings.Contains(body, `<input type="hidden" name="version" value="2">`) {
		t.Errorf("stale edit: %d; want 409 saying what it would change, with the typed SLA and version 2\n%s", res.StatusCode, body)
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_log`); n != 2 {
		t.Errorf("audit rows after a stale edit: %d; want 2 (create, edit)", n)
	}
	if n := countRows(t, db, `SELECT sla_p95_ms FROM bank_partnerships WHERE bank_code = 'DELTA_1'`); n != 2500 {
		t.Errorf("the stale edit changed the SLA to %d", n)
	}
	// A bad edit writes nothing.
	form.Set("sla_p95_ms", "50")
	res, body = postForm(t, e, "/banks/DELTA_1/edit", form)
	if res.StatusCode != 400 || !strings.Contains(body, "100 to 120") {
		t.Errorf("bad edit: %d", res.StatusCode)
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_log`); n != 2 {
		t.Errorf("audit rows: %d; want 2 (create, edit)", n)
	}
	if n := countRows(t, db, `SELECT sla_p95_ms FROM bank_partnerships WHERE bank_code = 'DELTA_1'`); n != 2500 {
		t.Errorf("the bad edit changed the SLA to %d", n)
	}
}

func calendarRange(from, to string) calendar.Range {
	return calendar.Range{From: date(from), To: date(to)}
}

// With PostgreSQL down the overview still answers, saying its table is unavailable, and a
// bank's page says why it cannot be shown: no stack trace, no blank page.
func TestBanksPostgresDown(t *testing.T) {
	deadPG, err := dbconn.Postgres(context.Background(), "postgres://mari@127.0.0.1:1/none?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer deadPG.Close()
	h := NewBanks(deadPG, BanksOptions{PanelTimeout: 5 * time.Second, Now: func() time.Time { return testNow }})
	e := echo.New()
	e.GET("/banks", h.Overview)
	e.GET("/banks/:code", h.Bank)
	res, body := get(t, e, "/banks?"+janFeb)
	if res.StatusCode != 200 || !strings.Contains(body, "unavailable — PostgreSQL is unreachable") {
		t.Errorf("overview with PostgreSQL down: %d; want 200 saying unavailable", res.StatusCode)
	}
	if res, _ := get(t, e, "/banks/ALPHA"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("bank page with PostgreSQL down: %d; want 503", res.StatusCode)
	}
}
