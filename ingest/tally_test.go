package ingest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"mari/dbtest"
	"mari/events"
)

// talliedStore is a test store that keeps every Tally it is told.
func talliedStore(t *testing.T) (*Store, func() []Tally) {
	t.Helper()
	s := testStore(world(t))
	var mu sync.Mutex
	var got []Tally
	s.Tallied = func(x Tally) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, x)
	}
	return s, func() []Tally {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}
}

// Store.Tallied is told once per committed batch: on arrival each line's outcome; on release,
// only what the release adds (applied now: released; refused now: a dead letter); on expiry,
// the dead letters.
func TestTalliedHearsEachCommittedBatchOnce(t *testing.T) {
	s, told := talliedStore(t)
	ctx := context.Background()
	// A completion that overtook its payment, and one of another payment that carries an
	// amount its initiation will contradict.
	wrong := final("c2", "T2", "alice", events.Completed, "2026-11-30 10:05:03", 700, "")
	wrong.Transaction.Amount = decimal.NewNullDecimal(decimal.RequireFromString("99.00"))
	ingestOK(t, s, lines(t, final("c1", "T1", "alice", events.Completed, "2026-11-30 10:00:03", 1200, ""), wrong))
	got := told()
	if len(got) != 1 || len(got[0].Payments) != 0 || !same(got[0].Topics[events.TransactionEvents], TopicTally{Held: 2}) {
		t.Fatalf("arrival: %+v", got)
	}

	ingestOK(t, s, lines(t,
		initiated("i1", "T1", "alice", "bob", "20.00", "2026-11-30 10:00:00"),
		initiated("i2", "T2", "alice", "bob", "20.00", "2026-11-30 10:05:00"),
	))
	got = told()
	want := TopicTally{Accepted: 2, Newest: dbtest.SAST("2026-11-30 10:05:00")}
	if len(got) != 1 || !same(got[0].Topics[events.TransactionEvents], want) || len(got[0].Payments) != 2 ||
		got[0].Payments[0] != (PaymentStep{Status: PaymentPending, Bank: "BANKA", Channel: "online"}) {
		t.Fatalf("initiations: %+v", got)
	}

	if _, err := s.ReleaseHeld(ctx); err != nil {
		t.Fatal(err)
	}
	var sum Tally
	for _, x := range told() {
		sum.add(x)
	}
	want = TopicTally{Released: 1, DeadLetters: 1, Newest: dbtest.SAST("2026-11-30 10:00:03")}
	if !same(sum.Topics[events.TransactionEvents], want) || len(sum.Payments) != 1 ||
		sum.Payments[0] != (PaymentStep{Status: PaymentCompleted, Bank: "BANKA", Channel: "online", Processing: 1200 * time.Millisecond}) {
		t.Errorf("release: %+v %+v", sum.Topics[events.TransactionEvents], sum.Payments)
	}

	// A login that waits for a user who never comes, then expires.
	ingestOK(t, s, lines(t, activity("a1", "zed", "login", "2026-11-30 10:00:00")))
	told()
	s.Now = func() time.Time { return testNow.Add(HoldLimit + time.Second) }
	if n, err := s.ExpireHeld(ctx); err != nil || n != 1 {
		t.Fatalf("ExpireHeld = %d, %v", n, err)
	}
	if got := told(); len(got) != 1 || !same(got[0].Topics[events.UserActivity], TopicTally{DeadLetters: 1}) {
		t.Errorf("expiry: %+v", got)
	}
	// Nothing expired: nobody is told.
	if _, err := s.ExpireHeld(ctx); err != nil {
		t.Fatal(err)
	}
	if got := told(); len(got) != 0 {
		t.Errorf("an empty expiry was told: %+v", got)
	}
}

// same compares tallies, times by instant (an event's time keeps the offset it was sent with).
func same(got *TopicTally, want TopicTally) bool {
	if got == nil {
		return false
	}
	g := *got
	if !g.Newest.Equal(want.Newest) {
		return false
	}
	g.Newest, want.Newest = time.Time{}, time.Time{}
	return g == want
}
