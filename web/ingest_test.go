package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mari/auth"
	"mari/dbtest"
	"mari/ingest"
)

// ingestToken makes a token the way `mari ingest-token create` does.
func ingestToken(t *testing.T, db *dbtest.DB, name string) string {
	t.Helper()
	tok, err := ingest.Tokens{PG: db.PG, Now: func() time.Time { return testNow }}.Create(context.Background(), name, auth.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type ingestReply struct {
	status int
	header http.Header
	answer map[string]any
	body   string
}

func postEvents(t *testing.T, h http.Handler, topic, token, body string) ingestReply {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/ingest/v1/"+topic, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := ingestReply{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
	if err := json.Unmarshal(rec.Body.Bytes(), &r.answer); err != nil {
		t.Fatalf("POST %s: %d, not JSON: %q", topic, rec.Code, rec.Body.String())
	}
	return r
}

// ingestFixture: bank BANKA, users alice and bob, and the lines of one payment's life (in
// March 2026, before the tests' clock) with the amount sent once as a string, once as a JSON
// number, plus a poison line and a repeat.
func ingestFixture(t *testing.T) (*dbtest.DB, http.Handler, string) {
	t.Helper()
	db, h, _ := testServer(t, Config{})
	dbtest.Bank{Code: "BANKA", Start: "2025-01-01"}.Insert(t, db)
	dbtest.User{Name: "alice", Created: "2026-01-05 09:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2026-01-06 09:00:00"}.Insert(t, db)
	return db, h, ingestToken(t, db, "mobile-backend")
}

func paymentLines(alice, bob string) string {
	return strings.Join([]string{
		`{"event_id":"0b9a3c1e-0000-4000-8000-000000000001","transaction_id":"7d0e1f2a-0000-4000-8000-00000000000a","user_id":"` + alice + `","event_type":"initiated","timestamp":"2026-03-15T09:00:00+02:00","amount":"250.75","currency":"ZAR","bank_id":"BANKA","channel":"online","recipient_id":"` + bob + `","physics_seal_hash":"seal-a","app_version":"3.2.0","device_type":"ios"}`,
		``,
		`{"event_id":"0b9a3c1e-0000-4000-8000-000000000002","transaction_id":"7d0e1f2a-0000-4000-8000-00000000000a","user_id":"` + alice + `","event_type":"completed","timestamp":"2026-03-15T09:00:01.5+02:00","amount":250.75,"processing_time_ms":1500,"future_field":"ignored"}`,
		`{"event_id":"0b9a3c1e-0000-4000-8000-000000000003","transaction_id":"7d0e1f2a-0000-4000-8000-00000000000b","user_id":"` + alice + `","event_type":"initiated","timestamp":"2026-03-15T09:05:00+02:00","amount":"10.005","bank_id":"BANKA","channel":"online","recipient_id":"` + bob + `","physics_seal_hash":"seal-b"}`,
		`{"event_id":"0b9a3c1e-0000-4000-8000-000000000001","transaction_id":"7d0e1f2a-0000-4000-8000-00000000000a","user_id":"` + alice + `","event_type":"initiated","timestamp":"2026-03-15T09:00:00+02:00","amount":"250.75","currency":"ZAR","bank_id":"BANKA","channel":"online","recipient_id":"` + bob + `","physics_seal_hash":"seal-a","app_version":"3.2.0","device_type":"ios"}`,
	}, "\n") + "\n"
}

func TestIngestOverHTTP(t *testing.T) {
	db, h, token := ingestFixture(t)
	body := paymentLines(dbtest.UserID("alice").String(), dbtest.UserID("bob").String())

	// The same batch three times, as a client retrying after timeouts would.
	for try, want := range []string{
		`accepted=2 duplicates=1 held=0 rejected=[line 4: amount: more than two decimal places (cents)]`,
		`accepted=0 duplicates=3 held=0 rejected=[line 4: amount: more than two decimal places (cents)]`,
		`accepted=0 duplicates=3 held=0 rejected=[line 4: amount: more than two decimal places (cents)]`,
	} {
		r := postEvents(t, h, "transaction-events", token, body)
		if r.status != http.StatusOK {
			t.Fatalf("try %d: %d %s", try+1, r.status, r.body)
		}
		if got := summarize(r.answer); got != want {
			t.Errorf("try %d:\n got %s\nwant %s", try+1, got, want)
		}
	}
	var status, amount string
	var ms int
	if err := db.PG.QueryRow(context.Background(), `SELECT status, amount::text, processing_time_ms FROM transactions`).Scan(&status, &amount, &ms); err != nil {
		t.Fatal(err)
	}
	if status != "COMPLETED" || amount != "250.75" || ms != 1500 {
		t.Errorf("transaction %s %s %d", status, amount, ms)
	}
	if n := count(t, db, `SELECT count(*) FROM transactions`); n != 1 {
		t.Errorf("%d transactions", n)
	}
	if n := count(t, db, `SELECT events_accepted FROM ingest_tokens`); n != 2 {
		t.Errorf("token counted %d events", n)
	}
	if n := count(t, db, `SELECT times_seen FROM ingest_dead_letters`); n != 3 {
		t.Errorf("dead letter seen %d times", n)
	}
	// A JSON array is a batch too; its "lines" are positions.
	r := postEvents(t, h, "user-activity", token, `[{"event_id":"0b9a3c1e-0000-4000-8000-000000000009","user_id":"`+
		dbtest.UserID("bob").String()+`","activity_type":"login","timestamp":"2026-03-15T09:10:00+02:00"}, {"event_id": 5}]`)
	if got := summarize(r.answer); got != `accepted=1 duplicates=0 held=0 rejected=[line 2: event_id: must be a string; user_id: required; activity_type: required; timestamp: required]` {
		t.Errorf("array: %s", got)
	}
}

func summarize(a map[string]any) string {
	var rej []string
	list, _ := a["rejected"].([]any)
	for _, x := range list {
		m := x.(map[string]any)
		rej = append(rej, fmt.Sprintf("line %v: %v", m["line"], m["error"]))
	}
	return fmt.Sprintf("accepted=%v duplicates=%v held=%v rejected=[%s]", a["accepted"], a["duplicates"], a["held"], strings.Join(rej, "; "))
}

func TestIngestRefusesWithoutAValidTokenAndWritesNothing(t *testing.T) {
	db, h, token := ingestFixture(t)
	body := paymentLines(dbtest.UserID("alice").String(), dbtest.UserID("bob").String())
	revoked := ingestToken(t, db, "old-backend")
	var id int64
	if err := db.PG.QueryRow(context.Background(), `SELECT id FROM ingest_tokens WHERE name = 'old-backend'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := (ingest.Tokens{PG: db.PG, Now: func() time.Time { return testNow }}).Revoke(context.Background(), id, auth.Actor{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, topic, token, body string
		status                   int
	}{
		{"no token", "transaction-events", "", body, http.StatusUnauthorized},
		{"made-up token", "transaction-events", ingest.TokenPrefix + strings.Repeat("A", 43), body, http.StatusUnauthorized},
		{"revoked token", "transaction-events", revoked, body, http.StatusUnauthorized},
		{"garbage token", "transaction-events", "x\x01y", body, http.StatusUnauthorized},
		{"unknown topic", "payments", token, body, http.StatusNotFound},
		{"nested path", "transaction-events/x", token, body, http.StatusNotFound},
		{"empty body", "transaction-events", token, "\n\n", http.StatusBadRequest},
		{"broken array", "transaction-events", token, "[{}", http.StatusBadRequest},
		{"over the limit", "transaction-events", token, strings.Repeat(" ", 8<<20+1), http.StatusRequestEntityTooLarge},
	} {
		r := postEvents(t, h, c.topic, c.token, c.body)
		if r.status != c.status || r.answer["error"] == "" {
			t.Errorf("%s: %d %s, want %d with a reason", c.name, r.status, r.body, c.status)
		}
		if c.status == http.StatusUnauthorized && r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: no WWW-Authenticate", c.name)
		}
	}
	for _, table := range []string{"ingest_ledger", "transactions", "ingest_dead_letters", "ch_outbox_transaction_events"} {
		if n := count(t, db, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s has %d rows", table, n)
		}
	}
	// A signed-in session is no credential here, and a token opens no page.
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther && rec.Code != http.StatusFound {
		t.Errorf("a token on a page: %d, want the sign-in redirect", rec.Code)
	}
}

// Eight clients post the same batch at once: one of them stores it, the others are told
// they sent duplicates, and PostgreSQL holds it once.
func TestIngestConcurrentSameBatch(t *testing.T) {
	db, h, token := ingestFixture(t)
	body := paymentLines(dbtest.UserID("alice").String(), dbtest.UserID("bob").String())
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted, duplicates := 0.0, 0.0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := postEvents(t, h, "transaction-events", token, body)
			if r.status != http.StatusOK {
				t.Errorf("%d %s", r.status, r.body)
				return
			}
			mu.Lock()
			accepted += r.answer["accepted"].(float64)
			duplicates += r.answer["duplicates"].(float64)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if accepted != 2 || duplicates != 8*3-2 {
		t.Errorf("accepted %v, duplicates %v; want 2 and 22", accepted, duplicates)
	}
	if n := count(t, db, `SELECT count(*) FROM ch_outbox_transaction_events`); n != 2 {
		t.Errorf("%d rows queued for ClickHouse", n)
	}
}

// An admin makes a token on the ingestion page, a producer uses it, the admin revokes it, and
// its next request is refused; the audit log has both changes and never the token.
func TestAdminManagesIngestTokens(t *testing.T) {
	db, h, svc := testServer(t, Config{})
	dbtest.User{Name: "alice", Created: "2026-01-05 09:00:00"}.Insert(t, db)
	newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)
	c := newClient(t, h, "10.0.0.1")
	c.mustSignIn("admin@mari.example")

	r := c.post("/admin/ingest/tokens", url.Values{"name": {"mobile-backend"}})
	m := regexp.MustCompile(`id="new-ingest-token">([^<]+)<`).FindStringSubmatch(r.Body)
	if r.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("create: %d, token shown: %v", r.StatusCode, m != nil)
	}
	token := m[1]
	if again := c.post("/admin/ingest/tokens", url.Values{"name": {"mobile-backend"}}); again.StatusCode != http.StatusConflict {
		t.Errorf("same name again: %d", again.StatusCode)
	}
	login := `{"event_id":"0b9a3c1e-0000-4000-8000-0000000000aa","user_id":"` + dbtest.UserID("alice").String() +
		`","activity_type":"login","timestamp":"2026-03-15T09:10:00+02:00"}`
	if r := postEvents(t, h, "user-activity", token, login); r.status != http.StatusOK || r.answer["accepted"] != 1.0 {
		t.Fatalf("post with the new token: %d %s", r.status, r.body)
	}
	page := c.get("/admin/ingest")
	for _, want := range []string{"mobile-backend", "Events received today", ">1<"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, token) {
		t.Error("the list shows the token itself")
	}
	var id int64
	if err := db.PG.QueryRow(context.Background(), `SELECT id FROM ingest_tokens`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if r := c.post(fmt.Sprintf("/admin/ingest/tokens/%d/revoke", id), url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	if r := postEvents(t, h, "user-activity", token, login); r.status != http.StatusUnauthorized {
		t.Errorf("post with the revoked token: %d", r.status)
	}
	var actions string
	if err := db.PG.QueryRow(context.Background(), `SELECT string_agg(action || ' ' || actor_email || ' ' || detail, '; ' ORDER BY id)
		FROM audit_log WHERE action LIKE 'ingest_token%'`).Scan(&actions); err != nil {
		t.Fatal(err)
	}
	if actions != "ingest_token_created admin@mari.example name=mobile-backend; ingest_token_revoked admin@mari.example name=mobile-backend" {
		t.Errorf("audit: %s", actions)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE detail LIKE '%'||$1||'%'`, token[len(ingest.TokenPrefix):]); n != 0 {
		t.Error("the audit log holds the token")
	}
}

// zeros is an endless body of spaces, so a test can send 100 MB without holding it.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// A 100 MB body is refused with 413 whether it says its length or not, and nothing is read
// into the database.
func TestIngestRefusesAHundredMegabytes(t *testing.T) {
	db, h, token := ingestFixture(t)
	for _, declared := range []bool{true, false} {
		req := httptest.NewRequest(http.MethodPost, "/ingest/v1/transaction-events", io.LimitReader(zeros{}, 100<<20))
		req.ContentLength = -1
		if declared {
			req.ContentLength = 100 << 20
		}
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "smaller batches") {
			t.Errorf("declared=%v: %d %s", declared, rec.Code, rec.Body.String())
		}
	}
	if n := count(t, db, `SELECT count(*) FROM ingest_ledger`); n != 0 {
		t.Errorf("%d events recorded", n)
	}
}

// PostgreSQL unreachable: a batch gets 503 with Retry-After and leaves nothing behind; sent
// again once PostgreSQL is back, it is stored, once.
func TestIngestWhilePostgresIsDown(t *testing.T) {
	db, e, pgProxy, _, _ := readyzServer(t)
	dbtest.Bank{Code: "BANKA", Start: "2025-01-01"}.Insert(t, db)
	dbtest.User{Name: "alice", Created: "2026-01-05 09:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2026-01-06 09:00:00"}.Insert(t, db)
	token := ingestToken(t, db, "backend")
	body := paymentLines(dbtest.UserID("alice").String(), dbtest.UserID("bob").String())
	pgProxy.Set(dbtest.LinkDown)
	r := postEvents(t, e, "transaction-events", token, body)
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "send it again") {
		t.Fatalf("PostgreSQL down: %d %s", r.status, r.body)
	}
	pgProxy.Set(dbtest.LinkUp)
	for try := range 3 {
		r = postEvents(t, e, "transaction-events", token, body)
		if r.status == http.StatusOK {
			break
		}
		if try == 2 {
			t.Fatalf("PostgreSQL back: %d %s", r.status, r.body)
		}
		time.Sleep(500 * time.Millisecond) // the pool notices the link is back
	}
	if got := summarize(r.answer); !strings.HasPrefix(got, "accepted=2 duplicates=1") {
		t.Errorf("after the outage: %s", got)
	}
	if n := count(t, db, `SELECT count(*) FROM ingest_ledger`); n != 2 {
		t.Errorf("%d events recorded; want 2", n)
	}
}
