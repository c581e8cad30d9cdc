package simulate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"mari/calendar"
	"mari/dbtest"
	"mari/demodata"
	"mari/events"
)

// t0 is the simulated start: a weekday afternoon.
var t0 = time.Date(2026, 3, 10, 14, 0, 0, 0, calendar.SAST)

// testPopulation writes banks and users into a fresh database and reads the population back
// the way `mari simulate` does.
func testPopulation(t *testing.T, users int) (Population, map[uuid.UUID]bool) {
	t.Helper()
	db := dbtest.New(t)
	for _, b := range []dbtest.Bank{
		{Code: "UTB", Start: "2024-06-01"},
		{Code: "KCB", Start: "2024-09-01"},
		{Code: "BAO", Start: "2026-01-01"},
		{Code: "PSB", Start: "2024-06-01"},                    // made inactive below
		{Code: "OLD", Start: "2024-06-01", End: "2025-12-31"}, // contract over
		{Code: "NEW", Start: "2026-04-01"},                    // contract not started
	} {
		b.Insert(t, db)
	}
	db.Exec(t, `UPDATE bank_partnerships SET status = 'pilot' WHERE bank_code = 'BAO'`)
	db.Exec(t, `UPDATE bank_partnerships SET status = 'inactive' WHERE bank_code = 'PSB'`)
	active := map[uuid.UUID]bool{}
	for i := range users {
		name := fmt.Sprintf("u%04d", i)
		dbtest.User{Name: name, Created: t0.Add(-time.Duration(users-i) * time.Hour).In(calendar.SAST).Format("2006-01-02 15:04:05")}.Insert(t, db)
		active[dbtest.UserID(name)] = true
	}
	// A suspended and a closed account can neither pay nor be paid.
	for _, status := range []string{"suspended", "closed"} {
		dbtest.User{Name: status, Created: "2026-03-10 13:59:00"}.Insert(t, db)
		db.Exec(t, `UPDATE users SET status = $1 WHERE id = $2`, status, dbtest.UserID(status))
	}
	pop, err := LoadPopulation(context.Background(), db.PG, t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"BAO", "KCB", "UTB"}; !slices.Equal(pop.Banks, want) {
		t.Fatalf("banks %v, want %v (live or pilot, contract in force)", pop.Banks, want)
	}
	if len(pop.Users) != users {
		t.Fatalf("%d users, want the %d active ones", len(pop.Users), users)
	}
	// The most recently active first: the last one created (last_active = created here).
	if pop.Users[0] != dbtest.UserID(fmt.Sprintf("u%04d", users-1)) || pop.Users[users-1] != dbtest.UserID("u0000") {
		t.Fatalf("users not ordered by last activity: first %s, last %s", pop.Users[0], pop.Users[users-1])
	}
	return pop, active
}

type emitted struct {
	topic events.Topic
	line  []byte
	at    time.Time // the fake clock when it was emitted
}

// runFor drives g with a fake clock, in steps, for d, and returns what it emitted.
func runFor(t testing.TB, g *Generator, start time.Time, d, step time.Duration) []emitted {
	var out []emitted
	for now := start; !now.After(start.Add(d)); now = now.Add(step) {
		err := g.Advance(now, func(e events.Event) error {
			line, err := e.MarshalJSON()
			if err != nil {
				return err
			}
			out = append(out, emitted{e.Topic(), line, now})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// An hour of the stream, driven by a fake clock: every line passes the contract's parser, the
// references hold as the receiver enforces them, every payment's life is whole, and failures and
// processing times are the demo dataset's.
func TestGeneratorHourFollowsContractAndDemo(t *testing.T) {
	pop, known := testPopulation(t, 400)
	const rate = 20.0
	g, err := New(Options{Rate: rate, Seed: 11, Start: t0, Population: pop})
	if err != nil {
		t.Fatal(err)
	}
	out := runFor(t, g, t0, time.Hour, 250*time.Millisecond)
	end := t0.Add(time.Hour)

	banks := map[string]bool{}
	for _, b := range pop.Banks {
		banks[b] = true
	}
	type life struct {
		user     uuid.UUID
		started  time.Time
		steps    []string
		failure  string
		procMS   int32
		finalSet int
	}
	payments := map[uuid.UUID]*life{}
	seen := map[uuid.UUID]bool{}
	phones, bloods, seals := map[string]bool{}, map[string]bool{}, map[string]bool{}
	counts := map[events.Topic]int{}
	var last time.Time
	for i, em := range out {
		now := em.at
		e, err := events.Parser{Now: func() time.Time { return now }}.Parse(em.topic, em.line)
		if err != nil {
			t.Fatalf("line %d (%s) refused: %v\n%s", i, em.topic, err, em.line)
		}
		if at := e.At(); at.After(em.at) || at.Before(t0) || at.Before(last) {
			t.Fatalf("event at %s emitted at %s after one at %s (start %s)", at, em.at, last, t0)
		}
		last = e.At()
		if seen[e.ID()] {
			t.Fatalf("event id %s twice", e.ID())
		}
		seen[e.ID()] = true
		counts[em.topic]++
		switch {
		case e.User != nil:
			u := e.User
			if phones[u.PhoneNumberHash] || bloods[u.BloodHash] || known[u.UserID] {
				t.Fatalf("sign-up reuses a hash or an id: %s", em.line)
			}
			if u.ReferrerUserID != uuid.Nil && !known[u.ReferrerUserID] {
				t.Fatalf("referrer %s does not exist yet", u.ReferrerUserID)
			}
			if u.PromoBankCode != "" && !banks[u.PromoBankCode] {
				t.Fatalf("promotion bank %q is not a live bank", u.PromoBankCode)
			}
			phones[u.PhoneNumberHash], bloods[u.BloodHash] = true, true
			known[u.UserID] = true
		case e.Activity != nil:
			if !known[e.Activity.UserID] {
				t.Fatalf("activity of a user who does not exist yet: %s", em.line)
			}
		default:
			x := e.Transaction
			p := payments[x.TransactionID]
			if x.EventType == events.Initiated {
				if p != nil {
					t.Fatalf("transaction %s initiated twice", x.TransactionID)
				}
				if !known[x.UserID] || !known[x.RecipientID] || !banks[x.BankID] {
					t.Fatalf("initiated with an unknown sender, recipient or bank: %s", em.line)
				}
				if len(x.PhysicsSealHash) > 64 || seals[x.PhysicsSealHash] {
					t.Fatalf("seal hash reused or too long: %s", em.line)
				}
				seals[x.PhysicsSealHash] = true
				payments[x.TransactionID] = &life{user: x.UserID, started: x.Timestamp, steps: []string{x.EventType}}
				continue
			}
			if p == nil {
				t.Fatalf("%s before its payment was initiated: %s", x.EventType, em.line)
			}
			if x.UserID != p.user {
				t.Fatalf("%s names user %s, the payment's sender is %s", x.EventType, x.UserID, p.user)
			}
			if p.finalSet > 0 {
				t.Fatalf("%s after the payment's final event: %s", x.EventType, em.line)
			}
			p.steps = append(p.steps, x.EventType)
			if x.Final() {
				p.finalSet++
				p.failure = x.FailureReason
				p.procMS = *x.ProcessingTimeMS
				if got := x.Timestamp.Sub(p.started); got != time.Duration(p.procMS)*time.Millisecond {
					t.Fatalf("final event %s after initiation, processing_time_ms %d", got, p.procMS)
				}
			}
		}
	}

	var finals, failedN int
	var procs []int32
	for id, p := range payments {
		want := []string{events.Initiated, events.PhysicsSealCaptured, events.Submitted}
		if p.failure == "seal_verification_failed" {
			want = want[:2] // the seal failed: never submitted to the bank
		}
		if p.finalSet == 0 {
			// Only a payment started in the last 30 s (the slowest take 30 s) may be in flight.
			if p.started.Before(end.Add(-30 * time.Second)) {
				t.Fatalf("payment %s started %s has no final event: %v", id, p.started, p.steps)
			}
			continue
		}
		if p.failure != "" {
			want = append(want, events.Failed)
			failedN++
		} else {
			want = append(want, events.Completed)
		}
		if !slices.Equal(p.steps, want) {
			t.Fatalf("payment %s: steps %v, want %v", id, p.steps, want)
		}
		finals++
		procs = append(procs, p.procMS)
	}
	slices.Sort(procs)
	share := float64(failedN) / float64(finals)
	median := procs[len(procs)/2]
	total := len(out)
	t.Logf("%d events in the hour (%v), %d payments finished, failure share %.4f, median processing %d ms",
		total, counts, finals, share, median)

	ref, err := demodata.ProfileOf(context.Background(), demodata.Options{Seed: 42, Scale: 1, Months: 18, End: t0})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo generator: failure share %.4f, median processing %d ms", ref.FailureShare, ref.MedianProcessingMS)
	// About 12 000 payments at 3% failing: one standard deviation is 0.0016; 0.006 is almost four.
	if math.Abs(share-ref.FailureShare) > 0.006 {
		t.Errorf("failure share %.4f, demo %.4f (want within 0.006)", share, ref.FailureShare)
	}
	// The median of 12 000 draws is within about 1.5%; the bank mix differs from the demo's
	// history a little, so 10%.
	if d := math.Abs(float64(median-ref.MedianProcessingMS)) / float64(ref.MedianProcessingMS); d > 0.10 {
		t.Errorf("median processing %d ms, demo %d ms (want within 10%%)", median, ref.MedianProcessingMS)
	}
	// The rate holds: the payments' Poisson count varies by about 1%, the hour's edges (logins
	// before the first payments, lives after the last) take a little off.
	if want := rate * 3600; math.Abs(float64(total)-want) > 0.06*want {
		t.Errorf("%d events in an hour at %g/s, want %.0f within 6%%", total, rate, want)
	}
	for _, topic := range events.Topics {
		if counts[topic] == 0 {
			t.Errorf("no %s events in an hour", topic)
		}
	}
	if g.Emitted()[events.TransactionEvents] != int64(counts[events.TransactionEvents]) {
		t.Errorf("Emitted says %d transaction events, %d came out", g.Emitted()[events.TransactionEvents], counts[events.TransactionEvents])
	}
}

// A sink that refuses an event keeps it due: nothing is lost, emitted twice or reordered.
func TestAdvanceKeepsEventsAnEmitErrorRefused(t *testing.T) {
	pop := Population{Users: []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}, Banks: []string{"UTB"}}
	g, err := New(Options{Rate: 50, Seed: 5, Start: t0, Population: pop})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uuid.UUID]bool{}
	var last time.Time
	calls := 0
	accept := func(e events.Event) error {
		if seen[e.ID()] || e.At().Before(last) {
			t.Fatalf("event %s emitted twice or out of order", e.ID())
		}
		seen[e.ID()], last = true, e.At()
		return nil
	}
	end := t0.Add(2 * time.Minute)
	for now := t0; now.Before(end); now = now.Add(time.Second) {
		err := g.Advance(now, func(e events.Event) error {
			if calls++; calls%7 == 0 {
				return errors.New("sink full")
			}
			return accept(e)
		})
		if err != nil && err.Error() != "sink full" {
			t.Fatal(err)
		}
	}
	if err := g.Advance(end, accept); err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, n := range g.Emitted() {
		total += n
	}
	if total != int64(len(seen)) || len(seen) < 4000 {
		t.Fatalf("emitted %d, counted %d (want them equal, and about two minutes at 50/s)", len(seen), total)
	}
	if len(g.queue) > 0 && !g.queue[0].due.After(end) {
		t.Fatalf("an event due at %s was left behind at %s", g.queue[0].due, end)
	}
}

// BenchmarkGenerator measures how many events a second one goroutine generates and encodes (as
// every sink does) once the stream is in its steady state: past the first 15 minutes, when the
// payments drawn ahead for their logins are as many as they stay. It reports the memory held
// then, which grows with the rate.
func BenchmarkGenerator(b *testing.B) {
	users := make([]uuid.UUID, MaxUsers)
	for i := range users {
		users[i] = uuid.New()
	}
	pop := Population{Users: users, Banks: []string{"UTB", "KCB", "HVM", "FCB", "BAO"}}
	const rate = 1000
	g, err := New(Options{Rate: rate, Seed: 1, Start: t0, Population: pop})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	emit := func(e events.Event) error {
		if _, err := e.MarshalJSON(); err != nil {
			return err
		}
		n++
		return nil
	}
	now := t0
	for ; now.Before(t0.Add(20 * time.Minute)); now = now.Add(time.Second) {
		if err := g.Advance(now, emit); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	held, scheduled := float64(ms.HeapAlloc)/(1<<20), float64(g.Pending())
	b.ResetTimer()
	n = 0
	start := time.Now()
	for n < b.N {
		now = now.Add(10 * time.Millisecond)
		if err := g.Advance(now, emit); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(held, "MiB-held")
	b.ReportMetric(scheduled, "scheduled")
}
