package rollup_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"mari/calendar"
	"mari/dbtest"
	"mari/queries"
	"mari/rollup"
)

// seedBankRollup builds the hand-worked dataset of the bank rollup tests (SAST):
//
//	ALPHA, BETA  two partnerships
//	S  sends through ALPHA on 1, 5 and 20 March 10:00, and through BETA on 6 March
//	T  sends through ALPHA on 9 March 23:59:59 and 10 March 00:00:00 (two days, a second apart)
//	R  receives everything
//
//	        bank  from  amount  status     at                    ms    reason
//	s1      ALPHA S      10.00  COMPLETED  2026-03-01 10:00:00   100
//	s5      ALPHA S      20.00  FAILED     2026-03-05 10:00:00   250   bank_timeout
//	s20     ALPHA S      30.00  PENDING    2026-03-20 10:00:00     -
//	sb      BETA  S      40.00  COMPLETED  2026-03-06 10:00:00   300
//	t9      ALPHA T      50.00  FAILED     2026-03-09 23:59:59   420   insufficient_funds
//	t10     ALPHA T      60.00  COMPLETED  2026-03-10 00:00:00   150
func seedBankRollup(t *testing.T, db *dbtest.DB) {
	t.Helper()
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date,
			monthly_fee, transaction_fee_percentage, sla_p95_ms) VALUES
		('Alpha Bank', 'ALPHA', 'active', '2025-01-01', 0, 0.3, 2000),
		('Beta Bank', 'BETA', 'active', '2025-01-01', 0, 0.3, 2000)`)
	for _, u := range []string{"S", "T", "R"} {
		db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at)
			VALUES ($1, $2, $3, 'k', $4)`, bankUID(u), "phone-"+u, "blood-"+u, sast("2026-01-01 09:00:00"))
	}
	for _, x := range []struct {
		n, bank, from, amount, status, at string
		ms                                int
		reason                            any
	}{
		{"s1", "ALPHA", "S", "10.00", "COMPLETED", "2026-03-01 10:00:00", 100, nil},
		{"s5", "ALPHA", "S", "20.00", "FAILED", "2026-03-05 10:00:00", 250, "bank_timeout"},
		{"s20", "ALPHA", "S", "30.00", "PENDING", "2026-03-20 10:00:00", 0, nil},
		{"sb", "BETA", "S", "40.00", "COMPLETED", "2026-03-06 10:00:00", 300, nil},
		{"t9", "ALPHA", "T", "50.00", "FAILED", "2026-03-09 23:59:59", 420, "insufficient_funds"},
		{"t10", "ALPHA", "T", "60.00", "COMPLETED", "2026-03-10 00:00:00", 150, nil},
	} {
		insertBankTx(t, db, x.n, x.bank, bankUID(x.from), bankUID("R"), x.amount, x.status, sast(x.at), x.ms, x.reason)
	}
}

func insertBankTx(t *testing.T, db *dbtest.DB, seal, bank, from, to, amount, status string, at time.Time, ms int, reason any) {
	t.Helper()
	var completedAt, msArg any
	if status != "PENDING" {
		completedAt, msArg = at.Add(time.Duration(ms)*time.Millisecond), ms
	}
	db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, bank_id,
			created_at, completed_at, channel, processing_time_ms, failure_reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'online', $9, $10)`,
		from, to, amount, status, seal, bank, at, completedAt, msArg, reason)
}

func bankUID(name string) string {
	return map[string]string{
		"S": "00000000-0000-4000-8000-000000000051", "T": "00000000-0000-4000-8000-000000000052",
		"R": "00000000-0000-4000-8000-000000000053",
	}[name]
}

var bankNow = func() time.Time { return sast("2026-05-10 01:00:00") }

func backfillBanks(t *testing.T, db *dbtest.DB, from, to string) *rollup.Runner {
	t.Helper()
	r := rollup.New(db.PG, nil, bankNow)
	if err := r.Backfill(context.Background(), date(from), date(to), io.Discard); err != nil {
		t.Fatal(err)
	}
	return r
}

// bankUsers is the overview's users column for each bank over [from, to].
func bankUsers(t *testing.T, db *dbtest.DB, from, to string) map[string]int64 {
	t.Helper()
	rows, err := queries.BankOverview(context.Background(), db.PG, calendar.Range{From: date(from), To: date(to)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Code] = r.Users
	}
	return out
}

func TestBankUsersOverRangesByHand(t *testing.T) {
	db := dbtest.New(t)
	seedBankRollup(t, db)
	backfillBanks(t, db, "2026-02-01", "2026-03-31")
	for _, c := range []struct {
		from, to    string
		alpha, beta int64
		why         string
	}{
		{"2026-03-01", "2026-03-20", 2, 1, "S once although active on 1, 5 and 20; T once over two days"},
		{"2026-03-04", "2026-03-06", 1, 1, "S on the 5th (prev 1st is before the range); BETA: S on the 6th"},
		{"2026-03-06", "2026-03-19", 1, 1, "S not at all through ALPHA (5th and 20th are outside); T; BETA: S"},
		{"2026-03-07", "2026-03-08", 0, 0, "nobody"},
		{"2026-03-09", "2026-03-09", 1, 0, "T's 23:59:59 belongs to the 9th"},
		{"2026-03-10", "2026-03-10", 1, 0, "T's 00:00:00 belongs to the 10th"},
		{"2026-03-10", "2026-03-20", 2, 0, "T on the 10th (prev the 9th, outside), S on the 20th (prev the 5th)"},
		{"2026-03-20", "2026-03-31", 1, 0, "S on the 20th"},
		{"2026-02-01", "2026-02-28", 0, 0, "before anything"},
	} {
		got := bankUsers(t, db, c.from, c.to)
		if got["ALPHA"] != c.alpha || got["BETA"] != c.beta {
			t.Errorf("%s – %s: ALPHA %d, BETA %d users; want %d, %d (%s)", c.from, c.to, got["ALPHA"], got["BETA"], c.alpha, c.beta, c.why)
		}
	}
}

// Every range inside March gives what count(DISTINCT sender_id) on the raw rows gives.
func TestBankUsersMatchDistinctCountOnEveryRange(t *testing.T) {
	db := dbtest.New(t)
	seedBankRollup(t, db)
	// More senders with gaps of different lengths, some through both banks.
	for i := 0; i < 6; i++ {
		id := fmt.Sprintf("00000000-0000-4000-8000-0000000001%02d", i)
		db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at)
			VALUES ($1, $2, $3, 'k', $4)`, id, fmt.Sprintf("phone-x%d", i), fmt.Sprintf("blood-x%d", i), sast("2026-01-01 09:00:00"))
		for day := 1 + i; day <= 31; day += 3 + i {
			bank := "ALPHA"
			if (day+i)%4 == 0 {
				bank = "BETA"
			}
			at := sast(fmt.Sprintf("2026-03-%02d 23:59:59", day))
			insertBankTx(t, db, fmt.Sprintf("x%d-%d", i, day), bank, id, bankUID("R"), "1.00", "COMPLETED", at, 100, nil)
		}
	}
	backfillBanks(t, db, "2026-03-01", "2026-03-31")
	ctx := context.Background()
	for a := 1; a <= 31; a++ {
		for b := a; b <= 31; b++ {
			from, to := fmt.Sprintf("2026-03-%02d", a), fmt.Sprintf("2026-03-%02d", b)
			got := bankUsers(t, db, from, to)
			for _, bank := range []string{"ALPHA", "BETA"} {
				var want int64
				if err := db.PG.QueryRow(ctx, `SELECT count(DISTINCT sender_id) FROM transactions
					WHERE bank_id = $1 AND created_at >= $2 AND created_at < $3`,
					bank, date(from).Start(), date(to).End()).Scan(&want); err != nil {
					t.Fatal(err)
				}
				if got[bank] != want {
					t.Fatalf("%s %s – %s: %d users; count(DISTINCT) gives %d", bank, from, to, got[bank], want)
				}
			}
		}
	}
}

func TestBankStatusesAndTotalsFromRollup(t *testing.T) {
	db := dbtest.New(t)
	seedBankRollup(t, db)
	backfillBanks(t, db, "2026-03-01", "2026-03-31")
	ctx := context.Background()
	// ALPHA 5–10 March: s5 failed (bank_timeout), t9 failed (insufficient_funds), t10 completed.
	st, err := queries.BankStatuses(ctx, db.PG, "ALPHA", calendar.Range{From: date("2026-03-05"), To: date("2026-03-10")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range st {
		got = append(got, fmt.Sprintf("%s/%s/%d/%s", s.Status, s.FailureReason, s.Count, s.Amount.StringFixed(2)))
	}
	// Equal counts: by status, then reason (COMPLETED before FAILED, bank_timeout before insufficient_funds).
	if want := "COMPLETED//1/60.00 FAILED/bank_timeout/1/20.00 FAILED/insufficient_funds/1/50.00"; strings.Join(got, " ") != want {
		t.Errorf("ALPHA statuses 5–10 March: %s; want %s", strings.Join(got, " "), want)
	}
	// The whole month: 6 transactions; ALPHA completed s1 t10 (70.00), failed s5 t9, pending s20.
	rows, err := queries.BankOverview(ctx, db.PG, calendar.Range{From: date("2026-03-01"), To: date("2026-03-31")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		line := fmt.Sprintf("%d %d %d %d %s", r.Transactions, r.Completed, r.Failed, r.Pending, r.CompletedVolume.StringFixed(2))
		want := map[string]string{"ALPHA": "5 2 2 1 70.00", "BETA": "1 1 0 0 40.00"}[r.Code]
		if line != want {
			t.Errorf("%s March: %s; want %s", r.Code, line, want)
		}
	}
	months, err := queries.BankMonthly(ctx, db.PG, "ALPHA", calendar.Range{From: date("2026-02-15"), To: date("2026-03-09")})
	if err != nil {
		t.Fatal(err)
	}
	// February empty; March 1–9: s1 completed, s5 and t9 failed.
	if len(months) != 2 || months[0].Transactions != 0 || months[1].Transactions != 3 || months[1].Completed != 1 ||
		months[1].Failed != 2 || months[1].CompletedVolume.StringFixed(2) != "10.00" {
		t.Errorf("ALPHA monthly 15 Feb – 9 Mar: %+v", months)
	}
}

// rawP95 is the definition: percentile_disc over the raw final transactions.
func rawP95(t *testing.T, db *dbtest.DB, bank string, r calendar.Range) (int64, *int64) {
	t.Helper()
	var n int64
	var p95 *int64
	if err := db.PG.QueryRow(context.Background(), `SELECT count(*),
			percentile_disc(0.95) WITHIN GROUP (ORDER BY processing_time_ms)::bigint
		FROM transactions WHERE bank_id = $1 AND status IN ('COMPLETED', 'FAILED') AND processing_time_ms IS NOT NULL
		  AND created_at >= $2 AND created_at < $3`, bank, r.From.Start(), r.To.End()).Scan(&n, &p95); err != nil {
		t.Fatal(err)
	}
	return n, p95
}

func TestBankP95IsExact(t *testing.T) {
	db := dbtest.New(t)
	seedBankRollup(t, db)
	// By hand, BETA on 2 April: 20 final transactions, 100, 200, … 1 800 ms and then 1 950 and
	// 1 990 ms; a pending one does not count. Rank ceil(0.95 × 20) = 19: 1 950 ms, which shares
	// its 100 ms bucket with 1 990 while the 18th (1 800) is in another.
	for i := 1; i <= 20; i++ {
		ms := i * 100
		switch i {
		case 19:
			ms = 1950
		case 20:
			ms = 1990
		}
		insertBankTx(t, db, fmt.Sprintf("p%d", i), "BETA", bankUID("S"), bankUID("R"), "1.00", "COMPLETED",
			sast("2026-04-02 08:00:00").Add(time.Duration(i)*time.Minute), ms, nil)
	}
	insertBankTx(t, db, "p-pending", "BETA", bankUID("S"), bankUID("R"), "1.00", "PENDING", sast("2026-04-02 09:00:00"), 0, nil)
	// Spread values over many buckets and days for the comparisons with percentile_disc.
	for i := 0; i < 150; i++ {
		status := "COMPLETED"
		var reason any
		if i%7 == 0 {
			status, reason = "FAILED", "bank_timeout"
		}
		at := sast(fmt.Sprintf("2026-03-%02d 12:00:00", 1+i%28)).Add(time.Duration(i) * time.Second)
		insertBankTx(t, db, fmt.Sprintf("q%d", i), "ALPHA", bankUID("T"), bankUID("R"), "2.00", status, at, (i*7919)%4000+(i%3), reason)
	}
	backfillBanks(t, db, "2026-03-01", "2026-04-04")
	ctx := context.Background()
	april2 := calendar.Range{From: date("2026-04-02"), To: date("2026-04-02")}
	p, err := queries.BankProcessingP95(ctx, db.PG, "BETA", april2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Final != 20 || p.P95ms != 1950 {
		t.Errorf("BETA 2 April: p95 %d ms of %d final; want 1 950 ms of 20", p.P95ms, p.Final)
	}
	for _, bank := range []string{"ALPHA", "BETA"} {
		for a := 1; a <= 31; a += 3 {
			for b := a; b <= 35; b += 4 {
				r := calendar.Range{From: date("2026-03-01").AddDays(a - 1), To: date("2026-03-01").AddDays(b - 1)}
				p, err := queries.BankProcessingP95(ctx, db.PG, bank, r)
				if err != nil {
					t.Fatal(err)
				}
				n, want := rawP95(t, db, bank, r)
				if p.Final != n || (want != nil && p.P95ms != *want) {
					t.Fatalf("%s %s – %s: p95 %d of %d; percentile_disc gives %v of %d", bank, r.From, r.To, p.P95ms, p.Final, want, n)
				}
			}
		}
	}
	// No final transaction: no p95.
	if p, err := queries.BankProcessingP95(ctx, db.PG, "BETA", calendar.Range{From: date("2026-03-07"), To: date("2026-03-31")}); err != nil || p.Final != 0 {
		t.Errorf("BETA without final transactions: %+v, %v", p, err)
	}
}

// rawTopRecipients is the definition: the seed's query, fixed, over the raw transactions.
func rawTopRecipients(t *testing.T, db *dbtest.DB, bank string, r calendar.Range) string {
	t.Helper()
	rows, err := db.PG.Query(context.Background(), `SELECT u.blood_hash || '/' || count(*) || '/' || sum(t.amount) || '/' || round(avg(t.amount), 2)
		FROM transactions t JOIN users u ON u.id = t.recipient_id
		WHERE t.bank_id = $1 AND t.status = 'COMPLETED' AND t.created_at >= $2 AND t.created_at < $3
		GROUP BY u.blood_hash ORDER BY count(*) DESC, sum(t.amount) DESC, u.blood_hash LIMIT 20`, bank, r.From.Start(), r.To.End())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// More recipients than a month's top list holds (100): the answer is proven from the lists
// when the 20th has more than the bound, and summed over everyone when it does not; either way
// it is the raw query's.
func TestBankTopRecipientsBeyondTheMonthlyList(t *testing.T) {
	db := dbtest.New(t)
	seedBankRollup(t, db)
	// 130 recipients in April through ALPHA: each gets one completed R1 transaction on 1 April;
	// recipients 0–24 get one more each on 15 April (R2), 0–4 a third on 30 April (R3).
	db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at)
		SELECT ('00000000-0000-4000-9000-' || lpad(i::text, 12, '0'))::uuid, 'phone-r' || i, 'blood-r' || lpad(i::text, 3, '0'), 'k', $1
		FROM generate_series(0, 129) AS i`, sast("2026-01-01 09:00:00"))
	db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, bank_id,
			created_at, completed_at, channel, processing_time_ms)
		SELECT $1, ('00000000-0000-4000-9000-' || lpad(i::text, 12, '0'))::uuid, d.amount, 'COMPLETED',
			'seal-r' || i || '-' || d.n, 'ALPHA', d.at + i * interval '1 second', d.at + i * interval '1 second', 'online', 100
		FROM generate_series(0, 129) AS i
		JOIN (VALUES (1, 130, 1.00, $2::timestamptz), (2, 25, 2.00, $3::timestamptz), (3, 5, 3.00, $4::timestamptz)) AS d(n, upto, amount, at)
		  ON i < d.upto`, bankUID("S"), sast("2026-04-01 08:00:00"), sast("2026-04-15 08:00:00"), sast("2026-04-30 08:00:00"))
	backfillBanks(t, db, "2026-03-01", "2026-04-30")
	ctx := context.Background()
	var bound int
	if err := db.PG.QueryRow(ctx, `SELECT others_max FROM bank_monthly_recipient_bound
		WHERE month = '2026-04-01' AND bank_id = 'ALPHA'`).Scan(&bound); err != nil || bound != 1 {
		t.Fatalf("April's bound: %d (%v); want 1 (30 recipients with one transaction are not listed)", bound, err)
	}
	for _, c := range []struct{ from, to, first string }{
		{"2026-04-01", "2026-04-30", "blood-r000/3/6.00/2.00"}, // 20th has 2 > bound 1: proven from the lists
		{"2026-04-01", "2026-04-29", "blood-r000/2/3.00/1.50"}, // still proven: 25 recipients have 2
		{"2026-04-30", "2026-04-30", "blood-r000/1/3.00/3.00"}, // only 5: the lists cannot prove it
		{"2026-04-01", "2026-04-01", "blood-r000/1/1.00/1.00"}, // 130 tied at 1: summed over everyone
		{"2026-03-01", "2026-04-30", "blood-r000/3/6.00/2.00"}, // March's lists add R as a candidate
		{"2026-04-02", "2026-04-14", ""},                       // nothing completed
	} {
		r := calendar.Range{From: date(c.from), To: date(c.to)}
		got, err := queries.BankTopRecipients(ctx, db.PG, "ALPHA", r)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, g := range got {
			lines = append(lines, fmt.Sprintf("%s/%d/%s/%s", g.BloodHash, g.Transactions, g.Volume.StringFixed(2), g.Average.StringFixed(2)))
		}
		want := rawTopRecipients(t, db, "ALPHA", r)
		if strings.Join(lines, " ") != want {
			t.Errorf("%s – %s:\n got %s\nwant %s", c.from, c.to, strings.Join(lines, " "), want)
		}
		if first := strings.SplitN(want, " ", 2)[0]; first != c.first {
			t.Errorf("%s – %s: the raw query's first row is %q; the test expected %q", c.from, c.to, first, c.first)
		}
	}
}

// Re-running the job, in any order of days, rewrites identical rows: each day is a function of
// the transactions alone.
func TestBankRollupIsIdempotent(t *testing.T) {
	db := dbtest.New(t)
	seedBankRollup(t, db)
	ctx := context.Background()
	snapshot := func() string {
		var s string
		err := db.PG.QueryRow(ctx, `SELECT
			(SELECT coalesce(string_agg(x::text, ';' ORDER BY x::text), '') FROM bank_daily_status x) || '|' ||
			(SELECT coalesce(string_agg(x::text, ';' ORDER BY x::text), '') FROM bank_daily_senders x) || '|' ||
			(SELECT coalesce(string_agg(x::text, ';' ORDER BY x::text), '') FROM bank_daily_latency x) || '|' ||
			(SELECT coalesce(string_agg(x::text, ';' ORDER BY x::text), '') FROM bank_daily_latency_buckets x) || '|' ||
			(SELECT coalesce(string_agg(x::text, ';' ORDER BY x::text), '') FROM bank_daily_recipients x) || '|' ||
			(SELECT coalesce(string_agg(x::text, ';' ORDER BY x::text), '') FROM bank_monthly_top_recipients x) || '|' ||
			(SELECT coalesce(string_agg(x::text, ';' ORDER BY x::text), '') FROM bank_monthly_recipient_bound x)`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	r := backfillBanks(t, db, "2026-03-01", "2026-03-31")
	first := snapshot()
	// S on 20 March through ALPHA: previous day the 5th.
	if !strings.Contains(first, "(2026-03-20,ALPHA,2026-03-05,1)") {
		t.Errorf("bank_daily_senders lacks S's 20 March row: %s", first)
	}
	for d := date("2026-03-31"); !d.Before(date("2026-03-01")); d = d.AddDays(-1) {
		if _, err := r.Day(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	backfillBanks(t, db, "2026-03-01", "2026-03-31")
	if second := snapshot(); second != first {
		t.Fatalf("re-running changed the bank rollup:\nfirst  %s\nsecond %s", first, second)
	}
	var runs int
	if err := db.PG.QueryRow(ctx, `SELECT count(*) FROM rollup_runs WHERE job = $1 AND error IS NULL`, rollup.JobBankDaily).Scan(&runs); err != nil || runs != 3*31 {
		t.Errorf("bank_daily runs: %d (%v); want 93", runs, err)
	}
}
