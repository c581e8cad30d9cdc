package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"mari/apikeys"
	"mari/auth"
	"mari/dbtest"
	"mari/rollup"
)

// apiKey makes a key as `mari api-key create` does.
func apiKey(t *testing.T, db *dbtest.DB, nk apikeys.NewKey) string {
	t.Helper()
	secret, _, err := apikeys.Store{PG: db.PG, Now: func() time.Time { return testNow }}.Create(context.Background(), nk, auth.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

type apiReply struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func apiCall(t *testing.T, h http.Handler, key, target string) apiReply {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := apiReply{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if err := json.Unmarshal(r.body, &r.json); err != nil {
		t.Fatalf("GET %s: %d, not a JSON object: %q", target, rec.Code, rec.Body.String())
	}
	if r.status >= 400 && r.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("GET %s: %d with Content-Type %q, want an RFC 9457 problem", target, r.status, r.header.Get("Content-Type"))
	}
	if r.status >= 500 && r.status != http.StatusServiceUnavailable {
		t.Errorf("GET %s: %d %s", target, r.status, r.body)
	}
	return r
}

// apiFixture: two banks, three users, payments in January to March 2026 (the tests' clock is
// 15 March), rollups run, and a key with every scope.
func apiFixture(t *testing.T) (*dbtest.DB, http.Handler, string) {
	t.Helper()
	db, h, _ := testServer(t, Config{APIRatePerMinute: 10000})
	dbtest.Bank{Code: "BANKA", Start: "2025-01-01", Fee: "3100", Share: "0.25"}.Insert(t, db)
	dbtest.Bank{Code: "BANKB", Start: "2026-02-17", Fee: "1000"}.Insert(t, db)
	for _, u := range []dbtest.User{{Name: "alice", Created: "2026-01-05 09:00:00"}, {Name: "bob", Created: "2026-01-20 09:00:00"},
		{Name: "carol", Created: "2026-02-10 09:00:00"}} {
		u.Insert(t, db)
	}
	for _, x := range []dbtest.Tx{
		{From: "alice", To: "bob", Amount: "100.00", Status: "COMPLETED", At: "2026-01-10 10:00:00", Bank: "BANKA", ProcessingMS: 900},
		{From: "alice", To: "bob", Amount: "20.50", Status: "FAILED", At: "2026-01-10 11:00:00", Bank: "BANKA", ProcessingMS: 3000},
		{From: "bob", To: "alice", Amount: "33.33", Status: "COMPLETED", At: "2026-02-01 00:00:00", Bank: "BANKA", ProcessingMS: 800},
		{From: "carol", To: "alice", Amount: "250.00", Status: "COMPLETED", At: "2026-02-20 23:59:59", Bank: "BANKB", ProcessingMS: 1200, Channel: "offline_sms"},
		{From: "alice", To: "carol", Amount: "12.34", Status: "COMPLETED", At: "2026-03-02 08:00:00", Bank: "BANKB", ProcessingMS: 700},
		{From: "alice", To: "carol", Amount: "5.00", Status: "PENDING", At: "2026-03-14 09:00:00", Bank: "BANKA"},
	} {
		x.Insert(t, db)
	}
	r := rollup.New(db.PG, nil, func() time.Time { return testNow })
	if err := r.Backfill(context.Background(), dbtest.Date("2026-01-01"), dbtest.Date("2026-03-15"), io.Discard); err != nil {
		t.Fatal(err)
	}
	return db, h, apiKey(t, db, apikeys.NewKey{Name: "notebook", Scopes: apikeys.Scopes})
}

// The OpenAPI document is generated from the operations the API serves: every operation is in
// it with its scope, and every answer of every operation (asked with its examples) matches the
// schema the document gives it.
func TestAPIDocumentDescribesWhatTheHandlersAnswer(t *testing.T) {
	db, h, key := apiFixture(t)
	doc := apiCall(t, h, "", "/api/v1/openapi.json")
	if doc.status != http.StatusOK || doc.json["openapi"] != "3.1.0" {
		t.Fatalf("openapi.json: %d %v", doc.status, doc.json["openapi"])
	}
	paths, _ := doc.json["paths"].(map[string]any)
	ops := apiOperations(nil)
	if len(paths) != len(ops) {
		t.Errorf("the document has %d paths, the API %d operations", len(paths), len(ops))
	}
	c := jsonschema.NewCompiler()
	var raw any
	if err := json.Unmarshal(doc.body, &raw); err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("mem://openapi.json", raw); err != nil {
		t.Fatal(err)
	}
	alice := dbtest.UserID("alice").String()
	examples := map[string]string{ // each operation asked as a client would
		"list-metrics":           "/api/v1/metrics",
		"get-metric":             "/api/v1/metrics/revenue?from=2026-01-01&to=2026-03-14&grain=month",
		"get-user":               "/api/v1/users/" + alice,
		"list-user-transactions": "/api/v1/users/" + alice + "/transactions?limit=2",
		"get-cohorts":            "/api/v1/cohorts?from=2026-01-01&to=2026-03-14",
		"list-banks":             "/api/v1/banks?from=2026-01-01&to=2026-03-14",
		"get-bank":               "/api/v1/banks/BANKA?from=2026-01-01&to=2026-03-14",
		"list-transactions":      "/api/v1/transactions?from=2026-01-01&to=2026-03-14&limit=2",
	}
	for _, op := range ops {
		path := strings.ReplaceAll(op.op.Path, "/", "~1")
		item, _ := paths[op.op.Path].(map[string]any)
		get, _ := item["get"].(map[string]any)
		if get == nil {
			t.Errorf("%s: GET %s is not in the document", op.op.OperationID, op.op.Path)
			continue
		}
		sec, _ := json.Marshal(get["security"])
		if want := `[{"apiKey":["` + string(op.scope) + `"]}]`; string(sec) != want {
			t.Errorf("%s: security %s, want %s", op.op.OperationID, sec, want)
		}
		target, ok := examples[op.op.OperationID]
		if !ok {
			t.Errorf("%s: no example request in this test", op.op.OperationID)
			continue
		}
		schema, err := c.Compile("mem://openapi.json#/paths/" + path + "/get/responses/200/content/application~1json/schema")
		if err != nil {
			t.Fatalf("%s: %v", op.op.OperationID, err)
		}
		r := apiCall(t, h, key, target)
		if r.status != http.StatusOK {
			t.Errorf("%s: %d %s", target, r.status, r.body)
			continue
		}
		var body any
		_ = json.Unmarshal(r.body, &body)
		if err := schema.Validate(body); err != nil {
			t.Errorf("%s: the answer does not match the document: %v", target, err)
		}
		for _, field := range []string{"as_of", "time_zone", "currency"} {
			if _, ok := r.json[field]; !ok {
				t.Errorf("%s: no %s", target, field)
			}
		}
		if r.json["time_zone"] != "Africa/Johannesburg" || r.json["currency"] != "ZAR" {
			t.Errorf("%s: time zone %v, currency %v", target, r.json["time_zone"], r.json["currency"])
		}
	}
	_ = db
}

// Who may ask for what: no key, an unknown one, a revoked one, an expired one, a key without
// the scope, another bank's key. Every refusal is a problem document and reads nothing.
func TestAPIKeyScopeMatrix(t *testing.T) {
	db, h, all := apiFixture(t)
	store := apikeys.Store{PG: db.PG, Now: func() time.Time { return testNow }}
	metricsOnly := apiKey(t, db, apikeys.NewKey{Name: "metrics", Scopes: []apikeys.Scope{apikeys.MetricsRead}})
	bankA := apiKey(t, db, apikeys.NewKey{Name: "bank-a", Scopes: []apikeys.Scope{apikeys.MetricsRead, apikeys.BanksRead, apikeys.TransactionsRead}, Bank: "BANKA"})
	soon := testNow.Add(time.Hour)
	expiring := apiKey(t, db, apikeys.NewKey{Name: "expiring", Scopes: apikeys.Scopes, ExpiresAt: &soon})
	revoked := apiKey(t, db, apikeys.NewKey{Name: "revoked", Scopes: apikeys.Scopes})
	keys, err := store.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		switch k.Name {
		case "revoked":
			if err := store.Revoke(context.Background(), k.ID, auth.Actor{}); err != nil {
				t.Fatal(err)
			}
		case "expiring":
			if err := store.Expire(context.Background(), k.ID, testNow, auth.Actor{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	alice := dbtest.UserID("alice").String()
	cases := []struct {
		key, target string
		want        int
	}{
		{"", "/api/v1/metrics", 401},
		{"mari_api_not-a-key", "/api/v1/metrics", 401},
		{revoked, "/api/v1/metrics", 401},
		{expiring, "/api/v1/metrics", 401},
		{all, "/api/v1/metrics", 200},
		{metricsOnly, "/api/v1/metrics/revenue", 200},
		{metricsOnly, "/api/v1/users/" + alice, 403},
		{metricsOnly, "/api/v1/banks", 403},
		{metricsOnly, "/api/v1/transactions", 403},
		{bankA, "/api/v1/metrics/revenue?bank=BANKA", 200},
		{bankA, "/api/v1/metrics/revenue", 200}, // its own bank's revenue
		{bankA, "/api/v1/metrics/revenue?bank=BANKB", 403},
		{bankA, "/api/v1/metrics/mau", 403}, // not broken down by bank
		{bankA, "/api/v1/banks/BANKA", 200},
		{bankA, "/api/v1/banks/BANKB", 403},
		{bankA, "/api/v1/cohorts", 403},
		{bankA, "/api/v1/transactions?bank=BANKB", 403},
		{all, "/api/v1/metrics/no-such-metric", 404},
		{all, "/api/v1/metrics/revenue?grain=hour", 422},
		{all, "/api/v1/metrics/revenue?from=2026-03-01&to=2026-01-01", 400},
		{all, "/api/v1/metrics/revenue?from=1900-01-01&to=2026-01-01", 400},
		{all, "/api/v1/metrics/revenue?from=2026-01-01&to=2099-01-01", 400},
		{all, "/api/v1/metrics/revenue?frm=2026-01-01", 422},
		{all, "/api/v1/metrics/revenue?bank=NOPE", 404},
		{all, "/api/v1/users/not-a-uuid", 422},
		{all, "/api/v1/users/" + dbtest.UserID("nobody").String(), 404},
		{all, "/api/v1/users/" + alice + "/transactions?limit=0", 422},
		{all, "/api/v1/users/" + alice + "/transactions?limit=1000000", 422},
		{all, "/api/v1/users/" + alice + "/transactions?cursor=forged", 400},
		{all, "/api/v1/banks/NOPE", 404},
		{all, "/api/v1/nothing-here", 404},
		{all, "/api/v2/metrics", 404},
	}
	for _, c := range cases {
		r := apiCall(t, h, c.key, c.target)
		if r.status != c.want {
			t.Errorf("GET %s with key %.14s…: %d %s, want %d", c.target, c.key, r.status, r.body, c.want)
		}
	}
	// The bank's key sees its bank's revenue whether it names the bank or not.
	own, named := apiCall(t, h, bankA, "/api/v1/metrics/revenue?from=2026-01-01&to=2026-03-14"), apiCall(t, h, all, "/api/v1/metrics/revenue?from=2026-01-01&to=2026-03-14&bank=BANKA")
	if own.json["total"] != named.json["total"] || own.json["total"] == nil {
		t.Errorf("bank key's revenue %v, BANKA's %v", own.json["total"], named.json["total"])
	}
	banks := apiCall(t, h, bankA, "/api/v1/banks")
	if list, _ := banks.json["banks"].([]any); len(list) != 1 {
		t.Errorf("a bank's key lists %d banks, want its own only", len(list))
	}
	// Only GET is served, and a session is not a credential.
	req := httptest.NewRequest(http.MethodPost, "/api/v1/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+all)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/v1/metrics: %d", rec.Code)
	}
}

// Sessions never work on the API and keys never work on the pages.
func TestAPIKeysAndSessionsDoNotMix(t *testing.T) {
	db, h, svc := testServer(t, Config{})
	key := apiKey(t, db, apikeys.NewKey{Name: "k", Scopes: apikeys.Scopes})
	newAccount(t, svc, "exec@mari.example", auth.RoleExecutive)
	c := newClient(t, h, "10.0.0.1")
	c.mustSignIn("exec@mari.example")
	if r := c.get("/api/v1/metrics"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the API with a session and no key: %d", r.StatusCode)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther && rec.Code != http.StatusFound {
		t.Errorf("a page with an API key and no session: %d, want the redirect to sign in", rec.Code)
	}
	if r := c.get("/api"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "/api/v1/metrics/{id}") {
		t.Errorf("the API reference: %d", r.StatusCode)
	}
}

// The per-key limit holds under parallel requests: of 30 at once with a limit of 7 a minute,
// exactly 7 are answered and 23 get 429 with Retry-After; the key's counters agree.
func TestAPIRateLimitHoldsUnderConcurrency(t *testing.T) {
	db, h, _ := testServer(t, Config{})
	key := apiKey(t, db, apikeys.NewKey{Name: "limited", Scopes: apikeys.Scopes, RatePerMinute: 7})
	var wg sync.WaitGroup
	statuses := make([]int, 30)
	retry := make([]string, 30)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest(http.MethodGet, "/api/v1/metrics", nil)
			req.Header.Set("Authorization", "Bearer "+key)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			statuses[i], retry[i] = rec.Code, rec.Header().Get("Retry-After")
		}()
	}
	wg.Wait()
	counts := map[int]int{}
	for i, s := range statuses {
		counts[s]++
		if s == http.StatusTooManyRequests && retry[i] == "" {
			t.Errorf("a 429 without Retry-After")
		}
	}
	if counts[200] != 7 || counts[429] != 23 {
		t.Fatalf("answers %v, want 7 × 200 and 23 × 429", counts)
	}
	var uses, refused int64
	if err := db.PG.QueryRow(context.Background(), `SELECT uses, refused FROM api_keys WHERE name = 'limited'`).Scan(&uses, &refused); err != nil {
		t.Fatal(err)
	}
	if uses != 7 || refused != 23 {
		t.Errorf("the key counted %d uses and %d refusals, want 7 and 23", uses, refused)
	}
}

// The API's metric figures are the dashboards' for the same range: the executive daily chart's
// CSV (day by day) and the monthly revenue chart's CSV against the API's series.
func TestAPIMetricsEqualThePages(t *testing.T) {
	db, h, key := apiFixture(t)
	svc := &auth.Service{DB: db.PG, Params: auth.TestHashParams, Now: func() time.Time { return testNow }}
	newAccount(t, svc, "exec@mari.example", auth.RoleExecutive)
	c := newClient(t, h, "10.0.0.2")
	c.mustSignIn("exec@mari.example")
	rng := "from=2026-01-01&to=2026-03-14"
	readCSV := func(target string) []map[string]string {
		t.Helper()
		r := c.get(target)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", target, r.StatusCode)
		}
		rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]string
		for _, row := range rows[1:] {
			m := map[string]string{}
			for i, name := range rows[0] {
				m[name] = row[i]
			}
			out = append(out, m)
		}
		return out
	}
	series := func(target string) map[string]any {
		t.Helper()
		r := apiCall(t, h, key, target)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", target, r.status, r.body)
		}
		got := map[string]any{"total": r.json["total"]}
		for _, p := range r.json["points"].([]any) {
			pt := p.(map[string]any)
			got[pt["from"].(string)] = pt["value"]
		}
		return got
	}
	daily := readCSV("/executive/daily.csv?" + rng)
	volume := series("/api/v1/metrics/completed-volume?grain=day&" + rng)
	txs := series("/api/v1/metrics/transactions?grain=day&" + rng)
	checked := 0
	for _, row := range daily {
		if row["completed_volume"] != "" && fmt.Sprint(volume[row["date"]]) != row["completed_volume"] {
			t.Errorf("%s completed volume: API %v, page %s", row["date"], volume[row["date"]], row["completed_volume"])
		}
		if row["transactions"] != "" && fmt.Sprint(txs[row["date"]]) != row["transactions"] {
			t.Errorf("%s transactions: API %v, page %s", row["date"], txs[row["date"]], row["transactions"])
		}
		if row["transactions"] != "" && row["transactions"] != "0" {
			checked++
		}
	}
	if checked != 5 {
		t.Errorf("compared %d days with transactions, want the fixture's 5", checked)
	}
	if volume["total"] != "395.67" {
		t.Errorf("completed volume over the range: %v, want 100.00 + 33.33 + 250.00 + 12.34", volume["total"])
	}
	// The rows behind the completed volume add up to it.
	rows := apiCall(t, h, key, "/api/v1/transactions?status=COMPLETED&limit=1000&"+rng)
	if rows.json["sum"] != volume["total"] || rows.json["count"] != 4.0 {
		t.Errorf("completed transactions: count %v, sum %v; the completed volume is %v over 4", rows.json["count"], rows.json["sum"], volume["total"])
	}
	revenue := series("/api/v1/metrics/revenue?grain=month&" + rng)
	for _, row := range readCSV("/executive/revenue.csv?" + rng) {
		if fmt.Sprint(revenue[row["from"]]) != row["revenue"] {
			t.Errorf("%s revenue: API %v, page %s", row["month"], revenue[row["from"]], row["revenue"])
		}
	}

	// The cohorts are the growth page's heatmap, cell by cell.
	cohorts := apiCall(t, h, key, "/api/v1/cohorts?"+rng)
	cells, _ := cohorts.json["cells"].([]any)
	heatmap := readCSV("/growth/retention-heatmap.csv?" + rng)
	if len(cells) != len(heatmap) || len(cells) == 0 {
		t.Fatalf("cohorts: the API has %d cells, the page %d", len(cells), len(heatmap))
	}
	text := func(v any) string {
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	}
	filled := 0
	for i, c := range cells {
		c := c.(map[string]any)
		row := heatmap[i]
		if text(c["cohort_month"]) != row["cohort_month"] || text(c["activity_month"]) != row["activity_month"] ||
			text(c["cohort_size"]) != row["cohort_size"] || text(c["active_users"]) != row["active_users"] || text(c["retention"]) != row["retention"] {
			t.Errorf("cohort cell %d: API %v, page %v", i, c, row)
		}
		if row["active_users"] != "" && row["active_users"] != "0" {
			filled++
		}
	}
	if filled < 3 {
		t.Errorf("only %d cohort cells with active users: the comparison proves little", filled)
	}

	// The banks are the bank overview, bank by bank; and the bank's scorecard months add up to
	// its row.
	banks := apiCall(t, h, key, "/api/v1/banks?"+rng)
	list, _ := banks.json["banks"].([]any)
	overview := readCSV("/banks.csv?" + rng)
	if len(list) != 2 || len(overview) != 2 {
		t.Fatalf("banks: API %d, page %d; want the fixture's 2", len(list), len(overview))
	}
	for _, b := range list {
		b := b.(map[string]any)
		var row map[string]string
		for _, r := range overview {
			if r["bank_code"] == b["code"] {
				row = r
			}
		}
		for api, page := range map[string]string{"users": "users", "transactions": "transactions", "completed": "completed",
			"failed": "failed", "pending": "pending", "completed_volume": "completed_volume", "success_rate": "success_rate",
			"transaction_fees_billed": "transaction_fees_billed", "bank_share": "bank_share", "mari_share": "mari_share",
			"licensing_fees": "licensing_fees", "revenue": "revenue"} {
			if text(b[api]) != row[page] {
				t.Errorf("bank %v %s: API %v, page %q", b["code"], api, b[api], row[page])
			}
		}
	}
	if list[0].(map[string]any)["completed_volume"] != "133.33" {
		t.Errorf("BANKA's completed volume: %v, want 100.00 + 33.33", list[0].(map[string]any)["completed_volume"])
	}
}

// A user's history pages newest first; rows inserted while a client pages (newer than its
// position) neither appear in later pages nor push a row into a second page.
func TestAPIUserHistoryPagesStayStable(t *testing.T) {
	db, h, key := apiFixture(t)
	alice := dbtest.UserID("alice").String()
	profile := apiCall(t, h, key, "/api/v1/users/"+alice)
	user, _ := profile.json["user"].(map[string]any)
	// As sender: 4 transactions (any status); completed: 100.00 + 12.34, average 56.17.
	if user["total_transactions"] != 4.0 || user["completed_transactions"] != 2.0 || user["total_volume"] != "112.34" || user["avg_transaction_amount"] != "56.17" {
		t.Errorf("profile: %v", user)
	}
	if _, leaked := user["phone_number_hash"]; leaked || bytes.Contains(profile.body, []byte("device")) {
		t.Errorf("the profile shows a phone hash or device key: %s", profile.body)
	}
	var seen []string
	cursor := ""
	for page := 0; page < 10; page++ {
		target := "/api/v1/users/" + alice + "/transactions?limit=2"
		if cursor != "" {
			target += "&cursor=" + cursor
		}
		r := apiCall(t, h, key, target)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", target, r.status, r.body)
		}
		for _, x := range r.json["transactions"].([]any) {
			seen = append(seen, x.(map[string]any)["created_at"].(string))
		}
		if page == 0 { // a new payment arrives between the pages
			dbtest.Tx{From: "alice", To: "bob", Amount: "1.00", Status: "PENDING", At: "2026-03-15 09:59:00", Bank: "BANKA"}.Insert(t, db)
		}
		next, _ := r.json["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	want := []string{"2026-03-14T07:00:00Z", "2026-03-02T06:00:00Z", "2026-02-20T21:59:59Z", "2026-01-31T22:00:00Z", "2026-01-10T09:00:00Z", "2026-01-10T08:00:00Z"}
	if strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("pages:\n%v\nwant\n%v", seen, want)
	}
}
