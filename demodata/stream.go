package demodata

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"mari/calendar"
)

// A Stream draws a live stream (sign-ups, payments with their whole life, app activity) with
// the demo dataset's distributions, for a population that already exists in the database. The
// payments come out of the same makeTx the demo dataset is built with, so the amounts, channels,
// failure reasons and rates, processing times, seal and submission offsets, sentinel scores and
// the activity around a payment are the demo's by construction, not a copy of its constants.
//
// What a history has and a live stream does not: outages (the stream never fails half the
// payments on purpose), pending payments cut off at End, and months (a payer is drawn by how
// often they pay, not planned month by month). A Stream is not safe for concurrent use.
type Stream struct {
	gen      *generator
	start    int64   // ms; the existing users were created before it
	payers   []int32 // users who pay, in the order they became payers
	payerCum []float64
}

// StreamOptions describe the population a Stream continues.
type StreamOptions struct {
	Seed  int64       // the same seed, population and calls give the same draws
	Start time.Time   // the stream's first instant; app releases and contracts precede it
	Users []uuid.UUID // existing, active users: they pay and are paid (at least two)
	Banks []string    // bank codes in force: users bank with them, promotions are run by them
}

// Ratios of the stream's mix, measured on the demo dataset's last month (ProfileOf on the
// default options; stream_test holds them to it): per payment, how many sign-ups happen and how
// many activity rows the app logs. A live stream at a chosen total rate divides it by these.
const (
	SignupsPerPayment           = 0.056
	TransactionEventsPerPayment = 3.999 // 4 steps, 3 when the seal fails verification
	ActivityPerPayment          = 1.98
)

// EventsPerPayment is how many events of all topics the stream emits per payment, on average.
const EventsPerPayment = TransactionEventsPerPayment + ActivityPerPayment + SignupsPerPayment

// laterVisit bounds how far after a payment its activity is placed. The demo logs a visit
// without a payment 1 to 96 hours after a payment; a live stream would hold days of those in
// memory and emit none in its first hour. Folding the offset into the first hour (offset mod
// one hour) gives the same rate of such visits once running, from the first minute.
const laterVisit = msPerHour

// NewStream prepares a stream over o's users and banks.
func NewStream(o StreamOptions) (*Stream, error) {
	if len(o.Users) < 2 {
		return nil, fmt.Errorf("demodata: a stream needs at least two existing users (payments go between users), got %d", len(o.Users))
	}
	if len(o.Banks) == 0 {
		return nil, errors.New("demodata: a stream needs at least one bank in force")
	}
	if len(o.Banks) > math.MaxInt8 {
		return nil, fmt.Errorf("demodata: at most %d banks, got %d", math.MaxInt8, len(o.Banks))
	}
	if o.Start.IsZero() {
		return nil, errors.New("demodata: StreamOptions.Start is required")
	}
	start := o.Start.UnixMilli()
	gen := &generator{g: newRNG(o.Seed, 7), end: math.MaxInt64}
	g := gen.g
	since := calendar.DateOf(o.Start).AddDays(-3650) // every contract given is in force
	for _, code := range o.Banks {
		// A bank the demo knows keeps its market share and speed; any other is an average one.
		b := bank{code: code, status: "active", start: since, share: 3, latency: 1}
		for _, p := range bankPlans {
			if p.code == code {
				b.name, b.share, b.latency, b.slaP95ms = p.name, p.share, p.latency, p.sla
			}
		}
		gen.banks = append(gen.banks, b)
		gen.bankEnds = append(gen.bankEnds, math.MaxInt64)
	}
	gen.releases = buildReleases(g, start-18*30*msPerDay, start)
	for range numLocations {
		gen.locations = append(gen.locations, g.hex(8))
	}
	w := make([]float64, len(failureReasons))
	for i, r := range failureReasons {
		w[i] = r.weight
	}
	gen.reasons = newWeighted(w...)

	s := &Stream{gen: gen, start: start}
	gen.users = make([]user, 0, len(o.Users))
	day := calendar.DateOf(o.Start)
	for _, id := range o.Users {
		// The database knows who they are, not how they use the app: that is drawn as for a
		// new user. They exist before the stream and have all paid before.
		u := s.drawHabits(start - 1)
		u.id = id
		u.firstTx = start - 1
		u.bank = pickBank(g, gen.banks, day, false)
		gen.users = append(gen.users, u)
		s.addMerchant(int32(len(gen.users) - 1))
		s.addPayer(int32(len(gen.users) - 1))
	}
	return s, nil
}

// drawHabits draws the habits of a user as buildUsers does: device, payment rate, loyalty, how
// far behind app releases they are, home location and whether they are a merchant.
func (s *Stream) drawHabits(created int64) user {
	g := s.gen.g
	u := user{created: created, lastActive: created, status: "active", referrer: -1, promoBank: -1}
	u.dev = device(newWeighted(72, 18, 10).pick(g))
	u.rate = min(max(g.logNormal(5, 0.55), 2), 40)
	u.loyalty = g.float()
	u.updateLag = int64(g.exp(12) * float64(msPerDay))
	u.location = int16(g.intn(numLocations))
	u.merchant = g.chance(0.011)
	return u
}

func (s *Stream) addMerchant(i int32) {
	gen := s.gen
	if !gen.users[i].merchant {
		return
	}
	total := 0.0
	if n := len(gen.merchantCum); n > 0 {
		total = gen.merchantCum[n-1]
	}
	gen.merchants = append(gen.merchants, i)
	gen.merchantCum = append(gen.merchantCum, total+gen.g.logNormal(1, 1.2)) // a few are very popular
}

// addPayer makes user i one of those who pay, weighted by how often they pay in an active
// month and how loyal they are (retention's loyalty factor).
func (s *Stream) addPayer(i int32) {
	u := &s.gen.users[i]
	total := 0.0
	if n := len(s.payerCum); n > 0 {
		total = s.payerCum[n-1]
	}
	s.payers = append(s.payers, i)
	s.payerCum = append(s.payerCum, total+u.rate*(0.4+1.2*u.loyalty))
}

// UserRef names a user of the stream, for a sign-up's first payment.
type UserRef int32

// SignUp is a new user. FirstPayment is when they first pay (zero if they never do): call
// FirstPayment then, so the first payment is theirs and they become a payer.
type SignUp struct {
	Ref             UserRef
	ID              uuid.UUID
	At              time.Time
	PhoneNumberHash string // 64 hex characters
	BloodHash       string // 16 hex characters
	DevicePublicKey string
	Source          string    // organic, referral or bank_promotion
	ReferrerID      uuid.UUID // referral only
	PromoBankCode   string    // bank_promotion only
	FirstPayment    time.Time
}

// SignUp draws a user who signs up at at, as buildUsers does (source mix, referrers, promotion
// banks, activation delay). at must not be before the previous sign-up.
func (s *Stream) SignUp(at time.Time) SignUp {
	gen, g := s.gen, s.gen.g
	c := max(at.UnixMilli(), s.start)
	if n := len(gen.users); gen.users[n-1].created > c {
		c = gen.users[n-1].created // users stay in created order: recipients are searched by it
	}
	day := calendar.DateOf(msTime(c))
	i := len(gen.users)
	u := s.drawHabits(c)
	u.id = g.uuid()
	u.phoneHash = g.hex(32)
	u.bloodHash = g.hex(8)
	u.publicKey = g.base64(32)
	u.source = signupSource(newWeighted(55, 30, 15).pick(g))
	switch u.source {
	case referral:
		// Referrers are earlier users, more often ones who pay (they invite their friends).
		r := int32(g.intn(i))
		for try := 0; try < 4 && gen.users[r].firstTx < 0; try++ {
			r = int32(g.intn(i))
		}
		u.referrer = r
	case bankPromotion:
		u.promoBank = pickBank(g, gen.banks, day, true)
	}
	if u.promoBank >= 0 {
		u.bank = u.promoBank
	} else {
		u.bank = pickBank(g, gen.banks, day, false)
	}
	// Activation: about three in four pay within a week; a few more come back later.
	activate := [...]float64{organic: 0.73, referral: 0.82, bankPromotion: 0.70}[u.source]
	u.firstTx = -1
	switch {
	case g.chance(activate):
		delay := g.exp(14 * float64(msPerHour))
		for delay >= float64(7*msPerDay) {
			delay = g.exp(14 * float64(msPerHour))
		}
		u.firstTx = c + 1000 + int64(delay)
	case g.chance(0.08):
		u.firstTx = c + int64(g.between(8, 40)*float64(msPerDay))
	}
	gen.users = append(gen.users, u)
	s.addMerchant(int32(i))

	out := SignUp{Ref: UserRef(i), ID: uuid.UUID(u.id), At: msTime(c), PhoneNumberHash: u.phoneHash,
		BloodHash: u.bloodHash, DevicePublicKey: u.publicKey, Source: sourceNames[u.source]}
	if u.referrer >= 0 {
		out.ReferrerID = uuid.UUID(gen.users[u.referrer].id)
	}
	if u.promoBank >= 0 {
		out.PromoBankCode = gen.banks[u.promoBank].code
	}
	if u.firstTx >= 0 {
		out.FirstPayment = msTime(u.firstTx)
	}
	return out
}

// Step is one event of a payment's life.
type Step struct {
	Type string // initiated, physics_seal_captured, submitted, completed or failed
	At   time.Time
}

// Activity is one thing a user did in the app.
type Activity struct {
	UserID     uuid.UUID
	Type       string // login, transaction, qr_scan or balance_check
	At         time.Time
	Device     string
	AppVersion string // "" on feature phones
	Location   string
}

// Payment is one payment's whole life, drawn at its initiation.
type Payment struct {
	TransactionID   uuid.UUID
	Sender          uuid.UUID
	Recipient       uuid.UUID
	Amount          decimal.Decimal // rand, to the cent
	BankCode        string
	Channel         string // online or offline_sms
	Device          string
	AppVersion      string // "" on feature phones
	SentinelScore   float32
	Fraud           bool
	PhysicsSealHash string // 64 hex characters
	FailureReason   string // "" when it completes
	ErrorCode       string
	ProcessingTime  time.Duration // initiation to the final event
	Steps           []Step        // in time order; the last one is final
	Activity        []Activity    // around the payment, in no particular order
}

// Payment draws a payment initiated at at by one of the payers.
func (s *Stream) Payment(at time.Time) Payment {
	g := s.gen.g
	u := g.float() * s.payerCum[len(s.payerCum)-1]
	j := min(sort.SearchFloat64s(s.payerCum, u), len(s.payers)-1)
	return s.payment(s.payers[j], at)
}

// FirstPayment draws the first payment of a user who signed up through the stream, and makes
// them a payer from then on.
func (s *Stream) FirstPayment(ref UserRef, at time.Time) Payment {
	p := s.payment(int32(ref), at)
	s.addPayer(int32(ref))
	return p
}

func (s *Stream) payment(sender int32, at time.Time) Payment {
	gen := s.gen
	t, acts := gen.makeTx(planned{at: at.UnixMilli(), sender: sender}, nil)
	if t.recipient == t.sender { // only possible with a single user, which NewStream refuses
		t.recipient = (t.sender + 1) % int32(len(gen.users))
	}
	p := Payment{
		TransactionID:   uuid.UUID(t.id),
		Sender:          uuid.UUID(gen.users[t.sender].id),
		Recipient:       uuid.UUID(gen.users[t.recipient].id),
		Amount:          decimal.New(t.amount, -2),
		BankCode:        gen.banks[t.bank].code,
		Channel:         channelNames[t.ch],
		Device:          deviceNames[t.dev],
		SentinelScore:   t.sentinel,
		Fraud:           t.fraud,
		PhysicsSealHash: hex.EncodeToString(t.seal[:]),
		ProcessingTime:  time.Duration(t.procMs) * time.Millisecond,
	}
	if t.version >= 0 {
		p.AppVersion = gen.releases[t.version].version
	}
	if t.failure >= 0 {
		p.FailureReason, p.ErrorCode = failureReasons[t.failure].reason, failureReasons[t.failure].code
	}
	for _, e := range t.events(gen.end) {
		if e.ok {
			p.Steps = append(p.Steps, Step{Type: e.kind, At: msTime(e.at)})
		}
	}
	for i, a := range acts {
		at := a.at
		if off := at - t.created; off >= laterVisit {
			at = t.created + off%laterVisit
			// A balance check follows its visit's login by seconds: keep the pair together.
			if i > 0 && acts[i-1].kind == actLogin && acts[i-1].at-t.created >= laterVisit && a.kind == actBalanceCheck {
				at = t.created + (acts[i-1].at-t.created)%laterVisit + (a.at - acts[i-1].at)
			}
		}
		version := ""
		if a.version >= 0 {
			version = gen.releases[a.version].version
		}
		p.Activity = append(p.Activity, Activity{UserID: uuid.UUID(gen.users[a.user].id), Type: activityNames[a.kind],
			At: msTime(at), Device: deviceNames[a.dev], AppVersion: version, Location: gen.locations[a.location]})
	}
	return p
}

// Users is how many users the stream knows: the existing ones and those who signed up since.
func (s *Stream) Users() int { return len(s.gen.users) }

// Profile summarises the payments of the demo dataset's last month, outside outages: what a
// live stream, which has no outages, should look like.
type Profile struct {
	Payments                    int64   // final (completed or failed) payments
	FailureShare                float64 // failed / final
	MedianProcessingMS          int32   // over final payments
	SignupsPerPayment           float64
	TransactionEventsPerPayment float64
	ActivityPerPayment          float64
	FailureReasons              map[string]float64 // share of failures
}

// ProfileOf generates the demo dataset of o in memory (nothing is written) and profiles its
// last month.
func ProfileOf(ctx context.Context, o Options) (Profile, error) {
	gen, err := newGenerator(o)
	if err != nil {
		return Profile{}, err
	}
	last := len(gen.months) - 1
	var p Profile
	var procs []int32
	var all, acts int64
	reasons := map[string]int64{}
	err = gen.run(ctx, func(c *chunk) error {
		if c.month != last {
			return nil
		}
		for i := range c.txs {
			t := &c.txs[i]
			if t.status == pending || gen.inOutage(t.created) {
				continue
			}
			all++
			p.TransactionEventsPerPayment += float64(t.eventCount(gen.end))
			procs = append(procs, t.procMs)
			if t.status == failed {
				reasons[failureReasons[t.failure].reason]++
			}
		}
		acts += int64(len(c.acts))
		return nil
	}, func(int) {})
	if err != nil {
		return Profile{}, err
	}
	if all == 0 {
		return Profile{}, errors.New("demodata: the last month has no payments")
	}
	m := gen.months[last]
	signups := usersBefore(gen.users, m.end-1) - usersBefore(gen.users, m.start-1)
	total := int64(0)
	for _, n := range reasons {
		total += n
	}
	slices.Sort(procs)
	p.Payments = all
	p.FailureShare = float64(total) / float64(all)
	p.MedianProcessingMS = procs[len(procs)/2]
	p.TransactionEventsPerPayment /= float64(all)
	// Activity and sign-ups are per payment of any kind, outage or not.
	payments := gen.stats[last].txs
	p.ActivityPerPayment = float64(acts) / float64(payments)
	p.SignupsPerPayment = float64(signups) / float64(payments)
	p.FailureReasons = map[string]float64{}
	for r, n := range reasons {
		p.FailureReasons[r] = float64(n) / float64(total)
	}
	return p, nil
}
