package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mari/dbtest"
	"mari/events"
	"mari/ingest"
	it "mari/ingest/ingesttest"
)

// testNow is the clock of the tests' Store: events are stamped on 2026-11-30, before it.
var testNow = dbtest.SAST("2026-11-30 23:00:00")

const (
	txTopic  = string(events.TransactionEvents)
	actTopic = string(events.UserActivity)
)

// world is a database with two banks and three users.
func world(t testing.TB) *dbtest.DB {
	t.Helper()
	db := dbtest.New(t)
	dbtest.Bank{Code: "BANKA", Start: "2025-01-01"}.Insert(t, db)
	dbtest.Bank{Code: "BANKB", Start: "2025-01-01"}.Insert(t, db)
	for _, u := range []string{"alice", "bob", "carol"} {
		dbtest.User{Name: u, Created: "2026-01-05 09:00:00"}.Insert(t, db)
	}
	return db
}

// countedStore is a Store over pg whose committed batches tel counts.
func countedStore(pg *pgxpool.Pool, tel *Metrics) *ingest.Store {
	s := ingest.NewStore(pg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Parser.Now = func() time.Time { return testNow }
	s.Now = func() time.Time { return testNow }
	s.Tallied = tel.CountIngest
	return s
}

func at(s string) time.Time { return dbtest.SAST(s) }

// via is payment ev sent through bank and channel instead of the builder's BANKA online.
func via(ev events.Event, bank, channel string) events.Event {
	ev.Transaction.BankID, ev.Transaction.Channel = bank, channel
	return ev
}

func lines(t testing.TB, evs ...events.Event) []ingest.Line {
	t.Helper()
	out := make([]ingest.Line, len(evs))
	for i, e := range evs {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = ingest.Line{Topic: e.Topic(), Data: b, Source: fmt.Sprintf("test line %d", i+1)}
	}
	return out
}

// handBatch is three payments (T1 through BANKA online, T2 through BANKA offline_sms, T3
// through BANKB online): T1 and T2 complete in 1.2 s and 0.8 s, T3 fails after 3 s. Around
// them: a seal-captured step, a repeat of T1's completion in the same batch, a malformed
// line, a payment through a bank that is not a partnership, a login of a user who has not
// signed up (held) and one of alice.
func handBatch(t testing.TB) []ingest.Line {
	ls := lines(t,
		it.Initiated("i1", "T1", "alice", "bob", "100.00", at("2026-11-30 10:00:00")),
		via(it.Initiated("i2", "T2", "bob", "carol", "50.00", at("2026-11-30 10:00:30")), "BANKA", "offline_sms"),
		via(it.Initiated("i3", "T3", "carol", "alice", "75.00", at("2026-11-30 10:01:00")), "BANKB", "online"),
		it.Step("s1", "T1", "alice", events.PhysicsSealCaptured, at("2026-11-30 10:00:01")),
		it.Final("c1", "T1", "alice", events.Completed, at("2026-11-30 10:00:03"), 1200, ""),
		it.Final("c2", "T2", "bob", events.Completed, at("2026-11-30 10:00:33"), 800, ""),
		it.Final("f3", "T3", "carol", events.Failed, at("2026-11-30 10:01:05"), 3000, "bank_timeout"),
		via(it.Initiated("i4", "T4", "alice", "bob", "10.00", at("2026-11-30 10:02:00")), "NOBANK", "online"),
		it.Activity("a1", "dave", "login", at("2026-11-30 09:58:00")),
		it.Activity("a2", "alice", "login", at("2026-11-30 09:59:00")),
	)
	ls = append(ls, ls[4]) // c1 again
	return append(ls, ingest.Line{Topic: events.TransactionEvents, Data: []byte(`{"event_id": "not json`), Source: "test raw"})
}

// The payment counters as a string, for comparing whole states.
func paymentFigures(t testing.TB, f families) string {
	t.Helper()
	var b strings.Builder
	for _, s := range []string{"pending", "completed", "failed"} {
		for _, bank := range []string{"BANKA", "BANKB", "NOBANK"} {
			for _, ch := range []string{"online", "offline_sms"} {
				if v := f.counter(t, "mari_transactions_total", labels("status", s, "bank", bank, "channel", ch)); v != 0 {
					fmt.Fprintf(&b, "%s %s %s=%g; ", s, bank, ch, v)
				}
			}
		}
	}
	for _, bank := range []string{"BANKA", "BANKB"} {
		h := f.histogram(t, "mari_transaction_duration_seconds", labels("bank", bank))
		fmt.Fprintf(&b, "%s n=%d sum=%.3f; ", bank, h.Count, h.Sum)
	}
	return b.String()
}

const handPayments = "pending BANKA online=1; pending BANKA offline_sms=1; pending BANKB online=1; " +
	"completed BANKA online=1; completed BANKA offline_sms=1; failed BANKB online=1; " +
	"BANKA n=2 sum=2.000; BANKB n=1 sum=3.000; "

func eventCount(t testing.TB, f families, topic, outcome string) float64 {
	t.Helper()
	return f.counter(t, "mari_ingest_events_total", labels("topic", topic, "outcome", outcome))
}

// A hand-counted batch moves every counter by exactly its count; the same batch delivered
// again (a client's retry, a Kafka redelivery) moves no payment counter, and counts its lines
// as what they now are: duplicates, and the rejected and held ones again.
func TestCountersMoveByTheHandCountedBatch(t *testing.T) {
	db := world(t)
	tel := New()
	s := countedStore(db.PG, tel)
	batch := handBatch(t)
	res, err := s.Ingest(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 8 || res.Duplicates != 1 || res.Held != 1 || len(res.Rejected) != 2 {
		t.Fatalf("the batch itself: %+v", res)
	}
	f := scrape(t, tel)
	if got := paymentFigures(t, f); got != handPayments {
		t.Errorf("payments:\n got %s\nwant %s", got, handPayments)
	}
	// Buckets are cumulative: BANKA's 0.8 s is within 1 s, its 1.2 s within 1.5 s; BANKB's 3 s
	// is on the 3 s bound (le is inclusive).
	a := f.histogram(t, "mari_transaction_duration_seconds", labels("bank", "BANKA"))
	b := f.histogram(t, "mari_transaction_duration_seconds", labels("bank", "BANKB"))
	if a.Buckets[0.75] != 0 || a.Buckets[1] != 1 || a.Buckets[1.5] != 2 || a.Buckets[30] != 2 ||
		b.Buckets[2.5] != 0 || b.Buckets[3] != 1 {
		t.Errorf("buckets: BANKA %v, BANKB %v", a.Buckets, b.Buckets)
	}
	want := map[[2]string]float64{
		{txTopic, OutcomeAccepted}: 7, {txTopic, OutcomeDuplicate}: 1, {txTopic, OutcomeRejected}: 2,
		{txTopic, OutcomeHeld}: 0, {txTopic, OutcomeReleased}: 0,
		{actTopic, OutcomeAccepted}: 1, {actTopic, OutcomeHeld}: 1, {actTopic, OutcomeDuplicate}: 0,
		{actTopic, OutcomeRejected}:                  0,
		{string(events.UserEvents), OutcomeAccepted}: 0,
	}
	for k, v := range want {
		if got := eventCount(t, f, k[0], k[1]); got != v {
			t.Errorf("events %s %s = %g, want %g", k[0], k[1], got, v)
		}
	}
	if got := f.counter(t, "mari_ingest_dead_letters_total", labels("topic", txTopic)); got != 2 {
		t.Errorf("dead letters of %s = %g, want 2", txTopic, got)
	}
	// The newest applied events: T3's failure (10:01:05 SAST) and alice's login (09:59); the
	// held login (09:58) and the rejected payment (10:02) are not applied.
	for topic, when := range map[string]string{txTopic: "2026-11-30 10:01:05", actTopic: "2026-11-30 09:59:00"} {
		v, ok := f.gauge(t, "mari_ingest_newest_event_timestamp_seconds", labels("topic", topic))
		if want := float64(at(when).Unix()); !ok || v != want {
			t.Errorf("newest %s event = %v (%v), want %v (%s SAST)", topic, v, ok, want, when)
		}
	}

	// Again: nothing new is applied.
	if _, err := s.Ingest(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	g := scrape(t, tel)
	if got := paymentFigures(t, g); got != handPayments {
		t.Errorf("payments after the batch again:\n got %s\nwant %s", got, handPayments)
	}
	// Seven applied payment events and the repeat within the batch are duplicates now; the two
	// rejected lines are rejected (and dead-lettered) again; the held login is held again,
	// alice's login is a duplicate.
	want = map[[2]string]float64{
		{txTopic, OutcomeAccepted}: 7, {txTopic, OutcomeDuplicate}: 1 + 8, {txTopic, OutcomeRejected}: 2 + 2,
		{actTopic, OutcomeAccepted}: 1, {actTopic, OutcomeHeld}: 1 + 1, {actTopic, OutcomeDuplicate}: 1,
	}
	for k, v := range want {
		if got := eventCount(t, g, k[0], k[1]); got != v {
			t.Errorf("after the batch again: events %s %s = %g, want %g", k[0], k[1], got, v)
		}
	}
	if got := g.counter(t, "mari_ingest_dead_letters_total", labels("topic", txTopic)); got != 4 {
		t.Errorf("dead letters of %s after the batch again = %g, want 4", txTopic, got)
	}
}

// A batch that does not commit counts nothing: here the database refuses the commit itself
// (a deferred trigger), after every statement of the batch has run; then a closed pool. Once
// the database takes it, the batch counts once.
func TestFailedBatchCountsNothing(t *testing.T) {
	db := world(t)
	tel := New()
	s := countedStore(db.PG, tel)
	db.Exec(t, `CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN RAISE EXCEPTION 'the test refuses this commit'; END $$`)
	db.Exec(t, `CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT ON ingest_ledger
		DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit()`)
	batch := handBatch(t)
	before := scrape(t, tel)
	if _, err := s.Ingest(context.Background(), batch); err == nil || !strings.Contains(err.Error(), "refuses this commit") {
		t.Fatalf("ingest with the commit refused = %v, want the trigger's error", err)
	}
	if n := db.Int(t, `SELECT count(*) FROM transactions`); n != 0 {
		t.Fatalf("%d transactions stored by a batch that failed", n)
	}

	closed, err := pgxpool.New(context.Background(), db.PGURL)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	if _, err := countedStore(closed, tel).Ingest(context.Background(), batch); err == nil {
		t.Fatal("ingest through a closed pool succeeded")
	}

	after := scrape(t, tel)
	for _, name := range []string{"mari_transactions_total", "mari_transaction_duration_seconds",
		"mari_ingest_events_total", "mari_ingest_dead_letters_total", "mari_ingest_newest_event_timestamp_seconds"} {
		if b, a := before.series(name), after.series(name); a != b {
			t.Errorf("%s moved by batches that failed:\nbefore\n%s\nafter\n%s", name, b, a)
		}
	}

	db.Exec(t, `DROP TRIGGER refuse_commit ON ingest_ledger`)
	if _, err := s.Ingest(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if got := paymentFigures(t, scrape(t, tel)); got != handPayments {
		t.Errorf("payments once the batch committed:\n got %s\nwant %s", got, handPayments)
	}
}

// Two instances, each with its own metrics, receive the same batch at the same moment (a
// client that retried against another instance): the database applies it once, and the two
// instances' counters add up to one batch, as Prometheus's sum across instances would.
func TestInstancesCountOnlyWhatTheyCommitted(t *testing.T) {
	db := world(t)
	tels := []*Metrics{New(), New()}
	batch := handBatch(t)
	errs := db.Race(t, len(tels), func(i int) error {
		_, err := countedStore(db.PG, tels[i]).Ingest(context.Background(), batch)
		return err
	}, `LOCK TABLE ingest_ledger IN EXCLUSIVE MODE`)
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var sum strings.Builder
	sums := map[string]float64{}
	var bankA hist
	for _, tel := range tels {
		f := scrape(t, tel)
		for _, s := range []string{"pending", "completed", "failed"} {
			sums[s] += f.counter(t, "mari_transactions_total", labels("status", s, "bank", "BANKA", "channel", "online")) +
				f.counter(t, "mari_transactions_total", labels("status", s, "bank", "BANKA", "channel", "offline_sms")) +
				f.counter(t, "mari_transactions_total", labels("status", s, "bank", "BANKB", "channel", "online"))
		}
		h := f.histogram(t, "mari_transaction_duration_seconds", labels("bank", "BANKA"))
		bankA.Count += h.Count
		bankA.Sum += h.Sum
		sums["accepted"] += eventCount(t, f, txTopic, OutcomeAccepted)
	}
	fmt.Fprintf(&sum, "pending=%g completed=%g failed=%g accepted=%g BANKA n=%d sum=%.3f",
		sums["pending"], sums["completed"], sums["failed"], sums["accepted"], bankA.Count, bankA.Sum)
	if got, want := sum.String(), "pending=3 completed=2 failed=1 accepted=7 BANKA n=2 sum=2.000"; got != want {
		t.Errorf("summed over both instances: %s, want %s", got, want)
	}
	if n := db.Int(t, `SELECT count(*) FROM transactions`); n != 3 {
		t.Errorf("%d transactions stored, want 3", n)
	}
}

// A completion that overtook its payment is held; when the payment arrives and the held event
// is judged again, the completion counts then, once, as released; a held event that waits too
// long counts as a dead letter.
func TestHeldEventsCountWhenReleasedOrExpired(t *testing.T) {
	db := world(t)
	tel := New()
	s := countedStore(db.PG, tel)
	ctx := context.Background()
	mustIngest := func(ls []ingest.Line) {
		t.Helper()
		if _, err := s.Ingest(ctx, ls); err != nil {
			t.Fatal(err)
		}
	}
	mustIngest(lines(t,
		it.Final("c9", "T9", "alice", events.Completed, at("2026-11-30 11:00:02"), 2500, ""),
		it.Activity("a9", "erin", "login", at("2026-11-30 11:00:00")),
	))
	mustIngest(lines(t, it.Initiated("i9", "T9", "alice", "bob", "20.00", at("2026-11-30 11:00:00"))))
	f := scrape(t, tel)
	if got, want := paymentFigures(t, f), "pending BANKA online=1; BANKA n=0 sum=0.000; BANKB n=0 sum=0.000; "; got != want {
		t.Errorf("before the release: %s, want %s", got, want)
	}
	if _, err := s.ReleaseHeld(ctx); err != nil {
		t.Fatal(err)
	}
	f = scrape(t, tel)
	if got, want := paymentFigures(t, f),
		"pending BANKA online=1; completed BANKA online=1; BANKA n=1 sum=2.500; BANKB n=0 sum=0.000; "; got != want {
		t.Errorf("after the release: %s, want %s", got, want)
	}
	if h, r, a := eventCount(t, f, txTopic, OutcomeHeld), eventCount(t, f, txTopic, OutcomeReleased),
		eventCount(t, f, txTopic, OutcomeAccepted); h != 1 || r != 1 || a != 1 {
		t.Errorf("transaction events: held %g released %g accepted %g, want 1 1 1", h, r, a)
	}
	// erin's login still waits: judged again, it counts nothing more.
	if h := eventCount(t, f, actTopic, OutcomeHeld); h != 1 {
		t.Errorf("activity held %g, want 1", h)
	}
	// A quarter of an hour later it is a dead letter.
	s.Now = func() time.Time { return testNow.Add(ingest.HoldLimit + time.Minute) }
	if n, err := s.ExpireHeld(ctx); err != nil || n != 1 {
		t.Fatalf("ExpireHeld = %d, %v; want 1", n, err)
	}
	f = scrape(t, tel)
	if d := f.counter(t, "mari_ingest_dead_letters_total", labels("topic", actTopic)); d != 1 {
		t.Errorf("activity dead letters %g, want 1 (the expired login)", d)
	}
	if d := f.counter(t, "mari_ingest_dead_letters_total", labels("topic", txTopic)); d != 0 {
		t.Errorf("transaction dead letters %g, want 0", d)
	}
	// The released completion (11:00:02) is the newest event applied, though it arrived first.
	if v, _ := f.gauge(t, "mari_ingest_newest_event_timestamp_seconds", labels("topic", txTopic)); v != float64(at("2026-11-30 11:00:02").Unix()) {
		t.Errorf("newest transaction event %v", v)
	}
}
