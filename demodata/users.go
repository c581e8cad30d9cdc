package demodata

import (
	"math"
	"slices"
	"sort"

	"mari/calendar"
)

type device uint8

const (
	android device = iota
	ios
	featurePhone
)

var deviceNames = [...]string{"android", "ios", "feature_phone"}

type signupSource uint8

const (
	organic signupSource = iota
	referral
	bankPromotion
)

var sourceNames = [...]string{"organic", "referral", "bank_promotion"}

// user holds what the generator needs about one user; users are kept in memory (a few hundred
// bytes each) while transactions stream through.
type user struct {
	id          [16]byte
	created     int64 // ms
	phoneHash   string
	bloodHash   string
	publicKey   string
	status      string
	source      signupSource
	referrer    int32 // index of the referring user, -1 if none
	promoBank   int8  // index into banks, -1 if none
	bank        int8  // current primary bank
	dev         device
	signupMonth int32
	firstTx     int64   // ms of the first payment; -1 for users who never pay
	rate        float64 // payments in a full active month
	loyalty     float64 // 0..1: how likely the user keeps coming back
	updateLag   int64   // ms the user lags behind app releases
	location    int16   // home location (index into locations)
	merchant    bool
	lastActive  int64 // ms; created until a payment moves it on
}

// usersPerScale is the user count at Scale 1 for the default 18-month history.
const usersPerScale = 25000

// buildUsers draws every user, in created_at order.
func buildUsers(g *rng, o Options, months []month, banks []bank, signups *profile, end int64) []user {
	// Monthly sign-ups follow a logistic curve: slow after launch, steep in the second year.
	weights := make([]float64, len(months))
	total := 0.0
	for i, m := range months {
		x := float64(i+1) / float64(len(months))
		weights[i] = (0.03 + 1/(1+math.Exp(-9*(x-0.72)))) * m.fraction
		total += weights[i]
	}
	target := float64(usersPerScale) * o.Scale * float64(len(months)) / 19
	var created []int64
	for i, m := range months {
		n := int(math.Round(target * weights[i] / total))
		if i == 0 {
			n = max(n, 1)
		}
		monthly := make([]int64, n)
		for j := range monthly {
			monthly[j] = signups.draw(g, m.start, m.end)
		}
		slices.Sort(monthly)
		created = append(created, monthly...)
	}
	for i := 1; i < len(created); i++ { // strictly increasing: a referrer is always earlier
		if created[i] <= created[i-1] {
			created[i] = created[i-1] + 1
		}
	}
	for len(created) > 0 && created[len(created)-1] >= end {
		created = created[:len(created)-1]
	}

	devices := newWeighted(72, 18, 10)
	sources := newWeighted(55, 30, 15)
	statuses := newWeighted(96, 2.5, 1.5)
	statusNames := [...]string{"active", "suspended", "closed"}
	users := make([]user, len(created))
	for i, c := range created {
		u := &users[i]
		u.id = g.uuid()
		u.created = c
		u.lastActive = c
		u.phoneHash = g.hex(32)
		u.bloodHash = g.hex(8)
		u.publicKey = g.base64(32)
		u.status = statusNames[statuses.pick(g)]
		u.signupMonth = int32(monthIndex(months, c))
		u.referrer, u.promoBank = -1, -1
		u.dev = device(devices.pick(g))
		u.rate = min(max(g.logNormal(5, 0.55), 2), 40)
		u.loyalty = g.float()
		u.updateLag = int64(g.exp(12) * float64(msPerDay))
		u.location = int16(g.intn(numLocations))
		u.merchant = g.chance(0.011)

		day := calendar.DateOf(msTime(c))
		u.source = signupSource(sources.pick(g))
		if u.source == referral && i == 0 {
			u.source = organic
		}
		switch u.source {
		case referral:
			// Referrers are earlier users, more often ones who pay (they invite their friends).
			r := int32(g.intn(i))
			for try := 0; try < 4 && users[r].firstTx < 0; try++ {
				r = int32(g.intn(i))
			}
			u.referrer = r
		case bankPromotion:
			u.promoBank = pickBank(g, banks, day, true)
		}
		if u.promoBank >= 0 {
			u.bank = u.promoBank
		} else {
			u.bank = pickBank(g, banks, day, false)
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
		if u.firstTx >= end {
			u.firstTx = -1
		}
	}
	return users
}

// pickBank draws a bank whose contract is in force on day d, by market share; promotions
// are run mostly by the newer banks.
func pickBank(g *rng, banks []bank, d calendar.Date, promo bool) int8 {
	total := 0.0
	w := make([]float64, len(banks))
	for i := range banks {
		if banks[i].inForce(d) {
			w[i] = banks[i].share
			if promo && i > 0 {
				w[i] *= 3
			}
		}
		total += w[i]
	}
	if total == 0 {
		return 0
	}
	return int8(newWeighted(w...).pick(g))
}

// usersBefore counts users created at or before t.
func usersBefore(users []user, t int64) int {
	return sort.Search(len(users), func(i int) bool { return users[i].created > t })
}
