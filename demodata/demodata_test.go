package demodata

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/dbtest"
	"mari/queries"
)

// testEnd is a fixed instant (an evening, so a few payments are still in flight at End).
var testEnd = time.Date(2026, 3, 15, 18, 30, 0, 0, calendar.SAST)

type pgFacts struct {
	fingerprint [5]string
	statuses    map[string]statusTotal
	sources     map[string]int64
}

type statusTotal struct {
	count  int64
	amount string
}

func readPG(t *testing.T, db *dbtest.DB) pgFacts {
	t.Helper()
	ctx := context.Background()
	f := pgFacts{statuses: map[string]statusTotal{}, sources: map[string]int64{}}
	fp := f.fingerprint[:]
	if err := db.PG.QueryRow(ctx, queries.SQL("pg/demo_check_fingerprint")).Scan(&fp[0], &fp[1], &fp[2], &fp[3], &fp[4]); err != nil {
		t.Fatal(err)
	}
	rows, err := db.PG.Query(ctx, queries.SQL("pg/demo_check_status_totals"))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		var v statusTotal
		if err := rows.Scan(&s, &v.count, &v.amount); err != nil {
			t.Fatal(err)
		}
		f.statuses[s] = v
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	rows, err = db.PG.Query(ctx, queries.SQL("pg/demo_check_sources"))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		f.sources[s] = n
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	return f
}

type chEventTotal struct {
	count, transactions uint64
	amount              string
}

func readCH(t *testing.T, db *dbtest.DB) (map[string]chEventTotal, [3]uint64) {
	t.Helper()
	ctx := context.Background()
	out := map[string]chEventTotal{}
	rows, err := db.CH.Query(ctx, queries.SQL("ch/demo_check_events"))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var kind string
		var v chEventTotal
		if err := rows.Scan(&kind, &v.count, &v.amount, &v.transactions); err != nil {
			t.Fatal(err)
		}
		out[kind] = v
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	var fp [3]uint64 // event digest, activity digest, activity rows
	if err := db.CH.QueryRow(ctx, queries.SQL("ch/demo_check_fingerprint")).Scan(&fp[0], &fp[1], &fp[2]); err != nil {
		t.Fatal(err)
	}
	return out, fp
}

func TestGenerateIsDeterministicAndConsistent(t *testing.T) {
	ctx := context.Background()
	opts := Options{Seed: 7, Scale: 0.3, Months: 3, End: testEnd}
	a, b := dbtest.New(t), dbtest.New(t)
	sumA, err := Generate(ctx, a.PG, a.CH, opts)
	if err != nil {
		t.Fatal(err)
	}
	sumB, err := Generate(ctx, b.PG, b.CH, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("summary: %+v", sumA)
	if sumA != sumB {
		t.Fatalf("summaries differ:\n%+v\n%+v", sumA, sumB)
	}
	if sumA.Users < 300 || sumA.Transactions < 3000 {
		t.Fatalf("dataset too small to prove anything: %+v", sumA)
	}

	pgA, pgB := readPG(t, a), readPG(t, b)
	if fmt.Sprint(pgA) != fmt.Sprint(pgB) {
		t.Fatalf("PostgreSQL datasets differ:\n%v\n%v", pgA, pgB)
	}
	evA, fpA := readCH(t, a)
	evB, fpB := readCH(t, b)
	if fmt.Sprint(evA) != fmt.Sprint(evB) || fpA != fpB {
		t.Fatalf("ClickHouse datasets differ:\n%v %v\n%v %v", evA, fpA, evB, fpB)
	}

	// The databases agree with each other and with the summary.
	var total int64
	for _, s := range pgA.statuses {
		total += s.count
	}
	if total != sumA.Transactions {
		t.Errorf("PostgreSQL has %d transactions, summary says %d", total, sumA.Transactions)
	}
	var events uint64
	for _, e := range evA {
		events += e.count
	}
	if events != uint64(sumA.Events) {
		t.Errorf("ClickHouse has %d events, summary says %d", events, sumA.Events)
	}
	if fpA[2] != uint64(sumA.Activity) {
		t.Errorf("ClickHouse has %d activity rows, summary says %d", fpA[2], sumA.Activity)
	}
	t.Logf("PostgreSQL statuses %v; ClickHouse events %v", pgA.statuses, evA)
	if got := evA["initiated"]; got.count != uint64(total) || got.transactions != uint64(total) {
		t.Errorf("initiated events %+v, want one per transaction (%d)", got, total)
	}
	for kind, status := range map[string]string{"completed": "COMPLETED", "failed": "FAILED"} {
		pg, ev := pgA.statuses[status], evA[kind]
		if ev.count != uint64(pg.count) || ev.transactions != uint64(pg.count) {
			t.Errorf("%s events %d (of %d transactions), PostgreSQL has %d %s", kind, ev.count, ev.transactions, pg.count, status)
		}
		// Exact money: the same decimal total in both databases.
		pgAmount, chAmount := decimal.RequireFromString(pg.amount), decimal.RequireFromString(ev.amount)
		if !pgAmount.Equal(chAmount) {
			t.Errorf("%s volume: PostgreSQL %s, ClickHouse %s", kind, pg.amount, ev.amount)
		}
	}
	if sub, seal := evA["submitted"].count, evA["physics_seal_captured"].count; seal+uint64(pgA.statuses["PENDING"].count) < uint64(total) || sub > seal {
		t.Errorf("seal events %d, submitted %d for %d transactions", seal, sub, total)
	}

	// Rules of the dataset, each counted in SQL.
	var late, referrals, afterEnd, wrongLast, bankOff, promoOff, stale, self, txs, failedN, fraud, offline int64
	err = a.PG.QueryRow(ctx, queries.SQL("pg/demo_check_integrity"), testEnd).Scan(&late, &referrals, &afterEnd,
		&wrongLast, &bankOff, &promoOff, &stale, &self, &txs, &failedN, &fraud, &offline)
	if err != nil {
		t.Fatal(err)
	}
	for name, n := range map[string]int64{"referrals to a later user": late, "timestamps after End": afterEnd,
		"wrong last_active": wrongLast, "payments through a bank out of contract": bankOff,
		"promotions by a bank out of contract": promoOff, "stale pending payments": stale,
		"payments to oneself": self} {
		if n != 0 {
			t.Errorf("%d %s", n, name)
		}
	}
	if share := float64(referrals) / float64(sumA.Users); share < 0.25 || share > 0.35 {
		t.Errorf("referral share %.3f, want about 0.30", share)
	}
	// Bands wide enough for a few thousand payments; the Scale-1 test below checks them tightly.
	if share := float64(failedN) / float64(txs); share < 0.02 || share > 0.04 {
		t.Errorf("failure share %.4f (%d of %d), want 0.02–0.04", share, failedN, txs)
	}
	if fraud == 0 || float64(fraud)/float64(txs) > 0.004 {
		t.Errorf("fraud %d of %d payments, want a handful", fraud, txs)
	}
	if share := float64(offline) / float64(txs); share < 0.10 || share > 0.20 {
		t.Errorf("offline_sms share %.3f, want about 0.15", share)
	}
	var maxCH time.Time
	if err := a.CH.QueryRow(ctx, queries.SQL("ch/demo_check_max_time")).Scan(&maxCH); err != nil {
		t.Fatal(err)
	}
	if maxCH.After(testEnd) || maxCH.Before(testEnd.Add(-time.Hour)) {
		t.Errorf("latest ClickHouse timestamp %s, want within the hour before End %s", maxCH, testEnd)
	}

	var missing int64
	last := calendar.DateOf(testEnd).MonthStart()
	if err := a.PG.QueryRow(ctx, queries.SQL("pg/demo_check_costs_missing"), pgDate(sumA.Launch), pgDate(last)).Scan(&missing); err != nil {
		t.Fatal(err)
	}
	if missing != 0 {
		t.Errorf("%d (month, category) pairs without costs", missing)
	}
	if want := calendar.NewDate(2025, 12, 1); !sumA.Launch.Equal(want) {
		t.Errorf("launch month %s, want %s", sumA.Launch, want)
	}
	if sumA.CostRows != 4*7 {
		t.Errorf("cost rows %d, want 4 months × 7 categories", sumA.CostRows)
	}

	// Demo data goes only into empty databases.
	if _, err := Generate(ctx, a.PG, a.CH, opts); err == nil {
		t.Error("a second load into the same databases succeeded")
	}
}

// runInMemory draws the dataset without loading it, for tests of its shape.
func runInMemory(t *testing.T, o Options, each func(*chunk)) *generator {
	t.Helper()
	gen, err := newGenerator(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := gen.run(context.Background(), func(c *chunk) error { each(c); return nil }, func(int) {}); err != nil {
		t.Fatal(err)
	}
	return gen
}

func digest(gen *generator, txs []tx) [32]byte {
	h := sha256.New()
	for _, u := range gen.users {
		h.Write(u.id[:])
		_ = binary.Write(h, binary.LittleEndian, u.created)
		_ = binary.Write(h, binary.LittleEndian, u.lastActive)
	}
	for i := range txs {
		_ = binary.Write(h, binary.LittleEndian, txs[i])
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// TestScaleOneShape checks the default dataset's size and distributions, where the counts are
// large enough for tight bands.
func TestScaleOneShape(t *testing.T) {
	o := Options{Seed: 42, Scale: 1, Months: 18, End: testEnd}
	var txs []tx
	var acts int64
	var cents []int64
	gen := runInMemory(t, o, func(c *chunk) {
		txs = append(txs, c.txs...)
		acts += int64(len(c.acts))
	})
	end := testEnd.UnixMilli()
	var events, failedN, fraud, offline, pendingN int64
	var fraudScore, otherScore float64
	reasons := map[int8]int64{}
	for i := range txs {
		t := &txs[i]
		events += t.eventCount(end)
		cents = append(cents, t.amount)
		switch t.status {
		case failed:
			failedN++
			reasons[t.failure]++
		case pending:
			pendingN++
		}
		if t.fraud {
			fraud++
			fraudScore += float64(t.sentinel)
		} else {
			otherScore += float64(t.sentinel)
		}
		if t.ch == offlineSMS {
			offline++
		}
	}
	n := int64(len(txs))
	t.Logf("users %d, transactions %d, events %d, activity %d, failed %d, fraud %d, offline %d, pending %d",
		len(gen.users), n, events, acts, failedN, fraud, offline, pendingN)

	if u := len(gen.users); u < 25000 || u > 35000 {
		t.Errorf("%d users, want 25–35k", u)
	}
	if n < 250_000 || n > 400_000 {
		t.Errorf("%d transactions, want 250–400k", n)
	}
	if events < 1_000_000 || events > 1_500_000 {
		t.Errorf("%d events, want 1–1.5M", events)
	}
	if r := float64(acts) / float64(n); r < 1 || r > 2.5 {
		t.Errorf("%.2f activity rows per payment, want 1–2.5", r)
	}
	if s := float64(failedN) / float64(n); s < 0.025 || s > 0.035 {
		t.Errorf("failure share %.4f, want 0.025–0.035", s)
	}
	if s := float64(fraud) / float64(n); s < 0.0005 || s > 0.0015 {
		t.Errorf("fraud share %.5f, want 0.0005–0.0015", s)
	}
	if s := float64(offline) / float64(n); s < 0.13 || s > 0.17 {
		t.Errorf("offline share %.3f, want about 0.15", s)
	}
	if pendingN == 0 || pendingN > 50 {
		t.Errorf("%d pending payments, want a few (those started in the last minutes)", pendingN)
	}
	if reasons[reasonFunds] <= reasons[reasonTimeout] || reasons[reasonTimeout] <= reasons[reasonSeal] || len(reasons) != 6 {
		t.Errorf("failure reasons %v: want all six, insufficient_funds most common", reasons)
	}
	if fraudScore/float64(fraud) < 0.5 || otherScore/float64(n-fraud) > 0.2 {
		t.Errorf("mean sentinel score: fraud %.2f, others %.2f", fraudScore/float64(fraud), otherScore/float64(n-fraud))
	}

	slices.Sort(cents)
	var sum int64
	for _, c := range cents {
		sum += c
	}
	median, mean := cents[len(cents)/2], sum/n
	if median < 12000 || median > 18000 || mean < 30000 || mean > 40000 {
		t.Errorf("amounts: median %d cents, mean %d cents; want about R150 and R300–400", median, mean)
	}
	if cents[0] < 500 || cents[len(cents)-1] > 2_500_000 {
		t.Errorf("amounts range %d–%d cents, want R5–R25,000", cents[0], cents[len(cents)-1])
	}

	// Sign-ups before 00:30 SAST and after 23:00 exist, and growth is steep.
	late := 0
	for _, u := range gen.users {
		h := msTime(u.created).In(calendar.SAST)
		if h.Hour() == 23 || (h.Hour() == 0 && h.Minute() < 30) {
			late++
		}
	}
	if late == 0 {
		t.Error("no sign-ups between 23:00 and 00:30 SAST")
	}
	first, lastFull := gen.stats[0].newUsers, gen.stats[len(gen.stats)-2].newUsers
	if lastFull < 10*first {
		t.Errorf("new users: %d in the launch month, %d in the last full month; want steep growth", first, lastFull)
	}

	// Same options, same bytes; another seed, another dataset.
	var again []tx
	gen2 := runInMemory(t, o, func(c *chunk) { again = append(again, c.txs...) })
	if digest(gen, txs) != digest(gen2, again) {
		t.Error("two runs with the same options differ")
	}
	o.Seed = 43
	var other []tx
	gen3 := runInMemory(t, o, func(c *chunk) { other = append(other, c.txs...) })
	if digest(gen, txs) == digest(gen3, other) {
		t.Error("a different seed gave the same dataset")
	}
}

// A load that fails in PostgreSQL leaves both databases as they were.
func TestGenerateFailureLeavesNothing(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	// A bank with the launch bank's code makes the load fail part-way.
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, contract_start_date) VALUES ('Existing', 'UTB', '2025-01-01')`)
	if _, err := Generate(ctx, db.PG, db.CH, Options{Seed: 1, Scale: 0.3, Months: 3, End: testEnd}); err == nil {
		t.Fatal("Generate succeeded over a conflicting bank")
	}
	empty, err := queries.IsEmpty(ctx, db.PG)
	if err != nil || !empty {
		t.Errorf("PostgreSQL users left behind (empty=%v, err=%v)", empty, err)
	}
	if n, err := queries.DemoEventRows(ctx, db.CH); err != nil || n != 0 {
		t.Errorf("ClickHouse rows left behind: %d (err=%v)", n, err)
	}
}

// BenchmarkGenerateInMemory measures drawing the dataset (no databases): Scale 0.2, 18 months.
func BenchmarkGenerateInMemory(b *testing.B) {
	o := Options{Seed: 42, Scale: 0.2, Months: 18, End: testEnd}
	for b.Loop() {
		gen, err := newGenerator(o)
		if err != nil {
			b.Fatal(err)
		}
		var n int
		if err := gen.run(context.Background(), func(c *chunk) error { n += len(c.txs); return nil }, func(int) {}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "transactions/op")
	}
}

func TestMergeOutages(t *testing.T) {
	got := mergeOutages([][2]int64{{50, 60}, {10, 20}, {15, 30}, {30, 35}, {70, 80}})
	want := [][2]int64{{10, 35}, {50, 60}, {70, 80}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("merged %v, want %v", got, want)
	}
	gen := &generator{outages: got}
	for at, in := range map[int64]bool{9: false, 10: true, 34: true, 35: false, 55: true, 65: false, 79: true, 80: false} {
		if gen.inOutage(at) != in {
			t.Errorf("inOutage(%d) = %v, want %v", at, !in, in)
		}
	}
}
