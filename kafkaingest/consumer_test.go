package kafkaingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"mari/dbtest"
	"mari/events"
	it "mari/ingest/ingesttest"
)

// Sign-ups, payments and activity over 4 partitions a topic, where payments and activity
// arrive before their users have signed up: every event lands once, the early ones after
// waiting in the held list.
func TestConsumerAppliesEveryEventOnce(t *testing.T) {
	db := world(t, 0)
	c := newCluster(t)
	g := group(t)
	con := start(testConsumer(t, c, testStore(db.PG), g, 5000))
	defer con.stop(t)

	// 150 payments among 12 users who have not signed up yet, and 200 logins.
	pays := payments("p", 150, 12, dbtest.SAST("2026-11-30 10:00:00"))
	acts := activities("a", 200, 12, dbtest.SAST("2026-11-30 13:00:00"))
	c.produceEvents(t, append(pays, acts...))
	waitFor(t, 15*time.Second, "events to be held for their users", func() bool { return con.Stats().Held > 0 })
	var signups []events.Event
	for i := range 12 {
		signups = append(signups, it.SignUp(fmt.Sprintf("signup-%d", i), fmt.Sprintf("u%d", i), dbtest.SAST("2026-11-30 09:00:00")))
	}
	c.produceEvents(t, signups)
	c.waitCommitted(t, g, 20*time.Second)
	waitFor(t, 15*time.Second, "held events to be released", func() bool {
		return db.Int(t, `SELECT count(*) FROM ingest_held`) == 0
	})

	// 150 payments of R100.25 + i: 150 × 100.25 + (0 + … + 149) = 15 037.50 + 11 175 = 26 212.50.
	// Failed are i%4 == 3: 3, 7, …, 147, 37 of them. Ledger: 12 + 600 + 200 events.
	want := figures{Transactions: 150, Completed: 113, Failed: 37, Amount: "26212.50", Ledger: 812,
		OutboxTx: 600, OutboxAct: 200}
	if got := pgFigures(t, db); got != want {
		t.Errorf("PostgreSQL:\n got %+v\nwant %+v", got, want)
	}
	if n := db.Int(t, `SELECT count(*) FROM users`); n != 12 {
		t.Errorf("users = %d, want 12", n)
	}
	st := con.Stats()
	if st.Consumed != 812 || st.Applied+st.Released != 812 || st.Duplicates != 0 || st.Rejected != 0 || st.Released == 0 {
		t.Errorf("stats = %+v: want 812 consumed, applied + released = 812, some released, none duplicate or rejected", st)
	}
	// Every row of a payment carries its amount: 4 × 26 212.50.
	if got, want := shipAll(t, db), "events=600 amount=104850.00 activity=200"; got != want {
		t.Errorf("ClickHouse: got %s, want %s", got, want)
	}
	t.Logf("stats: %+v", st)
}

var errKilled = errors.New("killed between applying and committing")

// A consumer that dies after its batch is in PostgreSQL but before the offsets are committed:
// the next member reads the batch again and the ledger makes it duplicates.
func TestConsumerKilledBeforeCommitLeavesNothingDoubled(t *testing.T) {
	db := world(t, 10)
	c := newCluster(t)
	g := group(t)
	c.produceEvents(t, append(payments("p", 100, 10, dbtest.SAST("2026-11-30 08:00:00")),
		activities("a", 100, 10, dbtest.SAST("2026-11-30 12:00:00"))...))

	first := testConsumer(t, c, testStore(db.PG), g, 100)
	first.beforeCommit = func() error { return errKilled }
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := first.Run(ctx); !errors.Is(err, errKilled) {
		t.Fatalf("first consumer: Run = %v, want the kill", err)
	}
	applied := first.Stats().Applied
	if applied == 0 || applied > 100 {
		t.Fatalf("first consumer applied %d events before dying, want one batch (1..100)", applied)
	}
	if n := db.Int(t, `SELECT count(*) FROM ingest_ledger`); n != applied {
		t.Fatalf("ledger holds %d events, the dead consumer applied %d", n, applied)
	}
	if n := c.committed(t, g); n != 0 {
		t.Fatalf("the dead consumer committed %d offsets, want none", n)
	}

	second := start(testConsumer(t, c, testStore(db.PG), g, 100))
	c.waitCommitted(t, g, 20*time.Second)
	if err := second.stop(t); err != nil {
		t.Fatal(err)
	}
	st := second.Stats()
	if st.Duplicates != applied || st.Applied != 500-applied || st.Consumed != 500 {
		t.Errorf("second consumer: %+v; want %d duplicates (the dead one's batch), %d applied, 500 consumed",
			st, applied, 500-applied)
	}
	// 100 × 100.25 + (0 + … + 99) = 14 975.00; failed: 3, 7, …, 99.
	want := figures{Transactions: 100, Completed: 75, Failed: 25, Amount: "14975.00", Ledger: 500,
		OutboxTx: 400, OutboxAct: 100}
	if got := pgFigures(t, db); got != want {
		t.Errorf("PostgreSQL:\n got %+v\nwant %+v", got, want)
	}
	if got, want := shipAll(t, db), "events=400 amount=59900.00 activity=100"; got != want {
		t.Errorf("ClickHouse: got %s, want %s", got, want)
	}
}

// Two members of one group: the second joins while the first is consuming, then the first
// leaves while more arrives. The partitions move twice; the totals stay exact.
func TestConsumerRebalanceKeepsTotalsExact(t *testing.T) {
	db := world(t, 10)
	c := newCluster(t)
	g := group(t)
	wave := func(k int) []events.Event {
		from := dbtest.SAST("2026-11-30 06:00:00").Add(time.Duration(k) * 4 * time.Hour)
		return append(payments(fmt.Sprintf("w%d", k), 60, 10, from),
			activities(fmt.Sprintf("wa%d", k), 60, 10, from)...)
	}

	c.produceEvents(t, wave(1))
	first := start(testConsumer(t, c, testStore(db.PG), g, 50))
	waitFor(t, 15*time.Second, "the first member to apply", func() bool { return first.Stats().Applied > 0 })
	second := start(testConsumer(t, c, testStore(db.PG), g, 50))
	waitFor(t, 20*time.Second, "the group to share the partitions", func() bool {
		return second.Stats().Partitions > 0 && first.Stats().Partitions < 3*partitions
	})
	c.produceEvents(t, wave(2))
	waitFor(t, 20*time.Second, "the second member to get partitions and apply", func() bool {
		return second.Stats().Batches > 0
	})
	if err := first.stop(t); err != nil {
		t.Fatal(err)
	}
	c.produceEvents(t, wave(3))
	c.waitCommitted(t, g, 20*time.Second)
	if err := second.stop(t); err != nil {
		t.Fatal(err)
	}

	// Three waves of 60 payments: 3 × (60 × 100.25 + 1 770) = 3 × 7 785 = 23 355.00; 15 failed each.
	want := figures{Transactions: 180, Completed: 135, Failed: 45, Amount: "23355.00", Ledger: 900,
		OutboxTx: 720, OutboxAct: 180}
	if got := pgFigures(t, db); got != want {
		t.Errorf("PostgreSQL:\n got %+v\nwant %+v", got, want)
	}
	s1, s2 := first.Stats(), second.Stats()
	if s1.Applied+s2.Applied != 900 || s1.Applied == 0 || s2.Applied == 0 {
		t.Errorf("applied %d + %d, want 900 shared by both members", s1.Applied, s2.Applied)
	}
	// A member leaving drops the batch it was gathering or applying, uncommitted: the other
	// reads those records again. Nothing else is read twice.
	if s1.Consumed+s2.Consumed < 900+s1.Duplicates+s2.Duplicates {
		t.Errorf("consumed %d + %d records, fewer than 900 applied and %d + %d duplicates",
			s1.Consumed, s2.Consumed, s1.Duplicates, s2.Duplicates)
	}
	if got, want := shipAll(t, db), "events=720 amount=93420.00 activity=180"; got != want {
		t.Errorf("ClickHouse: got %s, want %s", got, want)
	}
	t.Logf("first member: %+v", s1)
	t.Logf("second member: %+v", s2)
}

// Poison records between good ones: each is dead-lettered once in PostgreSQL and copied once
// to its topic's .dlq with the reason; the good events before and after all apply.
func TestConsumerDeadLettersPoisonAndGoesOn(t *testing.T) {
	db := world(t, 4)
	c := newCluster(t)
	g := group(t)
	day := dbtest.SAST("2026-11-30 08:00:00")

	withField := func(e events.Event, edit func(map[string]any)) []byte {
		b, _ := json.Marshal(e)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ = json.Marshal(m)
		return b
	}
	unknownBank := it.Initiated("bad-bank", "bad-bank", "u0", "u1", "10.00", day)
	unknownBank.Transaction.BankID = "NOBANK"
	nul := withField(it.Activity("bad-nul", "u0", "login", day), func(map[string]any) {})
	nul = []byte(strings.Replace(string(nul), `"loc"`, "\"lo\x00c\"", 1))
	poison := []*kgo.Record{
		{Topic: string(events.TransactionEvents), Key: []byte("k1"), Value: []byte(`{"event_id": "not closed`)},
		{Topic: string(events.TransactionEvents), Key: []byte("k2"),
			Value: withField(it.Initiated("no-id", "no-id", "u0", "u1", "10.00", day), func(m map[string]any) { delete(m, "event_id") })},
		record(t, it.Initiated("negative", "negative", "u0", "u1", "-5.00", day)),
		// The encoder writes amounts with two decimals; a producer of its own may not.
		{Topic: string(events.TransactionEvents), Key: []byte("k4"),
			Value: withField(it.Initiated("three-dp", "three-dp", "u0", "u1", "10.00", day), func(m map[string]any) { m["amount"] = "10.125" })},
		record(t, unknownBank),
		{Topic: string(events.UserActivity), Key: []byte("k6"), Value: nul},
		record(t, it.Activity("future", "u1", "login", testNow.AddDate(1, 0, 0))),
		{Topic: string(events.UserEvents), Key: []byte("tombstone"), Value: nil},
	}
	c.produceEvents(t, payments("before", 20, 4, day))
	c.produce(t, poison...)
	c.produceEvents(t, append(payments("after", 20, 4, day.Add(time.Hour)), activities("a", 20, 4, day)...))

	con := start(testConsumer(t, c, testStore(db.PG), g, 5000))
	c.waitCommitted(t, g, 20*time.Second)
	if err := con.stop(t); err != nil {
		t.Fatal(err)
	}

	// 2 × (20 × 100.25 + 190) = 4 390.00; failed: 3, 7, 11, 15, 19 of each.
	want := figures{Transactions: 40, Completed: 30, Failed: 10, Amount: "4390.00", Ledger: 180,
		OutboxTx: 160, OutboxAct: 20, Dead: 8}
	if got := pgFigures(t, db); got != want {
		t.Errorf("PostgreSQL:\n got %+v\nwant %+v", got, want)
	}
	if n := db.Int(t, `SELECT sum(times_seen) FROM ingest_dead_letters`); n != 8 {
		t.Errorf("dead letters seen %d times, want each once (8)", n)
	}
	if st := con.Stats(); st.Rejected != 8 || st.DeadLettered != 8 || st.Applied != 180 {
		t.Errorf("stats %+v: want 8 rejected, 8 copied to .dlq, 180 applied", st)
	}

	// Each poison record: one dead letter under its source, one .dlq copy with the same key,
	// value, source and reason.
	reasons := map[string]string{} // source → reason
	rows, err := db.PG.Query(context.Background(), `SELECT source, reason FROM ingest_dead_letters`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var src, reason string
		if err := rows.Scan(&src, &reason); err != nil {
			t.Fatal(err)
		}
		reasons[src] = reason
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	dlq := c.deadLetters(t)
	if len(dlq) != len(poison) {
		t.Fatalf(".dlq topics hold %d records, want %d", len(dlq), len(poison))
	}
	bySource := map[string]*kgo.Record{}
	for _, r := range dlq {
		bySource[header(r, HeaderSource)] = r
	}
	var seen []string
	for _, p := range poison {
		src := Source(p)
		reason, ok := reasons[src]
		if !ok {
			t.Errorf("%s (%q): no dead letter in PostgreSQL", src, p.Value)
			continue
		}
		d, ok := bySource[src]
		switch {
		case !ok:
			t.Errorf("%s: no copy in .dlq", src)
		case d.Topic != p.Topic+".dlq" || string(d.Key) != string(p.Key) || string(d.Value) != string(p.Value):
			t.Errorf("%s: copied to %s as key %q value %q, want %s.dlq with the original", src, d.Topic, d.Key, d.Value, p.Topic)
		case header(d, HeaderError) != reason:
			t.Errorf("%s: .dlq reason %q, PostgreSQL reason %q", src, header(d, HeaderError), reason)
		}
		seen = append(seen, reason)
	}
	sort.Strings(seen)
	for _, want := range []string{"malformed JSON", "event_id", "amount", "amount", "not a bank partnership", "NUL byte", "timestamp", "malformed JSON"} {
		if !slices.ContainsFunc(seen, func(r string) bool { return strings.Contains(r, want) }) {
			t.Errorf("no reason mentions %q among %q", want, seen)
		}
	}
	t.Logf("reasons: %q", seen)
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// PostgreSQL unreachable for a while mid-stream: the consumer retries the same batch, commits
// nothing it has not applied, and once PostgreSQL is back everything lands exactly once.
func TestConsumerRetriesThroughPostgresOutage(t *testing.T) {
	db := world(t, 10)
	c := newCluster(t)
	g := group(t)
	pool, proxy := viaProxy(t, db)
	con := start(testConsumer(t, c, testStore(pool), g, 100))
	defer con.stop(t)

	wave := func(k int) []events.Event {
		from := dbtest.SAST("2026-11-30 06:00:00").Add(time.Duration(k) * 4 * time.Hour)
		return append(payments(fmt.Sprintf("w%d", k), 50, 10, from), activities(fmt.Sprintf("wa%d", k), 50, 10, from)...)
	}
	c.produceEvents(t, wave(1))
	waitFor(t, 15*time.Second, "a first batch to apply", func() bool { return con.Stats().Applied > 0 })

	proxy.Set(dbtest.LinkDown)
	c.produceEvents(t, wave(2))
	waitFor(t, 15*time.Second, "the consumer to fail a batch", func() bool { return con.Stats().IngestErrors > 0 })
	// From the first failure on, nothing can commit: the failing batch is retried, never skipped.
	frozen := c.committed(t, g)
	outageEnds := time.Now().Add(2 * time.Second)
	for time.Now().Before(outageEnds) {
		committed := c.committed(t, g)
		applied := db.Int(t, `SELECT count(*) FROM ingest_ledger`) // directly, not through the proxy
		if committed != frozen || committed > applied {
			t.Fatalf("during the outage: %d offsets committed (%d when it began), %d events applied", committed, frozen, applied)
		}
		time.Sleep(100 * time.Millisecond)
	}
	retries := con.Stats().IngestErrors
	if retries < 2 {
		t.Errorf("%d failed attempts in 2 s of outage, want the batch retried", retries)
	}
	proxy.Set(dbtest.LinkUp)
	c.waitCommitted(t, g, 20*time.Second)

	// Two waves of 50 payments: 2 × (50 × 100.25 + 1 225) = 12 475.00; 12 failed each.
	want := figures{Transactions: 100, Completed: 76, Failed: 24, Amount: "12475.00", Ledger: 500,
		OutboxTx: 400, OutboxAct: 100}
	if got := pgFigures(t, db); got != want {
		t.Errorf("PostgreSQL:\n got %+v\nwant %+v", got, want)
	}
	st := con.Stats()
	if st.Applied != 500 || st.Consumed != 500+st.Duplicates {
		t.Errorf("stats %+v: want 500 applied, every other record a duplicate", st)
	}
	if got, want := shipAll(t, db), "events=400 amount=49900.00 activity=100"; got != want {
		t.Errorf("ClickHouse: got %s, want %s", got, want)
	}
	t.Logf("outage: %d failed attempts; stats %+v", retries, st)
}
