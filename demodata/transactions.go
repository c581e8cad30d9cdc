package demodata

import (
	"math"
	"slices"
	"sort"
)

type txStatus uint8

const (
	completed txStatus = iota
	failed
	pending
)

var statusNames = [...]string{"COMPLETED", "FAILED", "PENDING"}

type channel uint8

const (
	online channel = iota
	offlineSMS
)

var channelNames = [...]string{"online", "offline_sms"}

// Failure reasons, how often each occurs among failures, and the error code the bank gateway
// logs for it.
var failureReasons = [...]struct {
	reason, code string
	weight       float64
}{
	{"insufficient_funds", "E_FUNDS", 40},
	{"bank_timeout", "E_BANK_TIMEOUT", 18},
	{"bank_declined", "E_BANK_DECLINED", 15},
	{"network_error", "E_NETWORK", 12},
	{"limit_exceeded", "E_LIMIT", 10},
	{"seal_verification_failed", "E_SEAL_INVALID", 5},
}

const (
	reasonFunds = iota
	reasonTimeout
	reasonDeclined
	reasonNetwork
	reasonLimit
	reasonSeal
)

// pendingWindow: only payments started this close to End may still be in flight.
const pendingWindow = 3 * msPerMinute

// tx is one payment with everything both databases need; its events are derived from it.
type tx struct {
	id                 [16]byte
	seal               [32]byte
	bankRef            uint64
	created            int64 // ms
	amount             int64 // cents
	sender, recipient  int32
	procMs             int32 // initiation to final state; 0 while pending
	sealOff, submitOff int32 // ms after initiation of the seal capture and bank submission
	sentinel           float32
	version            int16 // index into releases, -1 for feature phones
	bank               int8
	failure            int8 // index into failureReasons, -1 if none
	status             txStatus
	ch                 channel
	dev                device
	fraud              bool
}

func (t *tx) completedAt() int64 { return t.created + int64(t.procMs) }

type activityKind uint8

const (
	actLogin activityKind = iota
	actTransaction
	actQRScan
	actBalanceCheck
)

var activityNames = [...]string{"login", "transaction", "qr_scan", "balance_check"}

type activity struct {
	at       int64
	user     int32
	version  int16
	location int16
	kind     activityKind
	dev      device
}

// chunk is a slice of the stream, in created_at order, handed to both loaders.
type chunk struct {
	month int
	txs   []tx
	acts  []activity
}

// monthStats feed the costs and the progress display.
type monthStats struct {
	newUsers, usersToDate           int
	txs, completed, failed, pending int64
	offline, fraud                  int64
	events, activity                int64
	completedCents                  int64
	banksInForce                    int
	licensingRand                   int64
}

type planned struct {
	at     int64
	sender int32
}

// retention is the chance that an activated user pays in month k after sign-up, averaged over
// users: about 80% of payers in month 1, flattening near 32% (about 60% and 25% of the cohort).
func retention(k int, loyalty float64) float64 {
	p := (0.26 + 0.40*math.Exp(-float64(k-1)/4)) / 0.8
	return min(p*(0.4+1.2*loyalty), 0.97)
}

// planMonth decides who pays when in month mi, sorted by time.
func (gen *generator) planMonth(mi int) []planned {
	m := gen.months[mi]
	n := usersBefore(gen.users, m.end-1)
	var plan []planned
	for i := range n {
		u := &gen.users[i]
		if u.firstTx < 0 || u.firstTx >= m.end {
			continue
		}
		var from int64
		var count int
		if u.firstTx >= m.start {
			plan = append(plan, planned{u.firstTx, int32(i)})
			from = u.firstTx
			// New users are at their most active in their first weeks.
			count = gen.g.poisson(u.rate * 1.3 * gen.tx.mass(from, m.end) / m.fullMass)
		} else {
			if !gen.g.chance(retention(mi-int(u.signupMonth), u.loyalty)) {
				continue
			}
			from = m.start
			count = gen.g.poisson(u.rate * gen.tx.mass(from, m.end) / m.fullMass)
		}
		for range count {
			plan = append(plan, planned{gen.tx.draw(gen.g, from, m.end), int32(i)})
		}
	}
	slices.SortFunc(plan, func(a, b planned) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return int(a.sender - b.sender)
	})
	return plan
}

func (gen *generator) inOutage(t int64) bool {
	i := sort.Search(len(gen.outages), func(i int) bool { return gen.outages[i][1] > t })
	return i < len(gen.outages) && gen.outages[i][0] <= t
}

// makeTx turns a planned payment into a transaction and its activity rows.
func (gen *generator) makeTx(p planned, acts []activity) (tx, []activity) {
	g := gen.g
	u := &gen.users[p.sender]
	t := tx{created: p.at, sender: p.sender, failure: -1, version: -1, dev: u.dev}
	t.id = g.uuid()
	g.fill(t.seal[:])

	// A user whose bank's contract ended moves to a bank still in force.
	if b := &gen.banks[u.bank]; b.end != nil && p.at >= gen.bankEnds[u.bank] {
		u.bank = pickBank(g, gen.banks, dateOfMs(p.at), false)
	}
	t.bank = u.bank

	// Recipient: merchants take a large share; the rest go to friends (often the referrer).
	toMerchant := false
	if nm := sort.Search(len(gen.merchants), func(i int) bool { return gen.users[gen.merchants[i]].created > p.at }); nm > 0 && g.chance(0.42) {
		w := g.float() * gen.merchantCum[nm-1]
		j := sort.SearchFloat64s(gen.merchantCum[:nm], w)
		t.recipient = gen.merchants[min(j, nm-1)]
		toMerchant = t.recipient != p.sender
	}
	if !toMerchant {
		switch n := usersBefore(gen.users, p.at); {
		case u.referrer >= 0 && g.chance(0.2):
			t.recipient = u.referrer
		case n > 1:
			t.recipient = int32(g.intn(n - 1))
			if t.recipient >= p.sender {
				t.recipient++
			}
		default: // the very first payments: a user who signs up moments later
			t.recipient = int32(min(int(p.sender)+1, len(gen.users)-1))
		}
	}

	// Amount: log-normal, median around R150 and a long tail, in whole cents.
	var rands float64
	if toMerchant {
		rands = g.logNormal(110, 1.05)
	} else {
		rands = g.logNormal(170, 1.3)
	}
	t.fraud = g.chance(0.001)
	if t.fraud {
		rands *= g.between(2, 8)
	}
	rands = min(max(rands, 5), 25000)
	t.amount = int64(math.Round(rands * 100))
	if !toMerchant && g.chance(0.35) { // people send round amounts: R50, R100, R500
		step := int64(1000)
		if rands >= 500 {
			step = 5000
		}
		t.amount = max(step, (t.amount+step/2)/step*step)
	}

	if u.dev == featurePhone {
		if g.chance(0.95) {
			t.ch = offlineSMS
		}
	} else {
		if g.chance(0.06) {
			t.ch = offlineSMS
		}
		t.version = int16(max(0, sort.Search(len(gen.releases), func(i int) bool {
			return gen.releases[i].at > p.at-u.updateLag
		})-1))
	}

	// Processing time: log-normal around 0.85 s online (1.8 s over SMS) with a slow tail to
	// 30 s. Tuned so most banks meet their p95 SLA and the fastest-promised one (FCB) misses it.
	median := 850.0
	if t.ch == offlineSMS {
		median = 1800
	}
	proc := g.logNormal(median*gen.banks[t.bank].latency, 0.45)
	if g.chance(0.01) {
		proc *= g.between(3, 12)
	}

	failP := 0.026
	if t.ch == offlineSMS {
		failP = 0.045
	}
	outage := gen.inOutage(p.at)
	if outage {
		failP = 0.5
	}
	if t.fraud {
		failP = 0.2
	}
	if g.chance(failP) {
		t.status = failed
		r := gen.reasons.pick(g)
		if outage && r != reasonTimeout {
			r = reasonNetwork
		}
		t.failure = int8(r)
		switch r {
		case reasonTimeout:
			proc = g.between(15000, 30000)
		case reasonNetwork:
			proc = g.between(2000, 12000)
		case reasonSeal:
			proc = g.logNormal(350, 0.3)
		default:
			proc = g.logNormal(600*gen.banks[t.bank].latency, 0.4)
		}
	}
	t.procMs = int32(min(max(proc, 150), 30000))
	t.sealOff = int32(100 + g.intn(400))
	t.submitOff = t.sealOff + int32(200+g.intn(300))
	if t.submitOff >= t.procMs {
		t.sealOff, t.submitOff = t.procMs/5, t.procMs/2
	}
	t.bankRef = g.uint64()
	if gen.end-p.at < pendingWindow && (t.completedAt() > gen.end || g.chance(0.5)) {
		t.status, t.failure, t.procMs = pending, -1, 0
	}

	if t.fraud {
		t.sentinel = float32(0.55 + 0.45*math.Sqrt(g.float()))
	} else if g.chance(0.002) {
		t.sentinel = float32(g.between(0.6, 0.9)) // the false positives ops has to review
	} else {
		t.sentinel = float32(0.02 + 0.45*math.Pow(g.float(), 4))
	}
	u.lastActive = max(u.lastActive, p.at)

	// What the app logged around the payment.
	loc := u.location
	if g.chance(0.1) {
		loc = int16(g.intn(numLocations))
	}
	add := func(kind activityKind, at int64) {
		if at >= u.created && at < gen.end {
			acts = append(acts, activity{at: at, user: p.sender, version: t.version, location: loc, kind: kind, dev: u.dev})
		}
	}
	smart := u.dev != featurePhone
	if smart && t.ch == online && g.chance(0.3) {
		add(actLogin, max(u.created, p.at-int64(g.between(10, 900)*1000)))
	}
	if toMerchant && t.ch == online && g.chance(0.7) {
		add(actQRScan, max(u.created, p.at-int64(g.between(3, 40)*1000)))
	}
	add(actTransaction, p.at)
	if g.chance(0.25) {
		add(actBalanceCheck, p.at+int64(g.between(5, 600)*1000))
	}
	if smart && g.chance(0.2) { // a later visit without a payment
		at := p.at + int64(g.between(1, 96)*float64(msPerHour))
		add(actLogin, at)
		if g.chance(0.5) {
			add(actBalanceCheck, at+int64(g.between(5, 60)*1000))
		}
	}
	return t, acts
}

// eventCount is the number of transaction_events rows t produces.
func (t *tx) eventCount(end int64) int64 {
	n := int64(0)
	for _, e := range t.events(end) {
		if e.ok {
			n++
		}
	}
	return n
}

type event struct {
	ok    bool
	kind  string
	at    int64
	final bool
}

// events lists the lifecycle events of t: initiated, physics_seal_captured, submitted (not when
// the seal failed verification), then completed or failed. A pending payment stops where End
// cuts it off.
func (t *tx) events(end int64) [4]event {
	ev := [4]event{
		{true, "initiated", t.created, false},
		{true, "physics_seal_captured", t.created + int64(t.sealOff), false},
		{t.failure != reasonSeal, "submitted", t.created + int64(t.submitOff), false},
	}
	switch t.status {
	case completed:
		ev[3] = event{true, "completed", t.completedAt(), true}
	case failed:
		ev[3] = event{true, "failed", t.completedAt(), true}
	case pending:
		for i := range 3 {
			ev[i].ok = ev[i].ok && ev[i].at < end
		}
	}
	return ev
}
