package ingest

import (
	"context"
	"strings"
	"testing"

	"mari/dbtest"
	"mari/events"
)

// A payment's whole life in one batch, with a malformed line and a repeated line; then the
// same batch again, as a retrying client or a Kafka redelivery would send it.
func TestIngestAppliesOnceAndRedeliveryChangesNothing(t *testing.T) {
	db := world(t)
	s := testStore(db)
	batch := lines(t,
		initiated("i1", "T1", "alice", "bob", "100.50", "2026-11-30 10:00:00"),
		step("s1", "T1", "alice", events.PhysicsSealCaptured, "2026-11-30 10:00:01"),
		step("u1", "T1", "alice", events.Submitted, "2026-11-30 10:00:02"),
		final("c1", "T1", "alice", events.Completed, "2026-11-30 10:00:03", 1200, ""),
		activity("a1", "alice", "login", "2026-11-30 09:59:00"),
	)
	batch = append(batch, raw(events.TransactionEvents, `{"event_id": "not json`), batch[2])

	res := ingestOK(t, s, batch)
	if res.Accepted != 5 || res.Duplicates != 1 || res.Held != 0 || len(res.Rejected) != 1 || res.Rejected[0].Index != 5 {
		t.Fatalf("first delivery: %+v", res)
	}
	if !strings.HasPrefix(res.Rejected[0].Error, "malformed JSON") {
		t.Errorf("rejection reason %q", res.Rejected[0].Error)
	}
	check := func(when string) {
		t.Helper()
		got := db.Text(t, `SELECT status || ' ' || amount || ' ' || processing_time_ms || ' ' ||
			to_char(completed_at AT TIME ZONE 'Africa/Johannesburg', 'HH24:MI:SS') FROM transactions WHERE id = $1`, txID("T1"))
		if got != "COMPLETED 100.50 1200 10:00:03" {
			t.Errorf("%s: transaction %q", when, got)
		}
		for sql, want := range map[string]int64{
			`SELECT count(*) FROM ingest_ledger`:       5,
			`SELECT count(*) FROM ingest_dead_letters`: 1,
			`SELECT count(*) FROM transactions`:        1,
		} {
			if n := db.Int(t, sql); n != want {
				t.Errorf("%s: %s = %d, want %d", when, sql, n, want)
			}
		}
		// Shipped to ClickHouse: four events of 100.50 each, one login; nothing the second time.
		if _, err := NewShipper(db.PG, db.CH, nil).ShipAll(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got, want := chFigures(t, db), "events=4 minute_completed=1 bank_cents=40200 activity=1"; got != want {
			t.Errorf("%s: ClickHouse %s, want %s", when, got, want)
		}
		// last_active moves when the events are shipped, to alice's newest: the completion.
		if got := db.Text(t, `SELECT to_char(last_active AT TIME ZONE 'Africa/Johannesburg', 'HH24:MI:SS') FROM users WHERE id = $1`,
			dbtest.UserID("alice")); got != "10:00:03" {
			t.Errorf("%s: alice last active %s", when, got)
		}
	}
	check("first delivery")

	res = ingestOK(t, s, batch)
	if res.Accepted != 0 || res.Duplicates != 6 || len(res.Rejected) != 1 {
		t.Fatalf("second delivery: %+v", res)
	}
	check("second delivery")
	if n := db.Int(t, `SELECT times_seen FROM ingest_dead_letters`); n != 2 {
		t.Errorf("the malformed line was seen %d times, want 2", n)
	}
}

// A final payment never moves: a failed event after the completed one is dead-lettered, the
// payment stays completed and ClickHouse never hears of the failure.
func TestLateContradictingFinalIsRejected(t *testing.T) {
	db := world(t)
	s := testStore(db)
	ingestOK(t, s, lines(t,
		initiated("i1", "T1", "alice", "bob", "20.00", "2026-11-30 10:00:00"),
		final("c1", "T1", "alice", events.Completed, "2026-11-30 10:00:02", 900, ""),
	))
	res := ingestOK(t, s, lines(t,
		final("f1", "T1", "alice", events.Failed, "2026-11-30 10:00:05", 3000, "bank_timeout"),
		initiated("i2", "T1", "alice", "bob", "20.00", "2026-11-30 10:00:00"),
	))
	if res.Accepted != 0 || len(res.Rejected) != 2 {
		t.Fatalf("%+v", res)
	}
	if !strings.Contains(res.Rejected[0].Error, "already COMPLETED") || !strings.Contains(res.Rejected[1].Error, "already initiated") {
		t.Errorf("reasons: %+v", res.Rejected)
	}
	if got := db.Text(t, `SELECT status FROM transactions WHERE id = $1`, txID("T1")); got != "COMPLETED" {
		t.Errorf("status %s", got)
	}
	if n := db.Int(t, `SELECT count(*) FROM ch_outbox_transaction_events WHERE event_type = 'failed'`); n != 0 {
		t.Errorf("%d failed rows queued for ClickHouse", n)
	}
	// Rejected events are not in the ledger: fixed and sent again, they are judged again.
	if n := db.Int(t, `SELECT count(*) FROM ingest_ledger WHERE event_id = $1`, evID("f1")); n != 0 {
		t.Errorf("rejected event recorded as seen")
	}
}

// Events that arrive before what they refer to wait, and apply when it comes.
func TestHeldEventsApplyWhenTheirReferenceArrives(t *testing.T) {
	db := world(t)
	s := testStore(db)
	ctx := context.Background()
	res := ingestOK(t, s, lines(t,
		final("c1", "T1", "carol", events.Completed, "2026-11-30 10:00:03", 1500, ""),
		activity("a1", "carol", "login", "2026-11-30 09:00:00"),
	))
	if res.Held != 2 || res.Accepted != 0 {
		t.Fatalf("%+v", res)
	}
	// Delivered again while it waits: still one held row each.
	ingestOK(t, s, lines(t, final("c1", "T1", "carol", events.Completed, "2026-11-30 10:00:03", 1500, "")))
	if n := db.Int(t, `SELECT count(*) FROM ingest_held`); n != 2 {
		t.Fatalf("%d held rows", n)
	}
	// Carol signs up and pays; the release applies the completion and the login.
	res = ingestOK(t, s, lines(t,
		signup("su", "carol", "2026-11-30 08:00:00"),
		initiated("i1", "T1", "carol", "bob", "75.25", "2026-11-30 10:00:00"),
	))
	if res.Accepted != 2 {
		t.Fatalf("%+v", res)
	}
	released, err := s.ReleaseHeld(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if released.Accepted != 2 || released.Held != 0 {
		t.Fatalf("release: %+v", released)
	}
	if got := db.Text(t, `SELECT status || ' ' || processing_time_ms FROM transactions WHERE id = $1`, txID("T1")); got != "COMPLETED 1500" {
		t.Errorf("transaction %s", got)
	}
	if n := db.Int(t, `SELECT count(*) FROM ingest_held`); n != 0 {
		t.Errorf("%d still held", n)
	}
	if n := db.Int(t, `SELECT count(*) FROM ch_outbox_user_activity`); n != 1 {
		t.Errorf("%d activity rows queued", n)
	}
}
