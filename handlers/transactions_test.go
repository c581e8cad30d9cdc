package handlers

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/calendar"
	"mari/dbconn"
	"mari/dbtest"
	"mari/queries"
	"mari/views"
)

// txServer serves the transactions routes as an account of role would use them.
func txServer(db queries.Querier, role auth.Role) *echo.Echo {
	h := NewTransactions(db, TransactionsOptions{Timeout: 5 * time.Second, Now: func() time.Time { return testNow }})
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			auth.SetCurrent(c, auth.Account{ID: 7, Email: string(role) + "@mari.example", Role: role})
			return next(c)
		}
	})
	e.GET("/transactions", h.Page)
	e.GET("/transactions.csv", h.CSV)
	return e
}

var (
	txCountRe  = regexp.MustCompile(`data-tx-count>([^<]*)<`)
	txSumRe    = regexp.MustCompile(`data-tx-sum>([^<]*)<`)
	txAmountRe = regexp.MustCompile(`data-tx-amount>([^<]*)<`)
	txNextRe   = regexp.MustCompile(`href="(/transactions\?[^"]*)" rel="next"`)
	txNewestRe = regexp.MustCompile(`href="(/transactions\?[^"]*)">← Back to the newest`)
	txIDRe     = regexp.MustCompile(`<td><code title="([0-9a-f-]{36})">`)
	txTitleRe  = regexp.MustCompile(`<h1>([^<]*)</h1>`)
	txErrorRe  = regexp.MustCompile(`class="form-error" role="alert">([^<]*)<`)
)

// txPage is what a transactions page states.
type txPage struct {
	status           int
	title, errorText string
	count, sum       string // as shown
	amounts          []string
	ids              []string
	next, newest     string
}

func getTxPage(t *testing.T, e *echo.Echo, target string) txPage {
	t.Helper()
	res, body := get(t, e, target)
	p := txPage{status: res.StatusCode}
	first := func(re *regexp.Regexp) string {
		if m := re.FindStringSubmatch(body); m != nil {
			return html.UnescapeString(m[1])
		}
		return ""
	}
	p.title, p.errorText, p.count, p.sum = first(txTitleRe), first(txErrorRe), first(txCountRe), first(txSumRe)
	p.next, p.newest = first(txNextRe), first(txNewestRe)
	for _, m := range txAmountRe.FindAllStringSubmatch(body, -1) {
		p.amounts = append(p.amounts, html.UnescapeString(m[1]))
	}
	for _, m := range txIDRe.FindAllStringSubmatch(body, -1) {
		p.ids = append(p.ids, m[1])
	}
	if p.status >= 500 {
		t.Fatalf("%s: %d\n%s", target, p.status, body)
	}
	return p
}

// rand is an amount as the page shows it ("R 1 234.50" with no-break spaces).
func randText(s string) string { return "R\u00a0" + strings.ReplaceAll(s, " ", "\u00a0") }

// The page states the count and sum of every matching row and lists them, for each form of
// period and each filter, on the bank tests' hand-worked dataset (seedBanks).
func TestTransactionsPageNumbers(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	e := txServer(db.PG, auth.RoleExecutive)
	cases := []struct {
		target, title, count, sum string
		amounts                   []string // newest first
	}{
		{"/transactions?from=2026-01-01&to=2026-02-28&bank=ALPHA", "All payments through ALPHA initiated from 1 Jan 2026 to 28 Feb 2026",
			"7", "695.00", []string{"300.00", "5.00", "40.00", "70.00", "30.00", "50.00", "200.00"}},
		{"/transactions?from=2026-01-01&to=2026-02-28&bank=ALPHA&status=completed", "Completed payments through ALPHA initiated from 1 Jan 2026 to 28 Feb 2026",
			"5", "595.00", []string{"300.00", "5.00", "40.00", "50.00", "200.00"}},
		{"/transactions?month=2026-01&failure_reason=bank_timeout", "Failed payments (bank_timeout) initiated in January 2026",
			"1", "10.00", []string{"10.00"}},
		{"/transactions?month=2026-01&status=FAILED", "Failed payments initiated in January 2026",
			"2", "40.00", []string{"30.00", "10.00"}},
		{"/transactions?hour=2026-01-20T10", "All payments initiated between 10:00–11:00 SAST on 20 Jan 2026",
			"1", "30.00", []string{"30.00"}},
		{"/transactions?minute=2026-02-27T09:30&channel=online", "All payments in the app (online) initiated in the minute 09:30–09:31 SAST on 27 Feb 2026",
			"1", "15.00", []string{"15.00"}},
		{"/transactions?from=2026-02-28&to=2026-02-28", "All payments initiated on 28 Feb 2026", "1", "300.00", []string{"300.00"}},
		{"/transactions?from=2026-03-01&to=2026-03-01&status=PENDING", "Payments still pending initiated on 1 Mar 2026", "0", "0.00", nil},
		// No period: today (15 March, testNow), when nothing was paid.
		{"/transactions", "All payments initiated on 15 Mar 2026", "0", "0.00", nil},
	}
	for _, c := range cases {
		p := getTxPage(t, e, c.target)
		if p.status != http.StatusOK || p.title != c.title || p.count != c.count || p.sum != randText(c.sum) {
			t.Errorf("%s: %d %q, %s payments, %s; want 200 %q, %s, %s", c.target, p.status, p.title, p.count, p.sum, c.title, c.count, randText(c.sum))
		}
		var want []string
		for _, a := range c.amounts {
			want = append(want, randText(a))
		}
		if strings.Join(p.amounts, "|") != strings.Join(want, "|") {
			t.Errorf("%s: rows %q; want %q", c.target, p.amounts, want)
		}
	}
}

// Bad addresses are a 400 page saying what is wrong, never a 500.
func TestTransactionsBadInput(t *testing.T) {
	e := txServer(dbtest.New(t).PG, auth.RoleExecutive)
	good := queries.EncodeTransactionCursor(queries.TransactionCursor{CreatedAt: sast("2026-01-10 10:00:00"), ID: uid("x")},
		queries.TransactionFilter{From: date("2026-01-01").Start(), To: date("2026-01-31").End()})
	cases := map[string]string{
		"/transactions?from=2026-13-01&to=2026-13-02":                   "is not a date",
		"/transactions?from=2026-02-10&to=2026-02-01":                   "reversed",
		"/transactions?from=2025-01-01&to=2026-02-05":                   "at most 400 days",
		"/transactions?from=2026-01-01":                                 "both a start date",
		"/transactions?month=2026-1":                                    "not a month",
		"/transactions?hour=2026-01-20+10":                              "not an hour",
		"/transactions?minute=2026-01-20T10:61":                         "not a minute",
		"/transactions?month=2026-01&from=2026-01-01&to=2026-01-02":     "Give one period",
		"/transactions?month=2026-01&status=REFUNDED":                   "Unknown status",
		"/transactions?month=2026-01&channel=carrier-pigeon":            "Unknown channel",
		"/transactions?month=2026-01&bank=%27%3B+DROP+TABLE":            "is not a bank code",
		"/transactions?month=2026-01&status=COMPLETED&failure_reason=x": "Only failed payments",
		"/transactions?month=2026-01&failure_reason=%01":                "is not a failure reason",
		"/transactions?month=2026-01&cursor=forged":                     "not valid for these filters",
		"/transactions?month=2026-01&bank=ALPHA&cursor=" + good:         "not valid for these filters",
		"/transactions?month=2026-01&month=2026-02":                     "given 2 times",
		"/transactions?from=1999-12-31&to=2000-01-02":                   "before 2000-01-01",
	}
	for target, want := range cases {
		p := getTxPage(t, e, target)
		if p.status != http.StatusBadRequest || !strings.Contains(p.errorText, want) {
			t.Errorf("%s: %d %q; want 400 saying %q", target, p.status, p.errorText, want)
		}
		if p.count != "" {
			t.Errorf("%s: a refused address shows a count", target)
		}
		csvTarget := strings.Replace(target, "/transactions?", "/transactions.csv?", 1)
		if !strings.Contains(target, "cursor=") { // the download ignores the cursor
			if res, body := get(t, e, csvTarget); res.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %d; want 400\n%s", csvTarget, res.StatusCode, body)
			}
		}
	}
	// The same cursor with the filters it was made for is fine.
	if p := getTxPage(t, e, "/transactions?from=2026-01-01&to=2026-01-31&cursor="+good); p.status != http.StatusOK {
		t.Errorf("a good cursor: %d %q", p.status, p.errorText)
	}
}

// Partnership managers list one bank's transactions at a time; every other role lists any.
func TestTransactionsRoles(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	for _, c := range []struct {
		role   auth.Role
		target string
		want   int
	}{
		{auth.RolePartnerships, "/transactions?month=2026-01", http.StatusForbidden},
		{auth.RolePartnerships, "/transactions?month=2026-01&bank=+", http.StatusForbidden},
		{auth.RolePartnerships, "/transactions.csv?month=2026-01", http.StatusForbidden},
		{auth.RolePartnerships, "/transactions?month=2026-01&bank=ALPHA", http.StatusOK},
		{auth.RolePartnerships, "/transactions.csv?month=2026-01&bank=ALPHA", http.StatusOK},
		{auth.RoleOps, "/transactions?month=2026-01", http.StatusOK},
		{auth.RoleExecutive, "/transactions?month=2026-01", http.StatusOK},
		{auth.RoleAdmin, "/transactions.csv?month=2026-01", http.StatusOK},
	} {
		if res, _ := get(t, txServer(db.PG, c.role), c.target); res.StatusCode != c.want {
			t.Errorf("%s %s: %d; want %d", c.role, c.target, res.StatusCode, c.want)
		}
	}
}

// 250 payments of one day, many at the same second: three pages of 100, 100 and 50 through the
// Next links, each row once, the count and sum of all 250 on every page, and a way back to the
// newest from the later pages.
func TestTransactionsPagesThroughNextLinks(t *testing.T) {
	db := dbtest.New(t)
	dbtest.User{Name: "alice", Created: "2026-01-01 08:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2026-01-01 08:00:00"}.Insert(t, db)
	want := decimal.Zero
	for i := 0; i < 250; i++ {
		amount := decimal.NewFromInt(int64(i + 1)).Add(decimal.RequireFromString("0.25"))
		want = want.Add(amount)
		at := fmt.Sprintf("2026-03-10 %02d:%02d:00", 8+i/60, (i/5)%60) // five at each minute
		dbtest.Tx{From: "alice", To: "bob", Amount: amount.StringFixed(2), Status: "COMPLETED", At: at}.Insert(t, db)
	}
	e := txServer(db.PG, auth.RoleOps)
	target := "/transactions?from=2026-03-10&to=2026-03-10&figure=a+test"
	seen := map[string]bool{}
	var sizes []int
	for page := 0; target != ""; page++ {
		p := getTxPage(t, e, target)
		if p.status != http.StatusOK || p.count != "250" || p.sum != views.Rand(want) {
			t.Fatalf("page %d: %d, %s payments, %s; want 250, %s", page, p.status, p.count, p.sum, views.Rand(want))
		}
		if (page > 0) != (p.newest != "") {
			t.Errorf("page %d: back-to-newest link %q", page, p.newest)
		}
		if p.newest != "" && p.newest != "/transactions?figure=a+test&from=2026-03-10&to=2026-03-10" {
			t.Errorf("page %d: back to %q", page, p.newest)
		}
		for _, id := range p.ids {
			if seen[id] {
				t.Errorf("page %d lists %s again", page, id)
			}
			seen[id] = true
		}
		sizes = append(sizes, len(p.ids))
		target = p.next
		if page > 5 {
			t.Fatal("the Next links do not end")
		}
	}
	if fmt.Sprint(sizes) != "[100 100 50]" || len(seen) != 250 {
		t.Errorf("pages of %v, %d distinct rows; want [100 100 50], 250", sizes, len(seen))
	}
}

// The download has every matching row, exactly, newest first; past the cap it stops and says
// so in its last line.
func TestTransactionsCSV(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	e := txServer(db.PG, auth.RoleExecutive)
	res, body := get(t, e, "/transactions.csv?month=2026-01&bank=ALPHA&figure=ignored&cursor=ignored")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Disposition") != `attachment; filename="mari-transactions-2026-01-01-to-2026-01-31.csv"` {
		t.Fatalf("%d %q\n%s", res.StatusCode, res.Header.Get("Content-Disposition"), body)
	}
	rows := readCSV(t, body)
	if strings.Join(rows[0], ",") != "id,created_at,completed_at,sender_blood_hash,recipient_blood_hash,amount,currency,status,bank,channel,failure_reason,processing_ms" {
		t.Errorf("header %v", rows[0])
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, strings.Join(r[1:], ","))
	}
	wantRows := []string{
		"2026-01-20T10:00:00.000000+02:00,2026-01-20T10:00:00.000000+02:00,blood-u3,blood-u2,30.00,ZAR,FAILED,ALPHA,online,insufficient_funds,2500",
		"2026-01-10T10:00:00.000000+02:00,2026-01-10T10:00:00.000000+02:00,blood-u2,blood-u3,50.00,ZAR,COMPLETED,ALPHA,online,,1500",
		"2026-01-01T00:00:00.000000+02:00,2026-01-01T00:00:00.000000+02:00,blood-u1,blood-u2,200.00,ZAR,COMPLETED,ALPHA,online,,1000",
	}
	if strings.Join(got, "\n") != strings.Join(wantRows, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantRows, "\n"))
	}
}

func TestTransactionsCSVStopsAtItsCap(t *testing.T) {
	db := dbtest.New(t)
	dbtest.User{Name: "alice", Created: "2026-01-01 08:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2026-01-01 08:00:00"}.Insert(t, db)
	extra := 7
	db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, created_at, completed_at, channel, processing_time_ms)
		SELECT $1, $2, 1.00, 'COMPLETED', 'seal-' || g, $3::timestamptz + g * interval '1 ms', $3::timestamptz + g * interval '1 ms', 'online', 1
		FROM generate_series(1, $4::int) g`, uid("alice"), uid("bob"), sast("2026-03-10 08:00:00"), transactionsCSVLimit+extra)
	res, body := get(t, txServer(db.PG, auth.RoleExecutive), "/transactions.csv?from=2026-03-10&to=2026-03-10")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%d", res.StatusCode)
	}
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(lines) != 1+transactionsCSVLimit+1 {
		t.Fatalf("%d lines; want the header, %d rows and the note", len(lines), transactionsCSVLimit)
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "cut at 100\u00a0000 rows") {
		t.Errorf("last line %q; want the note that the download was cut", last)
	}
	// The newest first: the last row written is the cap's, and the 7 oldest are left out.
	if !strings.Contains(lines[1], "08:01:40.007000+02:00") || !strings.Contains(lines[len(lines)-2], "08:00:00.008000+02:00") {
		t.Errorf("first row %q, last row %q", lines[1], lines[len(lines)-2])
	}
	// Fewer rows than the cap (the 59 999 of one minute): no note.
	res, body = get(t, txServer(db.PG, auth.RoleExecutive), "/transactions.csv?minute=2026-03-10T08:00")
	if n := strings.Count(body, "\n"); res.StatusCode != http.StatusOK || n != 1+60_000-1 || strings.Contains(body, "cut at") {
		t.Errorf("one minute: %d, %d lines", res.StatusCode, n)
	}
}

// With PostgreSQL down the page says the transactions are unavailable (503), and so does the
// download, before it sends anything.
func TestTransactionsPostgresDown(t *testing.T) {
	deadPG, err := dbconn.Postgres(context.Background(), "postgres://mari@127.0.0.1:1/none?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer deadPG.Close()
	e := txServer(deadPG, auth.RoleExecutive)
	res, body := get(t, e, "/transactions?month=2026-01")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "unavailable — PostgreSQL is unreachable") {
		t.Errorf("page: %d\n%s", res.StatusCode, body)
	}
	if res, _ := get(t, e, "/transactions.csv?month=2026-01"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("download: %d; want 503", res.StatusCode)
	}
}

// drillPoint is one linked point of a chart: its series, its value and its address.
type drillPoint struct {
	series, href string
	value        decimal.Decimal
}

// drillPoints reads the linked points of a chart's options.
func drillPoints(t *testing.T, options any) []drillPoint {
	t.Helper()
	m, ok := options.(map[string]any)
	if !ok {
		t.Fatalf("options are %T", options)
	}
	var out []drillPoint
	series, _ := m["series"].([]any)
	for _, s := range series {
		s := s.(map[string]any)
		data, _ := s["data"].([]any)
		for _, d := range data {
			p, ok := d.(map[string]any)
			if !ok || p["drill"] == nil {
				continue
			}
			v, err := decimal.NewFromString(fmt.Sprint(p["value"]))
			if err != nil {
				t.Fatalf("%s: value %v", s["name"], p["value"])
			}
			out = append(out, drillPoint{series: s["name"].(string), href: p["drill"].(string), value: v})
		}
	}
	return out
}

// checkDrills opens every linked point of a chart and checks that the page's count (for a
// count) or sum (for an amount) is the point's value. sums names the series that are amounts.
func checkDrills(t *testing.T, e *echo.Echo, chart string, points []drillPoint, sums map[string]bool, minimum int) {
	t.Helper()
	if len(points) < minimum {
		t.Errorf("%s: %d linked points; want at least %d", chart, len(points), minimum)
	}
	for _, p := range points {
		page := getTxPage(t, e, p.href)
		want := views.Count(p.value.IntPart())
		got := page.count
		if sums[p.series] {
			want, got = views.Rand(p.value), page.sum
		}
		if page.status != http.StatusOK || got != want {
			t.Errorf("%s, %s: the chart shows %s, its transactions page %q (%d %s)", chart, p.series, want, got, page.status, p.href)
		}
		if sums[p.series] && !strings.Contains(p.href, "status=COMPLETED") {
			t.Errorf("%s, %s: a volume links to %s, not to completed payments only", chart, p.series, p.href)
		}
	}
}

// Every linked figure of the executive dashboard's charts is exactly its transactions page's
// count or sum: the daily chart's bars (completed volume) and line (transactions) and the north
// star's monthly volumes, on the executive tests' hand-worked dataset (seed).
func TestExecutiveDrillLinksAreTheirFigures(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	h := newHandler(db, db.CH)
	e := txServer(db.PG, auth.RoleExecutive)
	rc := rangeChoice{Range: calendar.Range{From: date("2025-12-01"), To: date("2026-03-15")}}
	page := h.build(context.Background(), rc, testNow)
	checked := 0
	for _, c := range page.Charts {
		points := drillPoints(t, c.Options)
		switch c.ID {
		case "daily":
			checkDrills(t, e, c.ID, points, map[string]bool{"Completed volume": true}, 2*105)
			// Spot check by hand: 1 Feb holds t6 (R500, completed); 14 Feb t8 (failed) alone.
			for _, p := range points {
				if strings.Contains(p.href, "from=2026-02-01&") && p.series == "Completed volume" && !p.value.Equal(decimal.NewFromInt(500)) {
					t.Errorf("1 Feb's bar is %s; want 500", p.value)
				}
				if strings.Contains(p.href, "from=2026-02-14&") && p.series == "Transactions" && !p.value.Equal(decimal.NewFromInt(1)) {
					t.Errorf("14 Feb's point is %s; want 1", p.value)
				}
			}
		case "northstar":
			// December to March: 100, 500, 1 500, 2 010 (March to date).
			checkDrills(t, e, c.ID, points, map[string]bool{"Completed volume": true, "Current month to date": true}, 4)
		default:
			if len(points) > 0 {
				t.Errorf("%s links %d points, but its figures are not counts or sums of transactions", c.ID, len(points))
			}
		}
		checked += len(points)
	}
	if checked == 0 {
		t.Fatal("no chart linked any point")
	}
}

// The bank page's monthly chart: each month's completed volume and transactions, the months
// the range cuts counted only on their days inside it, are the bank's transactions page.
func TestBankDrillLinksAreTheirFigures(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	h := NewBanks(db.PG, BanksOptions{Now: func() time.Time { return testNow }})
	e := txServer(db.PG, auth.RolePartnerships)
	p, ok, err := queries.PartnershipByCode(context.Background(), db.PG, "ALPHA")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	for _, r := range []calendar.Range{calendarRange("2026-01-01", "2026-02-28"), calendarRange("2026-01-16", "2026-02-10")} {
		v := h.bankPage(context.Background(), p, rangeChoice{Range: r}, testNow)
		for _, c := range v.Charts {
			points := drillPoints(t, c.Options)
			switch c.ID {
			case "bank-volume":
				checkDrills(t, e, c.ID+" "+r.String(), points, map[string]bool{"Completed volume": true}, 4)
				for _, pt := range points {
					if !strings.Contains(pt.href, "bank=ALPHA") {
						t.Errorf("%s links outside the bank: %s", c.ID, pt.href)
					}
				}
			default:
				if len(points) > 0 {
					t.Errorf("%s links %d points, but its figures are not counts or sums of transactions", c.ID, len(points))
				}
			}
		}
		// The status table: each row's count opens its transactions, whose count and sum are
		// the row's transactions and amount.
		linked := 0
		for _, tb := range v.Tables {
			for i, row := range tb.Rows {
				if i >= len(tb.Links) || tb.Links[i] == "" {
					continue
				}
				linked++
				page := getTxPage(t, e, tb.Links[i])
				if page.status != http.StatusOK || page.count != row[2] || page.sum != row[4] {
					t.Errorf("status table %s row %v: the page shows %q payments, %q (%d %s)", r, row, page.count, page.sum, page.status, tb.Links[i])
				}
			}
		}
		if linked < 3 {
			t.Errorf("%s: %d status rows linked; want every row (at least 3)", r, linked)
		}
	}
}

// The operations dashboard's per-minute chart: each minute's initiated payments (counted from
// the ClickHouse events) link to that minute's rows, of the dashboard's bank and channel.
func TestOpsDrillLinksAreTheirFigures(t *testing.T) {
	db := dbtest.New(t)
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date) VALUES
		('Bank A', 'BANKA', 'active', '2025-01-01'), ('Bank B', 'BANKB', 'active', '2025-01-01')`)
	dbtest.User{Name: "alice", Created: "2026-01-01 08:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2026-01-01 08:00:00"}.Insert(t, db)
	// The same payments in both stores, as ingestion writes them.
	var events []opsEvent
	for _, x := range []struct{ at, bank, channel string }{
		{"2026-03-15 10:05:00", "BANKA", "online"}, {"2026-03-15 10:05:59", "BANKB", "offline_sms"},
		{"2026-03-15 10:06:00", "BANKA", "online"}, {"2026-03-15 10:29:30", "BANKB", "online"},
		{"2026-03-15 10:29:31", "BANKB", "online"}, {"2026-03-15 10:30:01", "BANKA", "offline_sms"},
	} {
		events = append(events, opsEvent{"initiated", x.at, 0, "", x.bank, x.channel})
		dbtest.Tx{From: "alice", To: "bob", Amount: "10.00", Status: "PENDING", At: x.at, Bank: x.bank, Channel: x.channel}.Insert(t, db)
	}
	insertOpsEvents(t, db.CH, events)
	h := newOps(db, opsNow)
	e := txServer(db.PG, auth.RoleOps)
	for _, f := range []queries.OpsFilter{{}, {Bank: "BANKB"}, {Channel: "online"}, {Bank: "BANKA", Channel: "offline_sms"}} {
		l := h.load(context.Background(), f, false)
		for i, c := range opsCharts {
			points := drillPoints(t, l.charts[i].Chart.Options)
			if c.panel.Name != "tpm" {
				if len(points) > 0 {
					t.Errorf("%s links %d points, but its figures are not counts of transactions", c.panel.Name, len(points))
				}
				continue
			}
			var total decimal.Decimal
			for _, p := range points {
				total = total.Add(p.value)
				q, _ := url.ParseQuery(strings.TrimPrefix(p.href, "/transactions?"))
				if q.Get("bank") != f.Bank || q.Get("channel") != f.Channel {
					t.Errorf("%+v: %s does not keep the dashboard's filter", f, p.href)
				}
			}
			checkDrills(t, e, fmt.Sprintf("tpm %+v", f), points, nil, 1)
			want := map[queries.OpsFilter]int64{{}: 6, {Bank: "BANKB"}: 3, {Channel: "online"}: 4, {Bank: "BANKA", Channel: "offline_sms"}: 1}[f]
			if total.IntPart() != want {
				t.Errorf("%+v: the linked minutes hold %s payments; want %d", f, total, want)
			}
		}
	}
}
