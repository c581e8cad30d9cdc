package ingest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"mari/dbconn"
	"mari/dbtest"
	"mari/events"
	"mari/queries"
)

// The figures ClickHouse's raw tables and its pre-aggregations hold for the test day: event
// rows, completed rows in the per-minute view, amount in the per-day bank view, activity rows.
func chFigures(t testing.TB, db *dbtest.DB) string {
	t.Helper()
	return fmt.Sprintf("events=%s minute_completed=%s bank_cents=%s activity=%s",
		db.CHText(t, `SELECT toString(count()) FROM transaction_events`),
		db.CHText(t, `SELECT toString(sum(events)) FROM events_per_minute WHERE event_type = 'completed'`),
		db.CHText(t, `SELECT toString(toInt64(sum(amount) * 100)) FROM daily_bank_events`),
		db.CHText(t, `SELECT toString(count()) FROM user_activity`))
}

func TestShipperWritesEachRowOnceEvenAfterAnUnknownOutcome(t *testing.T) {
	db := world(t)
	s := testStore(db)
	ctx := context.Background()
	ingestOK(t, s, lines(t,
		initiated("i1", "T1", "alice", "bob", "100.50", "2026-11-30 10:00:00"),
		step("s1", "T1", "alice", events.PhysicsSealCaptured, "2026-11-30 10:00:01"),
		step("u1", "T1", "alice", events.Submitted, "2026-11-30 10:00:02"),
		final("c1", "T1", "alice", events.Completed, "2026-11-30 10:00:03", 1200, ""),
		activity("a1", "alice", "login", "2026-11-30 09:59:00"),
		// One event of October: its own month, its own insert.
		activity("a0", "bob", "login", "2026-10-31 23:59:00"),
	))
	// The shipper sent the rows, then died before it could delete them from the outbox.
	rows, err := queries.OutboxTxEventsNext(ctx, db.PG, 100)
	if err != nil {
		t.Fatal(err)
	}
	if err := queries.IngestInsertTxEvents(ctx, db.CH, rows); err != nil {
		t.Fatal(err)
	}
	// A new shipper (a restarted process) cannot know that: it asks ClickHouse first.
	sh := NewShipper(db.PG, db.CH, nil)
	n, err := sh.ShipAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 { // the two activity rows; the four transaction events were already there
		t.Errorf("shipped %d rows, want 2", n)
	}
	// 4 events × 100.50 in the bank view; one completed event in the minute view.
	want := "events=4 minute_completed=1 bank_cents=40200 activity=2"
	if got := chFigures(t, db); got != want {
		t.Errorf("ClickHouse %s, want %s", got, want)
	}
	if st := sh.Stats(); st.Skipped != 4 || st.Shipped != 2 || st.Probes < 1 {
		t.Errorf("stats %+v", st)
	}
	if n := db.Int(t, `SELECT (SELECT count(*) FROM ch_outbox_transaction_events) + (SELECT count(*) FROM ch_outbox_user_activity)`); n != 0 {
		t.Errorf("%d rows left in the outbox", n)
	}
	// Nothing more to do, nothing more written.
	if n, err := sh.ShipAll(ctx); err != nil || n != 0 {
		t.Errorf("second ShipAll: %d, %v", n, err)
	}
	if got := chFigures(t, db); got != want {
		t.Errorf("after a second round: %s", got)
	}
	if got := db.CHText(t, `SELECT toString(event_id) FROM user_activity WHERE activity_type = 'login' ORDER BY timestamp DESC LIMIT 1`); got != evID("a1").String() {
		t.Errorf("activity event_id %s", got)
	}
}

// ClickHouse unreachable for a minute in the middle of a stream: ingestion goes on in
// PostgreSQL, the outbox grows, and when ClickHouse returns everything arrives once, in the
// raw table and in the pre-aggregations. (-short: a one-second outage.)
func TestClickHouseOutageMidStream(t *testing.T) {
	t.Parallel()
	outage := 60 * time.Second
	if testing.Short() {
		outage = time.Second
	}
	testClickHouseOutage(t, outage)
}

func testClickHouseOutage(t *testing.T, outage time.Duration) {
	db := world(t)
	s := testStore(db)
	proxy := dbtest.NewTCPProxy(t, db.CHOpts.Addr)
	opts := db.CHOpts
	opts.Addr = proxy.Addr()
	ch, err := dbconn.ClickHouse(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	sh := NewShipper(db.PG, ch, nil)
	sh.Idle = 50 * time.Millisecond
	sh.InsertTimeout = 2 * time.Second
	s.Committed = sh.Wake
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); sh.Run(ctx) }()

	// 300 payments in 30 batches of 10, each completed (3 events: initiated, submitted,
	// completed) at 1.00 + i cents; ClickHouse goes away after batch 10 and returns later.
	const payments = 300
	var wantAmount int64 // in cents, over every event row
	for b := 0; b < payments/10; b++ {
		if b == 10 {
			proxy.Set(dbtest.LinkDown)
			time.AfterFunc(outage, func() { proxy.Set(dbtest.LinkUp) })
		}
		var evs []events.Event
		for i := b * 10; i < b*10+10; i++ {
			name := fmt.Sprint("T", i)
			cents := 100 + int64(i)
			at := testNow.Add(-time.Hour).Add(time.Duration(i) * time.Second)
			ini := initiated("i"+name, name, "alice", "bob", fmt.Sprintf("%d.%02d", cents/100, cents%100), "2026-11-30 10:00:00")
			ini.Transaction.Timestamp = at
			sub := step("s"+name, name, "alice", events.Submitted, "2026-11-30 10:00:00")
			sub.Transaction.Timestamp = at.Add(time.Millisecond)
			fin := final("c"+name, name, "alice", events.Completed, "2026-11-30 10:00:00", 800, "")
			fin.Transaction.Timestamp = at.Add(800 * time.Millisecond)
			evs = append(evs, ini, sub, fin)
			wantAmount += 3 * cents
		}
		if res := ingestOK(t, s, lines(t, evs...)); res.Accepted != 30 {
			t.Fatalf("batch %d: %+v", b, res)
		}
		if b >= 10 {
			time.Sleep(outage / 20) // the last 20 batches arrive while ClickHouse is away
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	deadline := time.Now().Add(outage + 30*time.Second)
	for {
		b, err := queries.OutboxBacklogNow(context.Background(), db.PG)
		if err != nil {
			t.Fatal(err)
		}
		if b.TxEvents == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox still holds %d rows", b.TxEvents)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	want := fmt.Sprintf("events=%d minute_completed=%d bank_cents=%d activity=0", 3*payments, payments, wantAmount)
	if got := chFigures(t, db); got != want {
		t.Errorf("ClickHouse %s\n           want %s", got, want)
	}
	st := sh.Stats()
	if st.Errors == 0 {
		t.Errorf("the outage was never noticed: %+v", st)
	}
	t.Logf("outage %s: %+v", outage, st)
}
