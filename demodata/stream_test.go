package demodata

import (
	"context"
	"encoding/hex"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

// The demo dataset's bytes are pinned: the stream shares the demo's code paths (makeTx, the
// weights, the rng), and nothing it adds may change what `mari demo` writes. The digest is of
// every user and payment of a small dataset, taken with the demo files as they were before the
// stream was added.
func TestDemoOutputPinned(t *testing.T) {
	var txs []tx
	gen := runInMemory(t, Options{Seed: 7, Scale: 0.3, Months: 3, End: testEnd}, func(c *chunk) { txs = append(txs, c.txs...) })
	d := digest(gen, txs)
	const want = "9808b2be339976e7b66f7f0b013fe82a8d87fbb32dc17005fe091c831b6eaf48"
	if got := hex.EncodeToString(d[:]); got != want {
		t.Fatalf("demo dataset digest %s, want %s: the demo data changed", got, want)
	}
}

var demoProfileOptions = Options{Seed: 42, Scale: 1, Months: 18, End: testEnd}

// The stream's mix constants are the demo's last month, within the month-to-month variation.
func TestStreamMixMatchesDemo(t *testing.T) {
	p, err := ProfileOf(context.Background(), demoProfileOptions)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo profile: %+v", p)
	near := func(name string, got, want, tol float64) {
		if math.Abs(got-want) > tol*want {
			t.Errorf("%s: constant %.4f, demo %.4f (tolerance %.0f%%)", name, got, want, tol*100)
		}
	}
	near("SignupsPerPayment", SignupsPerPayment, p.SignupsPerPayment, 0.15)
	near("TransactionEventsPerPayment", TransactionEventsPerPayment, p.TransactionEventsPerPayment, 0.005)
	near("ActivityPerPayment", ActivityPerPayment, p.ActivityPerPayment, 0.05)
}

func newTestStream(t *testing.T, users int) (*Stream, []uuid.UUID) {
	t.Helper()
	ids := make([]uuid.UUID, users)
	for i := range ids {
		ids[i] = uuid.NewSHA1(uuid.NameSpaceOID, []byte{byte(i >> 16), byte(i >> 8), byte(i)})
	}
	s, err := NewStream(StreamOptions{Seed: 3, Start: testEnd, Users: ids, Banks: []string{"UTB", "KCB", "HVM", "FCB", "BAO"}})
	if err != nil {
		t.Fatal(err)
	}
	return s, ids
}

// Payments drawn by the stream look like the demo's last month: the same failure share and
// reasons, the same processing-time median, and lives that follow the contract.
func TestStreamPaymentsMatchDemo(t *testing.T) {
	p, err := ProfileOf(context.Background(), demoProfileOptions)
	if err != nil {
		t.Fatal(err)
	}
	s, ids := newTestStream(t, 5000)
	known := map[uuid.UUID]bool{}
	for _, id := range ids {
		known[id] = true
	}
	const n = 30000
	var failedN int
	reasons := map[string]int{}
	var procs []time.Duration
	seals := map[string]bool{}
	at := testEnd
	for i := range n {
		at = at.Add(700 * time.Millisecond)
		if i%50 == 0 {
			su := s.SignUp(at)
			known[su.ID] = true
		}
		pay := s.Payment(at)
		if !known[pay.Sender] || !known[pay.Recipient] || pay.Sender == pay.Recipient {
			t.Fatalf("payment %d between unknown or identical users: %+v", i, pay)
		}
		if !pay.Amount.IsPositive() || !pay.Amount.Equal(pay.Amount.Round(2)) {
			t.Fatalf("amount %s", pay.Amount)
		}
		if len(pay.PhysicsSealHash) != 64 || seals[pay.PhysicsSealHash] {
			t.Fatalf("seal %q is not a fresh 64-character hash", pay.PhysicsSealHash)
		}
		seals[pay.PhysicsSealHash] = true
		checkSteps(t, pay, at)
		procs = append(procs, pay.ProcessingTime)
		if pay.FailureReason != "" {
			failedN++
			reasons[pay.FailureReason]++
		}
		for _, a := range pay.Activity {
			if a.UserID != pay.Sender {
				t.Fatalf("activity of %s around a payment of %s", a.UserID, pay.Sender)
			}
			if d := a.At.Sub(at); d < -15*time.Minute || d > time.Hour+time.Minute {
				t.Fatalf("%s %s after the payment, want within 15 minutes before to an hour after", a.Type, d)
			}
		}
	}
	share := float64(failedN) / n
	slices.Sort(procs)
	median := procs[n/2]
	t.Logf("stream: failure share %.4f, median processing %s, reasons %v", share, median, reasons)
	// 30 000 payments at 3% failing: one standard deviation is 0.001.
	if d := share - p.FailureShare; math.Abs(d) > 0.005 {
		t.Errorf("failure share %.4f, demo %.4f", share, p.FailureShare)
	}
	demoMedian := time.Duration(p.MedianProcessingMS) * time.Millisecond
	if d := median - demoMedian; d < -demoMedian/12 || d > demoMedian/12 {
		t.Errorf("median processing %s, demo %s (want within 8%%)", median, demoMedian)
	}
	for r, want := range p.FailureReasons {
		if got := float64(reasons[r]) / float64(failedN); math.Abs(got-want) > 0.06 {
			t.Errorf("failure reason %s: %.3f of failures, demo %.3f", r, got, want)
		}
	}
}

// checkSteps holds a payment's life to the contract: initiated first, strictly later steps,
// submitted unless the seal failed verification, and exactly one final step, last.
func checkSteps(t *testing.T, p Payment, at time.Time) {
	t.Helper()
	want := []string{"initiated", "physics_seal_captured", "submitted", "completed"}
	switch {
	case p.FailureReason == "seal_verification_failed":
		want = []string{"initiated", "physics_seal_captured", "failed"}
	case p.FailureReason != "":
		want[3] = "failed"
	}
	var got []string
	for i, st := range p.Steps {
		got = append(got, st.Type)
		if i > 0 && !st.At.After(p.Steps[i-1].At) {
			t.Fatalf("steps not in time order: %+v", p.Steps)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("steps %v, want %v (failure %q)", got, want, p.FailureReason)
	}
	if !p.Steps[0].At.Equal(at.Truncate(time.Millisecond)) {
		t.Fatalf("initiated at %s, want %s", p.Steps[0].At, at)
	}
	if took := p.Steps[len(p.Steps)-1].At.Sub(p.Steps[0].At); took != p.ProcessingTime {
		t.Fatalf("final step %s after initiation, processing time %s", took, p.ProcessingTime)
	}
}

// Sign-ups have the demo users' source and device mix and activation share, unique hashes,
// earlier referrers and promotion banks among the banks given.
func TestStreamSignupsMatchDemo(t *testing.T) {
	gen, err := newGenerator(demoProfileOptions)
	if err != nil {
		t.Fatal(err)
	}
	demoSources, demoDevices := map[string]float64{}, map[string]float64{}
	var demoActive, demoOld float64
	for i := range gen.users {
		u := &gen.users[i]
		if i > 0 { // the first user cannot be referred and is organic
			demoSources[sourceNames[u.source]]++
		}
		demoDevices[deviceNames[u.dev]]++
		if u.created < gen.end-41*msPerDay { // activation has had its full window
			demoOld++
			if u.firstTx >= 0 {
				demoActive++
			}
		}
	}
	s, ids := newTestStream(t, 1000)
	known := map[uuid.UUID]bool{}
	for _, id := range ids {
		known[id] = true
	}
	const n = 20000
	sources, devices := map[string]float64{}, map[string]float64{}
	phones, bloods := map[string]bool{}, map[string]bool{}
	var active float64
	at := testEnd
	for range n {
		at = at.Add(3 * time.Second)
		su := s.SignUp(at)
		if len(su.PhoneNumberHash) != 64 || len(su.BloodHash) != 16 || phones[su.PhoneNumberHash] || bloods[su.BloodHash] {
			t.Fatalf("hashes not fresh or of the wrong length: %+v", su)
		}
		phones[su.PhoneNumberHash], bloods[su.BloodHash] = true, true
		if (su.Source == "referral") != (su.ReferrerID != uuid.Nil) || (su.ReferrerID != uuid.Nil && !known[su.ReferrerID]) {
			t.Fatalf("referrer %s of a %s sign-up is not an earlier user", su.ReferrerID, su.Source)
		}
		if (su.Source == "bank_promotion") != (su.PromoBankCode != "") || !slices.Contains([]string{"", "UTB", "KCB", "HVM", "FCB", "BAO"}, su.PromoBankCode) {
			t.Fatalf("promotion bank %q of a %s sign-up", su.PromoBankCode, su.Source)
		}
		known[su.ID] = true
		sources[su.Source]++
		if !su.FirstPayment.IsZero() {
			active++
			if !su.FirstPayment.After(su.At) {
				t.Fatalf("first payment %s before sign-up %s", su.FirstPayment, su.At)
			}
			pay := s.FirstPayment(su.Ref, su.FirstPayment)
			if pay.Sender != su.ID {
				t.Fatalf("first payment sent by %s, want %s", pay.Sender, su.ID)
			}
		}
	}
	// One user from 25 000 at about 50% is one standard deviation of 0.3 points; 20 000 draws
	// add 0.35: a 2-point tolerance is over four of both.
	for name, w := range demoSources {
		if got, want := sources[name]/n, w/float64(len(gen.users)-1); math.Abs(got-want) > 0.02 {
			t.Errorf("source %s: %.3f of sign-ups, demo %.3f", name, got, want)
		}
	}
	for i := len(ids); i < s.Users(); i++ {
		devices[deviceNames[s.gen.users[i].dev]]++
	}
	for name, w := range demoDevices {
		if got, want := devices[name]/n, w/float64(len(gen.users)); math.Abs(got-want) > 0.02 {
			t.Errorf("device %s: %.3f of sign-ups, demo %.3f", name, got, want)
		}
	}
	if got, want := active/n, demoActive/demoOld; math.Abs(got-want) > 0.02 {
		t.Errorf("activation: %.3f of sign-ups pay, demo %.3f", got, want)
	}
}

func TestNewStreamRefusesTooSmallAPopulation(t *testing.T) {
	one := []uuid.UUID{uuid.New()}
	if _, err := NewStream(StreamOptions{Start: testEnd, Users: one, Banks: []string{"UTB"}}); err == nil {
		t.Error("one user: want an error (a payment needs two)")
	}
	if _, err := NewStream(StreamOptions{Start: testEnd, Users: []uuid.UUID{uuid.New(), uuid.New()}}); err == nil {
		t.Error("no bank: want an error")
	}
}
