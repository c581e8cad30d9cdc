package queries_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"mari/dbtest"
	"mari/queries"
)

// txListFixture is a small dataset around the SAST day 3 Nov 2026, with the rows that sit on
// its edges: exactly at its first instant (in), exactly at the next day's (out), and the
// hours where the SAST day and the UTC day disagree.
func txListFixture(t *testing.T) *dbtest.DB {
	t.Helper()
	db := dbtest.New(t)
	for _, b := range []string{"ABSA", "FNB"} {
		dbtest.Bank{Code: b, Start: "2026-01-01"}.Insert(t, db)
	}
	for _, u := range []string{"alice", "bob", "carol"} {
		dbtest.User{Name: u, Created: "2026-10-01 08:00:00"}.Insert(t, db)
	}
	for _, x := range []dbtest.Tx{
		{From: "alice", To: "bob", Amount: "7.00", Status: "COMPLETED", At: "2026-11-02 23:59:59", Bank: "ABSA"},   // the day before
		{From: "alice", To: "bob", Amount: "100.00", Status: "COMPLETED", At: "2026-11-03 00:00:00", Bank: "ABSA"}, // the first instant: in
		{From: "bob", To: "carol", Amount: "3.00", Status: "COMPLETED", At: "2026-11-03 01:30:00", Bank: "FNB"},    // 2 Nov in UTC, 3 Nov in SAST
		{From: "bob", To: "alice", Amount: "50.00", Status: "FAILED", At: "2026-11-03 10:00:00", Bank: "ABSA"},     // insufficient_funds
		{From: "carol", To: "alice", Amount: "25.50", Status: "COMPLETED", At: "2026-11-03 12:00:00", Bank: "FNB", Channel: "offline_sms"},
		{From: "carol", To: "bob", Amount: "20.00", Status: "FAILED", At: "2026-11-03 15:00:00", Bank: "FNB"},       // made bank_timeout below
		{From: "alice", To: "carol", Amount: "12.25", Status: "COMPLETED", At: "2026-11-03 18:00:00"},               // no bank
		{From: "alice", To: "bob", Amount: "10.00", Status: "PENDING", At: "2026-11-03 23:59:59", Bank: "ABSA"},     // moved to the last microsecond below
		{From: "bob", To: "alice", Amount: "1000.00", Status: "COMPLETED", At: "2026-11-04 00:00:00", Bank: "ABSA"}, // the next day's first instant: out
		{From: "bob", To: "carol", Amount: "4.00", Status: "COMPLETED", At: "2026-11-04 01:00:00", Bank: "ABSA"},    // 3 Nov in UTC, 4 Nov in SAST
	} {
		x.Insert(t, db)
	}
	db.Exec(t, `UPDATE transactions SET failure_reason = 'bank_timeout' WHERE amount = 20.00`)
	db.Exec(t, `UPDATE transactions SET created_at = $1 WHERE status = 'PENDING'`,
		dbtest.SAST("2026-11-04 00:00:00").Add(-time.Microsecond))
	return db
}

func dayFilter(day string) queries.TransactionFilter {
	d := dbtest.Date(day)
	return queries.TransactionFilter{From: d.Start(), To: d.End()}
}

func amountsOf(rows []queries.TransactionRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Amount.StringFixed(2)
	}
	return out
}

// Each filter on its own and together: the rows (newest first) and the count and sum of all of
// them, worked out by hand from the fixture.
func TestListTransactionsFilters(t *testing.T) {
	db := txListFixture(t)
	ctx := context.Background()
	day := dayFilter("2026-11-03")
	with := func(mod func(f *queries.TransactionFilter)) queries.TransactionFilter {
		f := day
		mod(&f)
		return f
	}
	cases := []struct {
		name  string
		f     queries.TransactionFilter
		want  []string // amounts, newest first
		count int64
		sum   string
	}{
		{"the SAST day", day, []string{"10.00", "12.25", "20.00", "25.50", "50.00", "3.00", "100.00"}, 7, "220.75"},
		{"completed", with(func(f *queries.TransactionFilter) { f.Status = "COMPLETED" }), []string{"12.25", "25.50", "3.00", "100.00"}, 4, "140.75"},
		{"failed", with(func(f *queries.TransactionFilter) { f.Status = "FAILED" }), []string{"20.00", "50.00"}, 2, "70.00"},
		{"pending", with(func(f *queries.TransactionFilter) { f.Status = "PENDING" }), []string{"10.00"}, 1, "10.00"},
		{"one bank", with(func(f *queries.TransactionFilter) { f.Bank = "ABSA" }), []string{"10.00", "50.00", "100.00"}, 3, "160.00"},
		{"bank and status", with(func(f *queries.TransactionFilter) { f.Bank, f.Status = "FNB", "COMPLETED" }), []string{"25.50", "3.00"}, 2, "28.50"},
		{"channel", with(func(f *queries.TransactionFilter) { f.Channel = "offline_sms" }), []string{"25.50"}, 1, "25.50"},
		{"failure reason alone", with(func(f *queries.TransactionFilter) { f.FailureReason = "insufficient_funds" }), []string{"50.00"}, 1, "50.00"},
		{"failed for a reason", with(func(f *queries.TransactionFilter) { f.Status, f.FailureReason = "FAILED", "bank_timeout" }), []string{"20.00"}, 1, "20.00"},
		{"a reason no row has", with(func(f *queries.TransactionFilter) { f.FailureReason = "nothing_like_it" }), []string{}, 0, "0.00"},
		{"a bank that does not exist", with(func(f *queries.TransactionFilter) { f.Bank = "NOSUCH" }), []string{}, 0, "0.00"},
		// Day boundaries in SAST: 2 Nov holds only its 23:59:59 payment (the 01:30 one is 2 Nov
		// in UTC but 3 Nov here); 4 Nov starts at its own midnight.
		{"the day before", dayFilter("2026-11-02"), []string{"7.00"}, 1, "7.00"},
		{"the day after", dayFilter("2026-11-04"), []string{"4.00", "1000.00"}, 2, "1004.00"},
		{"an SAST hour", queries.TransactionFilter{From: dbtest.SAST("2026-11-03 10:00:00"), To: dbtest.SAST("2026-11-03 11:00:00")}, []string{"50.00"}, 1, "50.00"},
		{"an empty period", queries.TransactionFilter{From: day.From, To: day.From}, []string{}, 0, "0.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := queries.ListTransactions(ctx, db.PG, c.f, nil, 100)
			if err != nil {
				t.Fatal(err)
			}
			if got := amountsOf(rows); strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("rows %v; want %v", got, c.want)
			}
			n, sum, err := queries.TransactionTotals(ctx, db.PG, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if n != c.count || sum.StringFixed(2) != c.sum {
				t.Errorf("totals %d, %s; want %d, %s", n, sum.StringFixed(2), c.count, c.sum)
			}
		})
	}
}

// A row carries what the page shows: the counterparties' blood hashes, the final time and
// processing time of a final payment, none for a pending one, and "" for no bank.
func TestListTransactionsRowFields(t *testing.T) {
	db := txListFixture(t)
	rows, err := queries.ListTransactions(context.Background(), db.PG, dayFilter("2026-11-03"), nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	byAmount := map[string]queries.TransactionRow{}
	for _, r := range rows {
		byAmount[r.Amount.StringFixed(2)] = r
	}
	first := byAmount["100.00"]
	if !first.CreatedAt.Equal(dbtest.SAST("2026-11-03 00:00:00")) || first.SenderBlood != "blood-alice" || first.RecipientBlood != "blood-bob" ||
		first.Currency != "ZAR" || first.Status != "COMPLETED" || first.BankID != "ABSA" || first.Channel != "online" || first.FailureReason != "" {
		t.Errorf("the 100.00 payment reads %+v", first)
	}
	if first.CompletedAt == nil || !first.CompletedAt.Equal(dbtest.SAST("2026-11-03 00:00:01")) || first.ProcessingMS == nil || *first.ProcessingMS != 1000 {
		t.Errorf("the 100.00 payment's completion: %v, %v ms; want 00:00:01, 1000 ms", first.CompletedAt, first.ProcessingMS)
	}
	pending := byAmount["10.00"]
	if pending.CompletedAt != nil || pending.ProcessingMS != nil || pending.Status != "PENDING" {
		t.Errorf("the pending payment reads %+v; want no completion and no processing time", pending)
	}
	if want := dbtest.SAST("2026-11-04 00:00:00").Add(-time.Microsecond); !pending.CreatedAt.Equal(want) {
		t.Errorf("the pending payment was initiated %s; want %s (microseconds kept)", pending.CreatedAt, want)
	}
	if r := byAmount["20.00"]; r.FailureReason != "bank_timeout" || r.Status != "FAILED" {
		t.Errorf("the failed payment reads %+v", r)
	}
	if r := byAmount["12.25"]; r.BankID != "" {
		t.Errorf("the payment through no bank has bank %q", r.BankID)
	}
}

// pageAll reads every page of f, limit rows at a time, through the encoded cursor as a page's
// link carries it, calling between after each page but the last.
func pageAll(t *testing.T, q queries.Querier, f queries.TransactionFilter, limit int, between func(page int)) []queries.TransactionRow {
	t.Helper()
	ctx := context.Background()
	var all []queries.TransactionRow
	var after *queries.TransactionCursor
	for page := 0; ; page++ {
		rows, err := queries.ListTransactions(ctx, q, f, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > limit {
			t.Fatalf("page %d has %d rows; limit %d", page, len(rows), limit)
		}
		all = append(all, rows...)
		if len(rows) < limit {
			return all
		}
		last := rows[len(rows)-1]
		token := queries.EncodeTransactionCursor(queries.TransactionCursor{CreatedAt: last.CreatedAt, ID: last.ID}, f)
		c, err := queries.DecodeTransactionCursor(token, f)
		if err != nil {
			t.Fatalf("page %d: the cursor it made does not decode: %v", page, err)
		}
		if !c.CreatedAt.Equal(last.CreatedAt) || c.ID != last.ID {
			t.Fatalf("page %d: the cursor decodes to %v %s; want %v %s", page, c.CreatedAt, c.ID, last.CreatedAt, last.ID)
		}
		after = &c
		if between != nil {
			between(page)
		}
		if page > 1000 {
			t.Fatal("paging does not end")
		}
	}
}

// newestFirst reports whether rows are in the page order: created_at descending, then id
// descending (PostgreSQL compares uuids byte by byte, as bytes.Compare does).
func newestFirst(rows []queries.TransactionRow) bool {
	return sort.SliceIsSorted(rows, func(i, j int) bool {
		if !rows[i].CreatedAt.Equal(rows[j].CreatedAt) {
			return rows[i].CreatedAt.After(rows[j].CreatedAt)
		}
		return bytes.Compare(rows[i].ID[:], rows[j].ID[:]) > 0
	}) && func() bool {
		for i := 1; i < len(rows); i++ {
			if rows[i-1].ID == rows[i].ID {
				return false
			}
		}
		return true
	}()
}

// idsOf is the set of ids of rows, failing on a repeat.
func idsOf(t *testing.T, rows []queries.TransactionRow) map[uuid.UUID]bool {
	t.Helper()
	out := map[uuid.UUID]bool{}
	for _, r := range rows {
		if out[r.ID] {
			t.Errorf("row %s (%s at %s) is listed twice", r.ID, r.Amount, r.CreatedAt)
		}
		out[r.ID] = true
	}
	return out
}

func dbIDs(t *testing.T, db *dbtest.DB, where string, args ...any) map[uuid.UUID]bool {
	t.Helper()
	rows, err := db.PG.Query(context.Background(), "SELECT id FROM transactions WHERE "+where, args...)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		t.Fatal(err)
	}
	out := map[uuid.UUID]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}

func sameIDs(a, b map[uuid.UUID]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for id := range a {
		if !b[id] {
			return false
		}
	}
	return true
}

// Pages of rows that share one created_at: the id breaks the tie, so every row is listed
// exactly once whatever the page size, including pages that end inside the tie.
func TestListTransactionsPagesThroughTies(t *testing.T) {
	db := dbtest.New(t)
	dbtest.User{Name: "alice", Created: "2026-10-01 08:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2026-10-01 08:00:00"}.Insert(t, db)
	for i := 0; i < 23; i++ {
		dbtest.Tx{From: "alice", To: "bob", Amount: fmt.Sprintf("%d.00", i+1), Status: "COMPLETED", At: "2026-11-05 09:00:00"}.Insert(t, db)
	}
	for _, at := range []string{"2026-11-05 08:00:00", "2026-11-05 10:00:00", "2026-11-05 10:00:00"} {
		dbtest.Tx{From: "bob", To: "alice", Amount: "500.00", Status: "COMPLETED", At: at}.Insert(t, db)
	}
	f := dayFilter("2026-11-05")
	want := dbIDs(t, db, "true")
	for _, limit := range []int{1, 2, 4, 5, 7, 26, 100} {
		rows := pageAll(t, db.PG, f, limit, nil)
		if !newestFirst(rows) {
			t.Errorf("limit %d: the pages together are not newest first, each row once", limit)
		}
		if got := idsOf(t, rows); !sameIDs(got, want) {
			t.Errorf("limit %d: %d rows listed; want the %d rows of the day", limit, len(got), len(want))
		}
	}
	n, sum, err := queries.TransactionTotals(context.Background(), db.PG, f)
	if err != nil {
		t.Fatal(err)
	}
	if n != 26 || !sum.Equal(decimal.RequireFromString("1776.00")) { // 1+…+23 = 276, and 3 × 500
		t.Errorf("totals %d, %s; want 26, 1776.00", n, sum)
	}
}

// Payments keep arriving while someone pages: newer rows inserted between pages are not on
// the later pages (they belong before the first), and no row of the period is skipped or
// listed twice.
func TestListTransactionsPagesWhileRowsArrive(t *testing.T) {
	db := dbtest.New(t)
	dbtest.User{Name: "alice", Created: "2026-10-01 08:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2026-10-01 08:00:00"}.Insert(t, db)
	for i := 0; i < 12; i++ {
		at := fmt.Sprintf("2026-11-05 %02d:00:00", 8+i/3) // three at each hour: ties across pages
		dbtest.Tx{From: "alice", To: "bob", Amount: fmt.Sprintf("%d.00", 10+i), Status: "COMPLETED", At: at}.Insert(t, db)
	}
	before := dbIDs(t, db, "true")
	f := dayFilter("2026-11-05")
	arrived := 0
	rows := pageAll(t, db.PG, f, 5, func(page int) {
		for i := 0; i < 3; i++ {
			arrived++
			at := fmt.Sprintf("2026-11-05 %02d:%02d:00", 20+page, i) // newer than every row so far
			dbtest.Tx{From: "bob", To: "alice", Amount: "999.00", Status: "PENDING", At: at}.Insert(t, db)
		}
	})
	if arrived == 0 {
		t.Fatal("no page break happened: the test inserted nothing between pages")
	}
	if !newestFirst(rows) {
		t.Error("the pages together are not newest first, each row once")
	}
	if got := idsOf(t, rows); !sameIDs(got, before) {
		t.Errorf("%d rows listed; want exactly the %d that were there when paging started (%d arrived meanwhile)", len(got), len(before), arrived)
	}
	// A new first page sees them all.
	if all := pageAll(t, db.PG, f, 5, nil); len(all) != len(before)+arrived {
		t.Errorf("starting again lists %d rows; want %d", len(all), len(before)+arrived)
	}
}

// A cursor is only good for the filter it was made for: garbled, edited or carried over to
// other filters, it is ErrBadCursor, and no input makes the decoder panic.
func TestDecodeTransactionCursorRefusesForgeries(t *testing.T) {
	f := dayFilter("2026-11-03")
	f.Bank, f.Status = "ABSA", "COMPLETED"
	c := queries.TransactionCursor{CreatedAt: dbtest.SAST("2026-11-03 10:00:00").Add(123 * time.Microsecond), ID: uuid.MustParse("0b6e4f00-1111-4222-8333-444455556666")}
	good := queries.EncodeTransactionCursor(c, f)
	back, err := queries.DecodeTransactionCursor(good, f)
	if err != nil || !back.CreatedAt.Equal(c.CreatedAt) || back.ID != c.ID {
		t.Fatalf("round trip: %v %v; want %v", back, err, c)
	}
	if strings.ContainsAny(good, "+/=") {
		t.Errorf("cursor %q is not URL-safe", good)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		return base64.RawURLEncoding.EncodeToString(b)
	}
	other := func(mod func(f *queries.TransactionFilter)) queries.TransactionFilter {
		g := f
		mod(&g)
		return g
	}
	cases := []struct {
		name   string
		cursor string
		f      queries.TransactionFilter
	}{
		{"empty", "", f},
		{"not base64", "!!!!not-a-cursor!!!!", f},
		{"short", good[:10], f},
		{"one character longer", good + "A", f},
		{"padded", good + "=", f},
		{"version changed", flip(0), f},
		{"time changed", flip(5), f},
		{"id changed", flip(20), f},
		{"fingerprint changed", flip(len(raw) - 1), f},
		{"a long string", strings.Repeat("A", 4096), f},
		{"other bank", good, other(func(g *queries.TransactionFilter) { g.Bank = "FNB" })},
		{"other status", good, other(func(g *queries.TransactionFilter) { g.Status = "" })},
		{"other channel", good, other(func(g *queries.TransactionFilter) { g.Channel = "online" })},
		{"other reason", good, other(func(g *queries.TransactionFilter) { g.FailureReason = "x" })},
		{"other period", good, other(func(g *queries.TransactionFilter) { g.To = g.To.Add(time.Hour) })},
		{"fields run together", good, other(func(g *queries.TransactionFilter) { g.Bank, g.Status = "ABSAC", "OMPLETED" })},
	}
	for _, k := range cases {
		if _, err := queries.DecodeTransactionCursor(k.cursor, k.f); !errors.Is(err, queries.ErrBadCursor) {
			t.Errorf("%s: %v; want ErrBadCursor", k.name, err)
		}
	}
}

// FuzzDecodeTransactionCursor: no string makes the decoder panic, and one it accepts is one
// the encoder writes for the same filter.
func FuzzDecodeTransactionCursor(f *testing.F) {
	filter := dayFilter("2026-11-03")
	f.Add(queries.EncodeTransactionCursor(queries.TransactionCursor{CreatedAt: filter.From, ID: uuid.New()}, filter))
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := queries.DecodeTransactionCursor(s, filter)
		if err == nil && queries.EncodeTransactionCursor(c, filter) != s {
			t.Errorf("accepted %q, which encodes back as %q", s, queries.EncodeTransactionCursor(c, filter))
		}
	})
}

// The statements read the period through transactions_created_at_idx (no index was added for
// them: every index slows ingestion), not by scanning the table, on a dataset large enough for
// the planner to tell.
func TestTransactionsPlansUseCreatedAtIndex(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date, monthly_fee, transaction_fee_percentage)
		VALUES ('Bank ABSA', 'ABSA', 'active', '2026-01-01', 0, 0.3)`)
	db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key)
		SELECT gen_random_uuid(), 'phone-' || g, 'blood-' || g, 'key' FROM generate_series(1, 200) g`)
	// 40 000 payments over 80 days, 500 a day.
	db.Exec(t, `WITH u AS (SELECT array_agg(id) AS ids FROM users)
		INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, bank_id, created_at,
		                          completed_at, channel, processing_time_ms, failure_reason)
		SELECT u.ids[1 + g % 200], u.ids[1 + (g * 7) % 200], 10 + g % 90, 
		       CASE WHEN g % 10 = 0 THEN 'FAILED' ELSE 'COMPLETED' END, 'seal-' || g,
		       CASE WHEN g % 3 = 0 THEN 'ABSA' END,
		       timestamptz '2026-09-01 00:00+02' + g * interval '172.8 seconds',
		       timestamptz '2026-09-01 00:00+02' + g * interval '172.8 seconds' + interval '1 second',
		       'online', 1000, CASE WHEN g % 10 = 0 THEN 'insufficient_funds' END
		FROM u, generate_series(1, 40000) g`)
	db.Exec(t, `ANALYZE transactions`)
	db.Exec(t, `ANALYZE users`)
	day := dayFilter("2026-10-15")
	mode := pgx.QueryExecModeDescribeExec
	plan := func(name string, args ...any) string {
		t.Helper()
		rows, err := db.PG.Query(ctx, "EXPLAIN "+queries.SQL(name), append([]any{mode}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(lines, "\n")
	}
	for name, p := range map[string]string{
		"first page":       plan("pg/transactions_list", day.From, day.To, "", "", "", "", 101),
		"completed page":   plan("pg/transactions_list", day.From, day.To, "", "", "COMPLETED", "", 101),
		"next page":        plan("pg/transactions_list_after", day.From, day.To, "", "", "", "", 101, day.From.Add(12*time.Hour), uuid.New()),
		"totals":           plan("pg/transactions_totals", day.From, day.To, "", "", "", ""),
		"completed totals": plan("pg/transactions_totals", day.From, day.To, "", "", "COMPLETED", ""),
	} {
		if !strings.Contains(p, "transactions_created_at_idx") || strings.Contains(p, "Seq Scan on transactions") {
			t.Errorf("%s: the plan does not read transactions_created_at_idx:\n%s", name, p)
		}
	}
}
