package handlers

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/catalogue"
	"mari/dbconn"
	"mari/dbtest"
	"mari/queries"
	"mari/rollup"
	"mari/views"
)

// Test data is written in SAST wall-clock time.
var (
	sast = dbtest.SAST
	date = dbtest.Date
)

// testNow is 2026-03-15 10:00 SAST (08:00 UTC): "today" is 15 March.
var testNow = sast("2026-03-15 10:00:00")

func uid(name string) uuid.UUID { return uuid.NewSHA1(uuid.NameSpaceOID, []byte("user-"+name)) }

// seed builds the hand-worked dataset every executive test uses. All times SAST.
//
//	banks  BANKA  contract 2025-12-01 –            R5 000/month
//	       BANKB  contract 2026-01-15 – 2026-02-28 R2 000/month (covers 1 Feb only)
//	       → licensing: Dec 5 000, Jan 5 000, Feb 7 000, Mar 5 000
//	users  u1 2025-12-10 12:00   u2 2025-12-20 12:00
//	       u3 2026-01-31 23:59:59 (January)   u4 2026-02-01 00:00:00 (February)
//	       u5 2026-02-10 10:00   u6 2026-03-01 10:00
//	transactions (sender, amount, status, initiated)
//	  t1  u1  100.00 COMPLETED 2025-12-15 10:00
//	  t2  u2   50.00 FAILED    2025-12-20 14:00
//	  t3  u1  200.00 COMPLETED 2026-01-10 10:00
//	  t4  u2  300.00 COMPLETED 2026-01-31 23:59:59   last second of January
//	  t5  u1   40.00 FAILED    2026-01-20 10:00
//	  t6  u3  500.00 COMPLETED 2026-02-01 00:00:00   first second of February, fraud
//	  t7  u1 1000.00 COMPLETED 2026-02-10 11:00
//	  t8  u4  250.00 FAILED    2026-02-14 10:00
//	  t9  u5   75.00 PENDING   2026-02-20 10:00
//	  t10 u1 2000.00 COMPLETED 2026-03-01 23:59:59   last second of 1 March
//	  t11 u6   10.00 COMPLETED 2026-03-02 00:00:00   first second of 2 March
//	  t12 u3   60.00 FAILED    2026-03-10 10:00
//	costs  Dec marketing 200; Jan infrastructure 100, payment_processing 20, marketing 300,
//	       salaries 1 000; Feb infrastructure 150, sms_gateway 10, marketing 400, salaries 1 000;
//	       Mar infrastructure 100
//	outages  2026-02-28 23:00 – 2026-03-01 01:00 (1 h of it inside March)
//	         2026-03-05 12:00 – 13:00 and 12:30 – 14:00 (overlap: 2 h, not 2.5 h)
//	         2026-03-06 02:00 – 07:00 not an outage (minor incident): ignored
func seed(t *testing.T, db *dbtest.DB) {
	t.Helper()
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date, contract_end_date, monthly_fee) VALUES
		('Bank A', 'BANKA', 'active', '2025-12-01', NULL, 5000.00),
		('Bank B', 'BANKB', 'inactive', '2026-01-15', '2026-02-28', 2000.00)`)
	users := []struct{ name, created string }{
		{"u1", "2025-12-10 12:00:00"}, {"u2", "2025-12-20 12:00:00"},
		{"u3", "2026-01-31 23:59:59"}, {"u4", "2026-02-01 00:00:00"},
		{"u5", "2026-02-10 10:00:00"}, {"u6", "2026-03-01 10:00:00"},
	}
	for _, u := range users {
		db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at, last_active)
			VALUES ($1, $2, $3, 'key', $4, $4)`, uid(u.name), "phone-"+u.name, "blood-"+u.name, sast(u.created))
	}
	txs := []struct {
		n                        int
		from, amount, status, at string
		fraud                    bool
	}{
		{1, "u1", "100.00", "COMPLETED", "2025-12-15 10:00:00", false},
		{2, "u2", "50.00", "FAILED", "2025-12-20 14:00:00", false},
		{3, "u1", "200.00", "COMPLETED", "2026-01-10 10:00:00", false},
		{4, "u2", "300.00", "COMPLETED", "2026-01-31 23:59:59", false},
		{5, "u1", "40.00", "FAILED", "2026-01-20 10:00:00", false},
		{6, "u3", "500.00", "COMPLETED", "2026-02-01 00:00:00", true},
		{7, "u1", "1000.00", "COMPLETED", "2026-02-10 11:00:00", false},
		{8, "u4", "250.00", "FAILED", "2026-02-14 10:00:00", false},
		{9, "u5", "75.00", "PENDING", "2026-02-20 10:00:00", false},
		{10, "u1", "2000.00", "COMPLETED", "2026-03-01 23:59:59", false},
		{11, "u6", "10.00", "COMPLETED", "2026-03-02 00:00:00", false},
		{12, "u3", "60.00", "FAILED", "2026-03-10 10:00:00", false},
	}
	for _, x := range txs {
		at := sast(x.at)
		var completedAt *time.Time
		var reason *string
		var ms *int
		if x.status != "PENDING" {
			c := at.Add(time.Second)
			completedAt, ms = &c, new(int)
			*ms = 1000
		}
		if x.status == "FAILED" {
			r := "insufficient_funds"
			reason = &r
		}
		recipient := "u2"
		if x.from == "u2" {
			recipient = "u1"
		}
		db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, bank_id,
				created_at, completed_at, channel, processing_time_ms, failure_reason, is_fraud)
			VALUES ($1, $2, $3::numeric, $4, $5, 'BANKA', $6, $7, 'online', $8, $9, $10)`,
			uid(x.from), uid(recipient), x.amount, x.status, fmt.Sprintf("seal-%d", x.n), at, completedAt, ms, reason, x.fraud)
	}
	db.Exec(t, `INSERT INTO monthly_costs (month, category, amount) VALUES
		('2025-12-01', 'marketing', 200),
		('2026-01-01', 'infrastructure', 100), ('2026-01-01', 'payment_processing', 20),
		('2026-01-01', 'marketing', 300), ('2026-01-01', 'salaries', 1000),
		('2026-02-01', 'infrastructure', 150), ('2026-02-01', 'sms_gateway', 10),
		('2026-02-01', 'marketing', 400), ('2026-02-01', 'salaries', 1000),
		('2026-03-01', 'infrastructure', 100)`)
	db.Exec(t, `INSERT INTO incidents (title, severity, is_outage, started_at, ended_at) VALUES
		('night outage', 'critical', true, $1, $2),
		('api down', 'critical', true, $3, $4),
		('db down', 'critical', true, $5, $6),
		('slow dashboard', 'minor', false, $7, $8)`,
		sast("2026-02-28 23:00:00"), sast("2026-03-01 01:00:00"),
		sast("2026-03-05 12:00:00"), sast("2026-03-05 13:00:00"),
		sast("2026-03-05 12:30:00"), sast("2026-03-05 14:00:00"),
		sast("2026-03-06 02:00:00"), sast("2026-03-06 07:00:00"))
	ctx := context.Background()
	if err := rollup.New(db.PG, nil, func() time.Time { return testNow }).Backfill(ctx, date("2025-12-01"), date("2026-03-15"), io.Discard); err != nil {
		t.Fatalf("rollup backfill: %v", err)
	}
}

// seedEvents writes today's events to ClickHouse (the live tile):
//
//	2026-03-14 23:59:59 completed R999.00   yesterday in SAST: not counted
//	2026-03-15 00:00:00 completed R20.25    today's first second
//	2026-03-15 08:00    initiated ×3
//	2026-03-15 08:01    completed R100.50
//	2026-03-15 08:02    failed
//	→ today: 3 initiated, 2 completed (R120.75), 1 failed; last event minute 08:02 SAST.
func seedEvents(t *testing.T, ch driver.Conn) {
	t.Helper()
	ctx := context.Background()
	batch, err := ch.PrepareBatch(ctx, `INSERT INTO transaction_events (event_id, transaction_id, user_id,
		event_type, timestamp, amount, currency, bank_id, device_type, channel, processing_time_ms,
		sentinel_score, failure_reason, error_code)`)
	if err != nil {
		t.Fatal(err)
	}
	events := []struct {
		typ, at, amount string
	}{
		{"completed", "2026-03-14 23:59:59", "999.00"},
		{"completed", "2026-03-15 00:00:00", "20.25"},
		{"initiated", "2026-03-15 08:00:00", "1.00"},
		{"initiated", "2026-03-15 08:00:10", "2.00"},
		{"initiated", "2026-03-15 08:00:20", "100.50"},
		{"completed", "2026-03-15 08:01:00", "100.50"},
		{"failed", "2026-03-15 08:02:00", "2.00"},
	}
	for _, e := range events {
		if err := batch.Append(uuid.New(), uuid.New(), uid("u1"), e.typ, sast(e.at),
			decimal.RequireFromString(e.amount), "ZAR", "BANKA", "android", "online", uint32(100), float32(0.1), "", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
}

func newHandler(db *dbtest.DB, ch driver.Conn) *Executive {
	return NewExecutive(queries.Executive{PG: db.PG, CH: ch}, catalogue.NewSources(db.PG, ch), ExecutiveOptions{
		PanelTimeout: 5 * time.Second,
		Now:          func() time.Time { return testNow },
	})
}

func tileByTitle(t *testing.T, tiles []views.Tile, title string) views.Tile {
	t.Helper()
	for _, x := range tiles {
		if x.Title == title {
			return x
		}
	}
	t.Fatalf("no tile %q", title)
	return views.Tile{}
}

// TestExecutiveNumbers checks every number on the month-to-date page (1–15 March 2026)
// against the hand-worked values of the seed.
func TestExecutiveNumbers(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	seedEvents(t, db.CH)
	h := newHandler(db, db.CH)
	rc, err := parseRange(map[string][]string{"preset": {"mtd"}}, calendar.Today(testNow), nil)
	if err != nil {
		t.Fatal(err)
	}
	page := h.build(context.Background(), rc, testNow)
	for _, tile := range append(append([]views.Tile(nil), page.Tiles...), page.KPIs...) {
		if tile.Unavailable != "" {
			t.Fatalf("tile %s unavailable: %s", tile.Title, tile.Unavailable)
		}
		if _, ok := catalogue.Lookup(tile.MetricID); !ok {
			t.Errorf("tile %q names no catalogue metric (%q)", tile.Title, tile.MetricID)
		}
	}
	for _, c := range page.Charts {
		if c.Unavailable != "" {
			t.Fatalf("chart %s unavailable: %s", c.ID, c.Unavailable)
		}
	}

	// The rollup ran at testNow (its clock is pinned), so the figures are fresh; 70 minutes
	// later the page says how stale they are.
	check(t, "figures as of", page.FiguresAsOf, "figures as of 15 Mar 10:00 SAST (just now)")
	check(t, "figures as of, later", h.build(context.Background(), rc, testNow.Add(70*time.Minute)).FiguresAsOf,
		"figures as of 15 Mar 10:00 SAST (1 h 10 min ago)")

	// Previous period of 1–15 March is 1–15 February (month to date against the same days).
	if page.Previous.String() != "2026-02-01 to 2026-02-15" {
		t.Fatalf("previous period %s", page.Previous)
	}

	// Total users at end of 15 March: u1..u6 = 6; at end of 28 Feb: u1..u5 = 5 → +20.0 %.
	// New users 1–15 March: u6 only.
	users := tileByTitle(t, page.Tiles, "Total users")
	check(t, "total users", users.Value, "6")
	check(t, "user growth", users.Delta, "+20.0% growth over the range")
	checkLine(t, users, "1 new users in the range")

	// Completed volume 1–15 March: t10 2 000.00 (1 March 23:59:59) + t11 10.00 (2 March) = 2 010.00.
	// 1–15 February: t6 500.00 (1 Feb 00:00:00) + t7 1 000.00 = 1 500.00 → +34.0 %.
	vol := tileByTitle(t, page.Tiles, "Completed volume")
	check(t, "volume exact", vol.Exact, "R\u00a02\u00a0010.00")
	check(t, "volume delta", vol.Delta, "+34.0% vs 2026-02-01 – 2026-02-15")
	checkLine(t, vol, "3 transactions initiated, 66.67% of those final completed")

	// Revenue is Mari's: fees billed less BANKA's 30 % share, plus licensing accrued per day.
	// 1–15 March: t10 (1 Mar), t11 (2 Mar) → billed 0.20; share through 1 Mar round(0.03) =
	// 0.03, through 2 Mar round(0.06) = 0.06 → Mari 0.14. Licensing: BANKA 5 000 × 15/31 =
	// 2 419.35 (BANKB ended in February). Revenue 2 419.49.
	// 1–15 February: t6, t7 → 0.14; licensing BANKA 5 000 × 15/28 = 2 678.57 and BANKB
	// 2 000 × 15/28 = 1 071.43 → 3 750.14. Change: −1 330.65 / 3 750.14 = −35.48 % → "−35.5%".
	rev := tileByTitle(t, page.Tiles, "Revenue")
	check(t, "revenue exact", rev.Exact, "R\u00a02\u00a0419.49")
	check(t, "revenue delta", rev.Delta, "−35.5% vs 2026-02-01 – 2026-02-15")
	checkLine(t, rev, "transaction fees billed R\u00a00.20")
	checkLine(t, rev, "less banks' share R\u00a00.06")
	checkLine(t, rev, "licensing fees R\u00a02\u00a0419.35")

	// MAU: 1–15 March holds no complete month, so the headline is March to date: senders u1
	// (t10), u6 (t11), u3 (t12) = 3, against the same days of February (u3, u1, u4) = 3.
	mau := tileByTitle(t, page.Tiles, "Monthly active users")
	check(t, "MAU", mau.Value, "3")
	check(t, "MAU label", mau.Lines[0], "Mar 2026 to date (15 days)")
	check(t, "MAU delta", mau.Delta, "+0.0% vs Feb 2026 to 15 Feb")

	// Transactions per user, March to date: 3 transactions (t10, t11, t12) ÷ 3 = 1.00.
	check(t, "tx per user", tileByTitle(t, page.Tiles, "Transactions per user per month").Value, "1.00")

	// Success rate 1–15 March: 2 completed ÷ (2 + 1 failed) = 66.67 %: target ≥ 97 % missed.
	// 1–15 February: t6, t7 completed, t8 failed: 66.67 % too.
	succ := tileByTitle(t, page.KPIs, "Transaction success rate")
	check(t, "success rate", succ.Value, "66.67%")
	check(t, "success status", succ.Status, "missed")
	check(t, "success target", succ.Target, "target ≥ 97.00%")
	checkLine(t, succ, "previous period 66.67%")

	// Fraud rate 1–15 March: 0 of 3 = 0.000 %: target ≤ 0.1 % met. February's first half: t6
	// of t6, t7, t8.
	fraud := tileByTitle(t, page.KPIs, "Fraud rate")
	check(t, "fraud rate", fraud.Value, "0.000%")
	check(t, "fraud status", fraud.Status, "met")
	checkLine(t, fraud, "previous period 33.333%")

	// Financial KPIs: 1–15 March holds no complete month, so they use February 2026.
	// Revenue Feb = Mari's 0.14 of the fees + licensing 5 000 + 2 000 = 7 000.14.
	// Cost of revenue Feb = infrastructure 150 + sms 10 = 160 (salaries are operating).
	// Gross margin (blended) = 6 840.14 / 7 000.14 = 97.7 %, target ≥ 75 % met.
	// Transaction margin = (0.14 − 160) / 0.14 = −114 185.7 %.
	gm := tileByTitle(t, page.KPIs, "Gross margin (blended)")
	check(t, "gross margin", gm.Value, "97.7%")
	check(t, "gross margin status", gm.Status, "met")
	check(t, "gross margin months", gm.Lines[0], "from Feb 2026 (no complete month in the range)")
	checkLine(t, gm, "revenue R\u00a07\u00a0000.14, cost of revenue R\u00a0160.00")
	tm := tileByTitle(t, page.KPIs, "Transaction margin")
	check(t, "transaction margin", tm.Value, "-114\u00a0185.7%")

	// CAC Feb = marketing 400 / new users (u4, u5) 2 = R200 (blended).
	// MAU Feb = u3, u1, u4, u5 (pending t9 counts: any status) = 4; retained = also active in Jan
	// (u1, u2) = u1 → 1; MAU Jan = 2 → churn = 1 − 1/2 = 0.5 → lifetime 2 months.
	// LTV (transaction basis) = (0.14 − 160) / 4 user-months × 2 months = −79.93;
	// LTV/CAC = −79.93 / 200 = −0.40 → "-0.4×", missed.
	ltv := tileByTitle(t, page.KPIs, "LTV/CAC")
	check(t, "ltv/cac", ltv.Value, "-0.4×")
	check(t, "ltv/cac status", ltv.Status, "missed")
	check(t, "ltv/cac line", ltv.Lines[1], "LTV -R\u00a079.93 (transaction basis) · CAC R\u00a0200.00 (blended)")
	check(t, "churn line", ltv.Lines[2], "churn 50.0%/month → lifetime 2.0 months")

	// Uptime: window 1 March 00:00 SAST to now (15 March 10:00) = 14 d 10 h = 1 245 600 s.
	// Outages inside it: 00:00–01:00 on 1 March (clipped) + the union 12:00–14:00 on 5 March
	// = 3 h = 10 800 s. Uptime = 1 − 10 800 / 1 245 600 = 0.991329... → 99.133 %, missed.
	up := tileByTitle(t, page.KPIs, "Uptime")
	check(t, "uptime", up.Value, "99.133%")
	check(t, "uptime status", up.Status, "missed")
	check(t, "downtime", up.Lines[0], "downtime 3h 00m in the range")

	// Live (ClickHouse): 3 initiated, 2 completed R120.75, 1 failed, last minute 08:02 SAST.
	live := tileByTitle(t, page.Tiles, "Today so far (live)")
	check(t, "live initiated", live.Value, "3 initiated")
	check(t, "live counts", live.Lines[0], "2 completed · 1 failed")
	check(t, "live amount", live.Lines[1], "completed R\u00a0120.75")
	check(t, "live last", live.Lines[2], "last event in the minute of 08:02 SAST")

	// North star: launch = month of the first sign-up (u1, Dec 2025) = M1. Monthly volume
	// Dec 100, Jan 200 + 300 = 500, Feb 500 + 1 000 = 1 500, Mar (to date) 2 010.
	// Trend over the complete months Dec–Feb: (1500/100)^(1/2) − 1 = √15 − 1 = +287.3 %.
	// From M3 = 1 500: √15^k ≥ 6 666.7 ⇒ k = 7 ⇒ M10 (Sep 2026); ≥ 66 666.7 ⇒ M12 (Nov 2026);
	// ≥ 666 666.7 (15^5 = 759 375) ⇒ k = 10 ⇒ M13 (Dec 2026).
	var north string
	for _, c := range page.Charts {
		if c.ID == "northstar" {
			north = strings.Join(c.Notes, " ")
		}
	}
	for _, want := range []string{"Month 1 = Dec 2025.", "+287.3% a month",
		"R\u00a010\u00a0M by M12 (Nov 2026): projected M10 (Sep 2026), on track.",
		"R\u00a0100\u00a0M by M18 (May 2027): projected M12 (Nov 2026), on track.",
		"R\u00a01\u00a0B by M24 (Nov 2027): projected M13 (Dec 2026), on track."} {
		if !strings.Contains(north, want) {
			t.Errorf("north star note lacks %q:\n%s", want, north)
		}
	}
}

func check(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q; want %q", what, got, want)
	}
}

func checkLine(t *testing.T, tile views.Tile, want string) {
	t.Helper()
	for _, l := range tile.Lines {
		if l == want {
			return
		}
	}
	t.Errorf("tile %q lacks line %q: %q", tile.Title, want, tile.Lines)
}

func serve(h *Executive) *echo.Echo {
	e := echo.New()
	e.GET("/", h.Page)
	e.GET("/executive/:file", h.CSV)
	return e
}

func get(t *testing.T, e *echo.Echo, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestExecutiveCSV(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	e := serve(newHandler(db, db.CH))

	// Revenue by month, January and February: Mari's share of the fees (2 completed each month
	// × R0.10 less BANKA's 30 %: 0.20 − 0.06) and licensing accrued (Jan: BANKA 5 000 + BANKB
	// 2 000 × 17/31 = 1 096.77; Feb: BANKA 5 000 + BANKB 2 000).
	res, body := get(t, e, "/executive/revenue.csv?from=2026-01-01&to=2026-02-28")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="mari-revenue-2026-01-01-to-2026-02-28.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	check(t, "revenue csv", body, "month,from,to,transaction_revenue,licensing_revenue,revenue,complete\n"+
		"2026-01,2026-01-01,2026-01-31,0.14,6096.77,6096.91,yes\n"+
		"2026-02,2026-02-01,2026-02-28,0.14,7000.00,7000.14,yes\n")
	// A range that cuts two months: the months count only their days in the range and add up
	// to the revenue tile. 20 Jan – 10 Feb: t4 (31 Jan) and t6, t7 (1 and 10 Feb) completed.
	// January: fees 0.10 less the share through 31 Jan (t3, t4: round(0.06) = 0.06) less
	// through 19 Jan (t3: 0.03) = 0.03 → 0.07; licensing BANKA 5 000 × 31/31 − 5 000 × 19/31 =
	// 5 000 − 3 064.52 = 1 935.48, BANKB 2 000 × 17/31 − 2 000 × 5/31 = 1 096.77 − 322.58 =
	// 774.19. February 1–10: 0.20 − 0.06 = 0.14; BANKA 5 000 × 10/28 = 1 785.71, BANKB
	// 2 000 × 10/28 = 714.29.
	_, body = get(t, e, "/executive/revenue.csv?from=2026-01-20&to=2026-02-10")
	check(t, "revenue csv, cut months", body, "month,from,to,transaction_revenue,licensing_revenue,revenue,complete\n"+
		"2026-01,2026-01-20,2026-01-31,0.07,2709.67,2709.74,no\n"+
		"2026-02,2026-02-01,2026-02-10,0.14,2500.00,2500.14,no\n")

	// Daily across the January/February boundary: t4 at 31 Jan 23:59:59 SAST and t6 at
	// 1 Feb 00:00:00 SAST fall on different days.
	_, body = get(t, e, "/executive/daily.csv?from=2026-01-31&to=2026-02-01")
	check(t, "daily csv", body, "date,transactions,completed_transactions,completed_volume\n"+
		"2026-01-31,1,1,300.00\n"+
		"2026-02-01,1,1,500.00\n")

	// And across midnight on 1/2 March: t10 at 23:59:59, t11 at 00:00:00.
	_, body = get(t, e, "/executive/daily.csv?from=2026-03-01&to=2026-03-02")
	check(t, "daily csv March", body, "date,transactions,completed_transactions,completed_volume\n"+
		"2026-03-01,1,1,2000.00\n"+
		"2026-03-02,1,1,10.00\n")

	// MAU: Jan u1, u2 → 2 (3 transactions: t3, t4, t5 → 1.50); Feb 4 (4 transactions → 1.00);
	// March to date 3 (3 → 1.00).
	_, body = get(t, e, "/executive/mau.csv?from=2026-01-01&to=2026-03-15")
	check(t, "mau csv", body, "month,mau,transactions,transactions_per_user,complete\n"+
		"2026-01,2,3,1.50,yes\n"+
		"2026-02,4,4,1.00,yes\n"+
		"2026-03,3,3,1.00,no\n")

	// North star: M1..M4 actual volumes; trend line from M3 (1 500) on: M4 = 1 500 × √15 = 5 809.48.
	_, body = get(t, e, "/executive/northstar.csv?from=2026-03-01&to=2026-03-15")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 25 { // header + M1..M24
		t.Fatalf("%d rows; want 25:\n%s", len(rows), body)
	}
	check(t, "north header", strings.Join(rows[0], ","), "month_after_launch,month,completed_volume,month_complete,trend_projection,milestone")
	check(t, "north M1", strings.Join(rows[1], ","), "1,2025-12,100.00,yes,,")
	check(t, "north M3", strings.Join(rows[3], ","), "3,2026-02,1500.00,yes,1500.00,")
	check(t, "north M4", strings.Join(rows[4], ","), "4,2026-03,2010.00,no,5809.48,")
	// M12 = 1 500 × √15^9 = 294 104 672.85 (each month rounded to the cent on the way).
	check(t, "north M12", strings.Join(rows[12], ","), "12,2026-11,,,294104672.85,10000000.00")
	if rows[12][5] != "10000000.00" || rows[24][5] != "1000000000.00" {
		t.Errorf("milestones %q %q", rows[12], rows[24])
	}

	// Unknown panel: 404.
	if res, _ := get(t, e, "/executive/nope.csv?from=2026-01-01&to=2026-02-28"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown panel: %d; want 404", res.StatusCode)
	}
	if res, _ := get(t, e, "/executive/revenue.json"); res.StatusCode != http.StatusNotFound {
		t.Errorf("non-csv: %d; want 404", res.StatusCode)
	}
	// Bad range: 400.
	if res, _ := get(t, e, "/executive/revenue.csv?from=2026-02-28&to=2026-01-01"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("reversed range CSV: %d; want 400", res.StatusCode)
	}
}

func TestExecutiveBadInput(t *testing.T) {
	db := dbtest.New(t)
	e := serve(newHandler(db, db.CH))
	cases := []struct{ query, message string }{
		{"from=2026-13-01&to=2026-03-01", `The start date &#34;2026-13-01&#34; is not a date`},
		{"from=2026-03-01&to=yesterday", `The end date &#34;yesterday&#34; is not a date`},
		{"from=2026-03-10&to=2026-03-01", "The range is reversed: the end date 2026-03-01 is before the start date 2026-03-10."},
		{"from=1999-12-31&to=2026-03-01", "The start date 1999-12-31 is before 2000-01-01"},
		{"from=2026-03-01&to=2026-03-16", "The end date 2026-03-16 is in the future (today is 2026-03-15 in SAST); choose 2026-03-15 or earlier."},
		{"from=2005-01-01&to=2026-03-01", "The range is 7730 days long; choose at most 10 years."},
		{"preset=forever", "Unknown range preset &#34;forever&#34;"},
		{"from=2026-03-01", "Enter both a start date (from) and an end date (to)"},
	}
	for _, c := range cases {
		res, body := get(t, e, "/?"+c.query)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d; want 400", c.query, res.StatusCode)
		}
		if !strings.Contains(body, c.message) {
			t.Errorf("%s: page lacks %q:\n%s", c.query, c.message, body)
		}
		if !strings.Contains(body, `<form class="range-form"`) || strings.Contains(body, "goroutine") || strings.Contains(body, ".go:") {
			t.Errorf("%s: want the form and no internals", c.query)
		}
	}
	// Today (SAST) is the latest allowed end, and shows the page.
	if res, body := get(t, e, "/?from=2026-03-01&to=2026-03-15"); res.StatusCode != http.StatusOK {
		t.Errorf("to = today: %d\n%s", res.StatusCode, body)
	}
}

// TestExecutiveClickHouseDown points the live tile at a closed port: the PostgreSQL panels
// still show their numbers and the live tile says it is unavailable.
func TestExecutiveClickHouseDown(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	deadCH, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{Addr: "127.0.0.1:1", Database: "default", User: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer deadCH.Close()
	e := serve(newHandler(db, deadCH))
	res, body := get(t, e, "/?preset=mtd")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{
		"unavailable — ClickHouse is unreachable", // the live tile
		">6</p>",       // total users
		">66.67%</p>",  // success rate
		">99.133%</p>", // uptime
		`data-echarts="chart-daily"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(body, "unavailable —"); n != 1 {
		t.Errorf("%d unavailable panels; want only the live tile", n)
	}
}

// TestExecutivePostgresDown points PostgreSQL at a closed port: every PostgreSQL panel says
// unavailable, the page still renders (200), and the live tile still reads ClickHouse.
func TestExecutivePostgresDown(t *testing.T) {
	db := dbtest.New(t)
	seedEvents(t, db.CH)
	deadPG, err := dbconn.Postgres(context.Background(), "postgres://mari@127.0.0.1:1/none?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer deadPG.Close()
	h := NewExecutive(queries.Executive{PG: deadPG, CH: db.CH}, catalogue.NewSources(deadPG, db.CH), ExecutiveOptions{
		PanelTimeout: 5 * time.Second, Now: func() time.Time { return testNow }})
	res, body := get(t, serve(h), "/?preset=all")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if !strings.Contains(body, ">3 initiated</p>") {
		t.Error("the live tile should still show ClickHouse's 3 initiated events")
	}
	// 5 headline tiles + 6 KPI tiles + 4 charts read PostgreSQL.
	if n := strings.Count(body, "unavailable — PostgreSQL is unreachable"); n != 15 {
		t.Errorf("%d PostgreSQL panels unavailable; want 15", n)
	}
}
