// Package simulate is `mari simulate`: a live demo stream. A Generator continues the database's
// population in real time (sign-ups, payments through their life, app activity) with the demo
// dataset's distributions, and a Sink delivers the events, through the ingest endpoint or Kafka.
package simulate

import (
	"container/heap"
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/demodata"
	"mari/events"
	"mari/queries"
)

// MaxUsers is how many existing users a stream pays between: enough for realistic spread, small
// enough to load in a moment.
const MaxUsers = 50_000

// Population is who exists when the stream starts.
type Population struct {
	Users []uuid.UUID // active users, the most recently active first
	Banks []string    // codes of the banks live or in pilot today
}

// LoadPopulation reads the population from PostgreSQL.
func LoadPopulation(ctx context.Context, pg *pgxpool.Pool, now time.Time) (Population, error) {
	users, err := queries.SimulateUsers(ctx, pg, MaxUsers)
	if err != nil {
		return Population{}, fmt.Errorf("read users: %w", err)
	}
	banks, err := queries.SimulateBanks(ctx, pg, calendar.DateOf(now))
	if err != nil {
		return Population{}, fmt.Errorf("read banks: %w", err)
	}
	switch {
	case len(users) < 2:
		return Population{}, fmt.Errorf("the database has %d active users; a stream needs at least two (load the demo data: mari demo)", len(users))
	case len(banks) == 0:
		return Population{}, errors.New("the database has no bank partnership live or in pilot today; payments need one")
	}
	return Population{Users: users, Banks: banks}, nil
}

// Options configure a Generator.
type Options struct {
	Rate  float64   // events per second over all topics, on average
	Seed  int64     // 0 draws one: a fixed seed would repeat hashes and ids of an earlier run
	Start time.Time // the stream's first instant
	Population
}

// lead is how long before its initiation a payment is drawn: the app logs a login up to 15
// minutes before a payment, and those events must be emitted in their own time.
const lead = 15 * time.Minute

// maxDrawAhead bounds the payments one Advance draws ahead of the next second.
const maxDrawAhead = 2000

// Generator emits the stream. Advance it with the clock; it is not safe for concurrent use.
type Generator struct {
	stream      *demodata.Stream
	rng         *rand.Rand
	start       time.Time
	paymentGap  float64 // mean seconds between payments
	signupGap   float64 // mean seconds between sign-ups
	nextPayment time.Time
	nextSignup  time.Time
	owed        int // first payments of new users, taken out of the next payers' turns
	queue       schedule
	seq         uint64
	emitted     [3]int64 // by topic, in events.Topics order
}

// New prepares a generator. Nothing is emitted before o.Start.
func New(o Options) (*Generator, error) {
	if !(o.Rate > 0) || o.Rate > 1e6 {
		return nil, fmt.Errorf("rate %g events per second: want above 0 and at most 1000000", o.Rate)
	}
	if o.Seed == 0 {
		var b [8]byte
		_, _ = crand.Read(b[:])
		o.Seed = int64(binary.LittleEndian.Uint64(b[:]) >> 1)
	}
	if o.Start.IsZero() {
		o.Start = time.Now()
	}
	stream, err := demodata.NewStream(demodata.StreamOptions{Seed: o.Seed, Start: o.Start, Users: o.Users, Banks: o.Banks})
	if err != nil {
		return nil, err
	}
	payments := o.Rate / demodata.EventsPerPayment
	g := &Generator{
		stream:     stream,
		rng:        rand.New(rand.NewPCG(uint64(o.Seed), 0x73696d)),
		start:      o.Start,
		paymentGap: 1 / payments,
		signupGap:  1 / (payments * demodata.SignupsPerPayment),
	}
	g.nextPayment = g.start.Add(g.gap(g.paymentGap))
	g.nextSignup = g.start.Add(g.gap(g.signupGap))
	return g, nil
}

// gap draws the time to the next arrival of a Poisson process with the given mean gap.
func (g *Generator) gap(mean float64) time.Duration {
	return time.Duration(g.rng.ExpFloat64() * mean * float64(time.Second))
}

// Advance emits, in time order, every event due at or before now. An emit error stops it; the
// events not yet emitted stay due.
func (g *Generator) Advance(now time.Time, emit func(events.Event) error) error {
	for !g.nextSignup.After(now) {
		g.signUp(g.nextSignup)
		g.nextSignup = g.nextSignup.Add(g.gap(g.signupGap))
	}
	drawn := 0
	for horizon := now.Add(lead); !g.nextPayment.After(horizon); g.nextPayment = g.nextPayment.Add(g.gap(g.paymentGap)) {
		// Drawing the first 15 minutes at once would stall a fast stream at its start: beyond
		// the next second, one call draws a bounded number, and the window fills over a few
		// ticks (the logins this skips would have been before the stream, had it started earlier).
		if drawn++; drawn > maxDrawAhead && g.nextPayment.After(now.Add(time.Second)) {
			break
		}
		if g.owed > 0 {
			g.owed-- // a new user's first payment took this turn
			continue
		}
		g.schedulePayment(g.stream.Payment(g.nextPayment), now)
	}
	for len(g.queue) > 0 && !g.queue[0].due.After(now) {
		it := &g.queue[0]
		switch {
		case it.first != nil:
			first := it.first
			heap.Pop(&g.queue)
			g.owed++
			g.schedulePayment(g.stream.FirstPayment(first.ref, first.at), now)
		case it.payment != nil:
			lp := it.payment
			ev := lp.event()
			if err := emit(ev); err != nil {
				return err
			}
			g.emitted[topicIndex(ev.Topic())]++
			// The payment's next moment takes the item's place (no new allocation).
			if due, ok := lp.advance(); ok {
				g.seq++
				it.due, it.seq = due, g.seq
				heap.Fix(&g.queue, 0)
			} else {
				heap.Pop(&g.queue)
			}
		default:
			if err := emit(it.ev); err != nil {
				return err
			}
			g.emitted[topicIndex(it.ev.Topic())]++
			heap.Pop(&g.queue)
		}
	}
	return nil
}

// Emitted is how many events of each topic the generator has emitted.
func (g *Generator) Emitted() map[events.Topic]int64 {
	out := map[events.Topic]int64{}
	for i, t := range events.Topics {
		out[t] = g.emitted[i]
	}
	return out
}

// Pending is how many events and first payments are scheduled.
func (g *Generator) Pending() int { return len(g.queue) }

func topicIndex(t events.Topic) int {
	for i, x := range events.Topics {
		if x == t {
			return i
		}
	}
	return 0
}

func (g *Generator) push(due time.Time, ev events.Event, first *firstPayment) {
	g.seq++
	heap.Push(&g.queue, item{due: due, seq: g.seq, ev: ev, first: first})
}

func (g *Generator) signUp(at time.Time) {
	su := g.stream.SignUp(at)
	g.push(su.At, events.Event{User: &events.User{
		EventID:         uuid.New(),
		EventType:       events.SignedUp,
		Timestamp:       su.At,
		UserID:          su.ID,
		PhoneNumberHash: su.PhoneNumberHash,
		BloodHash:       su.BloodHash,
		DevicePublicKey: su.DevicePublicKey,
		SignupSource:    su.Source,
		ReferrerUserID:  su.ReferrerID,
		PromoBankCode:   su.PromoBankCode,
		Status:          "active",
	}}, nil)
	if !su.FirstPayment.IsZero() {
		g.push(su.FirstPayment.Add(-lead), events.Event{}, &firstPayment{ref: su.Ref, at: su.FirstPayment})
	}
}

// schedulePayment queues a payment. It is held as drawn, one scheduled item per payment, and
// each event is built when due: a payment is drawn 15 minutes ahead, and at a high rate the
// payments in hand would otherwise hold millions of built events.
func (g *Generator) schedulePayment(p demodata.Payment, now time.Time) {
	// Activity already past when the payment is drawn (before the stream started, or within
	// the tick it was drawn in) is left out: emitted now, it would come after later events.
	p.Activity = slices.DeleteFunc(p.Activity, func(a demodata.Activity) bool { return a.At.Before(now) })
	slices.SortStableFunc(p.Activity, func(a, b demodata.Activity) int { return a.At.Compare(b.At) })
	lp := &livePayment{p: p}
	due, _ := lp.due()
	g.seq++
	heap.Push(&g.queue, item{due: due, seq: g.seq, payment: lp})
}

// livePayment is a drawn payment and how far its events have been emitted: steps and activity,
// merged in time order (a step before an activity at the same instant).
type livePayment struct {
	p            demodata.Payment
	step, active int
}

// due is when the next event is, if there is one.
func (lp *livePayment) due() (time.Time, bool) {
	switch {
	case lp.step < len(lp.p.Steps) && (lp.active >= len(lp.p.Activity) || !lp.p.Activity[lp.active].At.Before(lp.p.Steps[lp.step].At)):
		return lp.p.Steps[lp.step].At, true
	case lp.active < len(lp.p.Activity):
		return lp.p.Activity[lp.active].At, true
	}
	return time.Time{}, false
}

func (lp *livePayment) isStep() bool {
	return lp.step < len(lp.p.Steps) && (lp.active >= len(lp.p.Activity) || !lp.p.Activity[lp.active].At.Before(lp.p.Steps[lp.step].At))
}

// advance moves past the event event() built and says when the next one is due.
func (lp *livePayment) advance() (time.Time, bool) {
	if lp.isStep() {
		lp.step++
	} else {
		lp.active++
	}
	return lp.due()
}

// event builds the next event.
func (lp *livePayment) event() events.Event {
	p := &lp.p
	if !lp.isStep() {
		a := p.Activity[lp.active]
		return events.Event{Activity: &events.Activity{
			EventID: uuid.New(), UserID: a.UserID, ActivityType: a.Type, Timestamp: a.At,
			DeviceType: a.Device, AppVersion: a.AppVersion, LocationHash: a.Location,
		}}
	}
	st := p.Steps[lp.step]
	score := p.SentinelScore
	// Every event carries the payment's amount, bank, device and channel, as the demo's event
	// rows do; the initiated one alone carries the recipient, seal and app version.
	e := &events.Transaction{
		EventID: uuid.New(), TransactionID: p.TransactionID, UserID: p.Sender, EventType: st.Type,
		Timestamp: st.At, Amount: decimal.NewNullDecimal(p.Amount), Currency: "ZAR", BankID: p.BankCode,
		DeviceType: p.Device, Channel: p.Channel, SentinelScore: &score,
	}
	switch st.Type {
	case events.Initiated:
		e.RecipientID, e.PhysicsSealHash, e.AppVersion = p.Recipient, p.PhysicsSealHash, p.AppVersion
	case events.Completed, events.Failed:
		ms := int32(p.ProcessingTime / time.Millisecond)
		e.ProcessingTimeMS = &ms
		if st.Type == events.Failed {
			e.FailureReason, e.ErrorCode = p.FailureReason, p.ErrorCode
		}
	}
	return events.Event{Transaction: e}
}

type firstPayment struct {
	ref demodata.UserRef
	at  time.Time
}

// item is what is due next: a sign-up's event, a payment's next event, or a new user's first
// payment, to draw.
type item struct {
	due     time.Time
	seq     uint64 // ties keep the order of scheduling
	ev      events.Event
	payment *livePayment
	first   *firstPayment
}

// schedule is a min-heap of items by due time.
type schedule []item

func (s schedule) Len() int { return len(s) }
func (s schedule) Less(i, j int) bool {
	if !s[i].due.Equal(s[j].due) {
		return s[i].due.Before(s[j].due)
	}
	return s[i].seq < s[j].seq
}
func (s schedule) Swap(i, j int) { s[i], s[j] = s[j], s[i] }
func (s *schedule) Push(x any)   { *s = append(*s, x.(item)) }
func (s *schedule) Pop() any {
	old := *s
	n := len(old)
	it := old[n-1]
	old[n-1] = item{}
	*s = old[:n-1]
	return it
}
