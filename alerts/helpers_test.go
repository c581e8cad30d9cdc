package alerts

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"mari/auth"
	"mari/calendar"
	"mari/dbtest"
)

// clock is the tests' clock: it moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const testBase = "https://bi.mari.example"

// fixture is a database with two banks and two users, an evaluator and the rule service on one
// clock, and a rule maker.
type fixture struct {
	t     *testing.T
	db    *dbtest.DB
	clock *clock
	eval  *Evaluator
	svc   *Service
	ops   auth.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := dbtest.New(t)
	dbtest.Bank{Code: "BAO", Start: "2025-01-01"}.Insert(t, db)
	dbtest.Bank{Code: "UTB", Start: "2025-01-01"}.Insert(t, db)
	db.Exec(t, `UPDATE bank_partnerships SET sla_p95_ms = 3000`)
	dbtest.User{Name: "ann", Created: "2025-06-01 09:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2025-06-01 09:00:00"}.Insert(t, db)
	c := &clock{t: dbtest.SAST("2026-03-16 09:00:00")}
	e := NewEvaluator(db.PG, 30*time.Second, testBase, quiet)
	e.Now = c.Now
	id := int64(7)
	return &fixture{t: t, db: db, clock: c, eval: e,
		svc: &Service{DB: db.PG, Now: c.Now, Channels: Channels{Webhook: true, Email: true}, BaseURL: testBase},
		ops: auth.Actor{ID: &id, Email: "ops@mari.example", IP: "192.0.2.7"}}
}

// rule makes a rule from f and returns its id.
func (f *fixture) rule(form Form) int64 {
	f.t.Helper()
	id, err := f.svc.Create(context.Background(), f.ops, form)
	if err != nil {
		f.t.Fatalf("create %+v: %v", form, err)
	}
	return id
}

// at moves the clock to the SAST time s (on 16 March 2026) and runs a round there.
func (f *fixture) at(s string) {
	f.t.Helper()
	f.clock.set(dbtest.SAST("2026-03-16 " + s))
	if led, _ := f.eval.Tick(context.Background()); !led {
		f.t.Fatalf("%s: the evaluator did not lead", s)
	}
}

// state is rule id's state and its last outcome: "pending (holds)".
func (f *fixture) state(id int64) string {
	f.t.Helper()
	rules, err := Rules(context.Background(), f.db.PG, f.clock.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range rules {
		if r.ID == id {
			return fmt.Sprintf("%s (%s)", r.State.State, r.State.LastOutcome)
		}
	}
	f.t.Fatalf("no rule %d", id)
	return ""
}

func (f *fixture) ruleByID(id int64) Rule {
	f.t.Helper()
	rules, err := Rules(context.Background(), f.db.PG, f.clock.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range rules {
		if r.ID == id {
			return r
		}
	}
	f.t.Fatalf("no rule %d", id)
	return Rule{}
}

// expect runs rounds at each time and checks rule id's state after each.
func (f *fixture) expect(id int64, steps ...[2]string) {
	f.t.Helper()
	for _, s := range steps {
		f.at(s[0])
		if got := f.state(id); got != s[1] {
			f.t.Fatalf("at %s: rule %d is %s; want %s (%s)", s[0], id, got, s[1], f.ruleByID(id).State.LastDetail)
		}
	}
}

// history is rule id's changes of state, oldest first: "10:02:00 pending→firing 80.00".
func (f *fixture) history(id int64) []string {
	f.t.Helper()
	rows, err := f.db.PG.Query(context.Background(), `SELECT at, from_state, to_state, coalesce(value::text, '-'), silenced
		FROM alert_history WHERE rule_id = $1 ORDER BY id`, id)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var at time.Time
		var from, to, value string
		var quiet bool
		if err := rows.Scan(&at, &from, &to, &value, &quiet); err != nil {
			f.t.Fatal(err)
		}
		s := fmt.Sprintf("%s %s→%s %s", at.In(calendar.SAST).Format("15:04:05"), from, to, value)
		if quiet {
			s += " (silenced)"
		}
		out = append(out, s)
	}
	return out
}

// deliveries are the queued notifications of rule id, oldest first: "firing webhook".
func (f *fixture) deliveries(id int64) []string {
	f.t.Helper()
	rows, err := f.db.PG.Query(context.Background(), `SELECT kind, channel FROM alert_deliveries WHERE rule_id = $1 ORDER BY id`, id)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var kind, channel string
		if err := rows.Scan(&kind, &channel); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, kind+" "+channel)
	}
	return out
}

// pay writes n payments of bank ("" for none) from ann to bob with status, each final at the
// SAST time final (on 16 March 2026) after ms milliseconds (whole seconds: the helper writes
// times to the second).
func (f *fixture) pay(n int, status, bank, final string, ms int) {
	f.t.Helper()
	if ms%1000 != 0 {
		f.t.Fatalf("pay: %d ms is not whole seconds", ms)
	}
	at := dbtest.SAST("2026-03-16 " + final).Add(-time.Duration(ms) * time.Millisecond)
	for range n {
		dbtest.Tx{From: "ann", To: "bob", Amount: "10.00", Status: status, Bank: bank, ProcessingMS: ms,
			At: at.In(calendar.SAST).Format("2006-01-02 15:04:05")}.Insert(f.t, f.db)
	}
}

// received writes an event id into the ingestion ledger, received at the SAST time s.
func (f *fixture) received(s string) {
	f.t.Helper()
	f.db.Exec(f.t, `INSERT INTO ingest_ledger (event_id, topic, received_at) VALUES (gen_random_uuid(), 'transaction-events', $1)`,
		dbtest.SAST("2026-03-16 "+s))
}

// deadLetter writes a dead letter first received at the SAST time s.
func (f *fixture) deadLetter(s string) {
	f.t.Helper()
	at := dbtest.SAST("2026-03-16 " + s)
	f.db.Exec(f.t, `INSERT INTO ingest_dead_letters (fingerprint, topic, source, reason, payload, received_at, last_seen)
		VALUES (decode(md5(random()::text), 'hex'), 'transaction-events', 'test', 'amount: not a number', '{}', $1, $1)`, at)
}

func joined(s []string) string { return strings.Join(s, "; ") }
