package handlers

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/calendar"
	"mari/dbconn"
	"mari/dbtest"
	"mari/queries"
	"mari/rollup"
)

// seedBanks builds the hand-worked dataset of the bank tests. All times SAST; the tests use
// the range 2026-01-01 – 2026-02-28 unless they say otherwise.
//
//	ALPHA  active  contract 2025-11-15 –             R1 000/month, bank share 30%,    SLA 2 000 ms
//	BETA   pilot   contract 2026-01-01 – 2026-01-31  R500/month,   bank share 33.33%, SLA 3 000 ms
//	GAMMA  inactive contract 2024-01-01 – 2025-06-30 R100/month,   no transactions
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
func seedBanks(t *testing.T, db *dbtest.DB) {
	t.Helper()
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date, contract_end_date,
			monthly_fee, transaction_fee_percentage, sla_p95_ms, api_key_hash) VALUES
		('Alpha Bank', 'ALPHA', 'active', '2025-11-15', NULL, 1000.00, 0.3000, 2000, 'secret-hash-alpha'),
		('Beta Bank', 'BETA', 'pilot', '2026-01-01', '2026-01-31', 500.00, 0.3333, 3000, NULL),
		('Gamma Bank', 'GAMMA', 'inactive', '2024-01-01', '2025-06-30', 100.00, 0.3000, 3000, NULL)`)
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
	rollUp(t, db, "2025-12-01", "2026-03-31")
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
	rows := readCSV(t, body)
	got := csvByKey(t, rows, 2)
	// ALPHA in range: a2 a3 a4 a5 a6 a8 a9 (a1 and a7 are a second outside each end).
	// Completed a2 a3 a6 a8 a9 = 5, volume 200+50+300+40+5 = 595.00; failed a4; pending a5.
	// Users u1 u2 u3 u4 = 4. Success 5/6. Fee 5 × 0.10 = 0.50: bank 30% = 0.15, Mari 0.35.
	// Licensing: month starts 1 Jan and 1 Feb, both under contract: 2 × 1 000.
	want := map[string]map[string]string{
		"ALPHA": {"bank_name": "Alpha Bank", "status": "active", "users": "4", "transactions": "7", "completed": "5",
			"failed": "1", "pending": "1", "completed_volume": "595.00", "success_rate": "0.833333",
			"transaction_fees": "0.50", "bank_share_fraction": "0.3", "bank_share": "0.15", "mari_share": "0.35", "licensing_fees": "2000.00"},
		// BETA: b1 completed 500.00, b2 failed; 1 user; fee 0.10, bank 33.33% = 0.03333 → 0.03,
		// Mari 0.07. Licensing: 1 Jan only (the contract ended 31 Jan).
		"BETA": {"bank_name": "Beta Bank", "status": "pilot", "users": "1", "transactions": "2", "completed": "1",
			"failed": "1", "pending": "0", "completed_volume": "500.00", "success_rate": "0.500000",
			"transaction_fees": "0.10", "bank_share_fraction": "0.3333", "bank_share": "0.03", "mari_share": "0.07", "licensing_fees": "500.00"},
		// GAMMA: nothing at all; success n/a (empty in the CSV), no licensing (contract over).
		"GAMMA": {"users": "0", "transactions": "0", "completed_volume": "0.00", "success_rate": "",
			"transaction_fees": "0.00", "bank_share": "0.00", "mari_share": "0.00", "licensing_fees": "0.00"},
	}
	for code, fields := range want {
		for k, v := range fields {
			if got[code][k] != v {
				t.Errorf("%s %s = %q; want %q", code, k, got[code][k], v)
			}
		}
	}
	// Default sort: completed volume, largest first.
	if rows[1][2] != "ALPHA" || rows[2][2] != "BETA" || rows[3][2] != "GAMMA" {
		t.Errorf("default order %v %v %v; want ALPHA BETA GAMMA", rows[1][2], rows[2][2], rows[3][2])
	}

	// The page shows the same figures, n/a for GAMMA's success rate, and never the key hash.
	res, body = get(t, e, "/banks?"+janFeb)
	if res.StatusCode != 200 {
		t.Fatalf("GET /banks: %d", res.StatusCode)
	}
	for _, s := range []string{"R\u00a0595.00", "83.33%", "50.00%", "R\u00a00.15 (30.00%)", "R\u00a00.03 (33.33%)", "R\u00a02\u00a0000.00", "n/a", `href="/banks/new"`} {
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
		"sort=success&dir=asc":   "GAMMA BETA ALPHA", // n/a lowest, then 50% and 83%
		"sort=success&dir=desc":  "ALPHA BETA GAMMA",
		"sort=bank":              "ALPHA BETA GAMMA",
		"sort=bank&dir=desc":     "GAMMA BETA ALPHA",
		"sort=licensing&dir=asc": "GAMMA BETA ALPHA",
		"sort=users&dir=desc":    "ALPHA BETA GAMMA",
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
	}
	if res, _ := get(t, e, "/banks?from=2026-03-01&to=2026-01-01"); res.StatusCode != 400 {
		t.Errorf("reversed range: %d; want 400", res.StatusCode)
	}
}

// The licensing rule is the executive dashboard's: the banks' fees add up to its total.
func TestBankLicensingMatchesExecutive(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	ctx := context.Background()
	for _, r := range []struct{ from, to, want string }{
		{"2026-01-01", "2026-02-28", "2500"},
		{"2025-12-02", "2026-01-15", "1500"}, // 1 Dec is outside; 1 Jan: ALPHA + BETA
		{"2025-12-01", "2025-12-01", "1000"}, // one day, a month start
		{"2025-11-16", "2025-11-30", "0"},    // no month start inside
	} {
		rg := calendarRange(r.from, r.to)
		fees, err := queries.BankLicensingFees(ctx, db.PG, rg)
		if err != nil {
			t.Fatal(err)
		}
		sum := mustDec("0")
		for _, f := range fees {
			sum = sum.Add(f)
		}
		exec, err := queries.ExecLicensingFees(ctx, db.PG, rg)
		if err != nil {
			t.Fatal(err)
		}
		if !sum.Equal(mustDec(r.want)) || !exec.Equal(sum) {
			t.Errorf("%s – %s: banks %s, executive %s; want %s", r.from, r.to, sum, exec, r.want)
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
	// (percentile_disc 0.95 of 6 values) = 2 500 ms > SLA 2 000: missed.
	for _, s := range []string{"2\u00a0500 ms", "SLA ≤ 2\u00a0000 ms", "badge-missed", "83.33%", "R\u00a0595.00",
		"bank R\u00a00.15 (30.00%)", "Mari R\u00a00.35", "R\u00a02\u00a0000.00", "insufficient_funds", "data-echarts", "open-ended",
		"blood-u3", "R\u00a031.67", "71.43%"} {
		if !strings.Contains(body, s) {
			t.Errorf("ALPHA's page does not show %q", s)
		}
	}
	if strings.Contains(body, "secret-hash") {
		t.Errorf("ALPHA's page shows the API key hash")
	}
	// BETA: finals 1600 and 3000 → p95 = 3 000 ms, exactly the SLA: met.
	_, body = get(t, e, "/banks/BETA?"+janFeb)
	if !strings.Contains(body, "3\u00a0000 ms") || !strings.Contains(body, "badge-met") {
		t.Errorf("BETA's p95 3 000 ms at SLA 3 000 should be met")
	}

	// Monthly: January a2 a3 a4 (2 completed 250.00, 1 failed); February a5 a6 a8 a9
	// (3 completed 345.00, 1 pending, none failed: success 1).
	_, body = get(t, e, "/banks/ALPHA/monthly.csv?"+janFeb)
	m := csvByKey(t, readCSV(t, body), 0)
	check(t, "Jan", strings.Join([]string{m["2026-01"]["transactions"], m["2026-01"]["completed"], m["2026-01"]["failed"],
		m["2026-01"]["success_rate"], m["2026-01"]["completed_volume"], m["2026-01"]["transaction_fees"],
		m["2026-01"]["bank_share"], m["2026-01"]["mari_share"]}, " "), "3 2 1 0.666667 250.00 0.20 0.06 0.14")
	check(t, "Feb", strings.Join([]string{m["2026-02"]["transactions"], m["2026-02"]["completed"], m["2026-02"]["failed"],
		m["2026-02"]["success_rate"], m["2026-02"]["completed_volume"], m["2026-02"]["transaction_fees"]}, " "), "4 3 0 1.000000 345.00 0.30")
	// BETA has no transactions in February: success n/a (empty), zeros elsewhere.
	_, body = get(t, e, "/banks/BETA/monthly.csv?"+janFeb)
	m = csvByKey(t, readCSV(t, body), 0)
	check(t, "BETA Feb", m["2026-02"]["transactions"]+" ["+m["2026-02"]["success_rate"]+"] "+m["2026-02"]["completed_volume"], "0 [] 0.00")

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
	if n := countRows(t, db, `SELECT count(*) FROM bank_partnerships`); n != 3 {
		t.Errorf("bad input wrote partnerships: %d rows; want 3", n)
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
	form = validBank()
	form.Set("bank_code", "HIJACK") // ignored: the code cannot change
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
