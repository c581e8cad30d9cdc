package rollup_test

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	"mari/calendar"
	"mari/dbtest"
	"mari/rollup"
)

// seedGrowth builds the growth rollup's hand-worked dataset (all times SAST):
//
//	R  organic   2025-11-01 10:00                       the referrer
//	A  organic   2025-12-31 23:30  (21:30 UTC, same day) signup day 31 Dec
//	B  referral  2026-01-01 00:30  (22:30 UTC on 31 Dec) signup day 1 Jan, referred by R
//	C  referral  2026-01-01 09:00                        referred by R
//	D  bank_promotion 2026-01-05 12:00                   never sends
//
//	a1 A FAILED    2026-01-01 00:10   A's day 1
//	a2 A COMPLETED 2026-01-07 23:29   one minute before A's 168 hours end: activates; A's day 7
//	b1 B PENDING   2026-01-02 12:00   B's day 1 (any status counts)
//	b2 B COMPLETED 2026-01-08 00:30   exactly 168 hours after B signed up: outside the window; B's day 7
//	b3 B FAILED    2026-01-31 23:59:59 B's day 30, its last second
//	c1 C COMPLETED 2026-01-01 09:05   activates
//	c2 C FAILED    2026-01-08 00:00   C's day 7, its first second
func seedGrowth(t *testing.T, db *dbtest.DB) {
	users := []struct{ name, created, source, referrer string }{
		{"R", "2025-11-01 10:00:00", "organic", ""},
		{"A", "2025-12-31 23:30:00", "organic", ""},
		{"B", "2026-01-01 00:30:00", "referral", "R"},
		{"C", "2026-01-01 09:00:00", "referral", "R"},
		{"D", "2026-01-05 12:00:00", "bank_promotion", ""},
	}
	for i, u := range users {
		var ref any
		if u.referrer != "" {
			ref = growthUID(u.referrer)
		}
		db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at, signup_source, referrer_user_id)
			VALUES ($1, $2, $3, 'k', $4, $5, $6)`, growthUID(u.name), fmt.Sprintf("phone-%d", i), "blood-"+u.name, sast(u.created), u.source, ref)
	}
	txs := []struct{ n, from, status, at string }{
		{"a1", "A", "FAILED", "2026-01-01 00:10:00"},
		{"a2", "A", "COMPLETED", "2026-01-07 23:29:00"},
		{"b1", "B", "PENDING", "2026-01-02 12:00:00"},
		{"b2", "B", "COMPLETED", "2026-01-08 00:30:00"},
		{"b3", "B", "FAILED", "2026-01-31 23:59:59"},
		{"c1", "C", "COMPLETED", "2026-01-01 09:05:00"},
		{"c2", "C", "FAILED", "2026-01-08 00:00:00"},
	}
	for _, x := range txs {
		at := sast(x.at)
		var completedAt, reason any
		if x.status != "PENDING" {
			completedAt = at
		}
		if x.status == "FAILED" {
			reason = "insufficient_funds"
		}
		db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash,
				created_at, completed_at, channel, failure_reason)
			VALUES ($1, $2, 10.00, $3, $4, $5, $6, 'online', $7)`,
			growthUID(x.from), growthUID("R"), x.status, "seal-"+x.n, at, completedAt, reason)
	}
}

func growthUID(name string) string {
	return map[string]string{
		"R": "00000000-0000-4000-8000-0000000000f0", "A": "00000000-0000-4000-8000-0000000000f1",
		"B": "00000000-0000-4000-8000-0000000000f2", "C": "00000000-0000-4000-8000-0000000000f3",
		"D": "00000000-0000-4000-8000-0000000000f4",
	}[name]
}

func dumpGrowth(t *testing.T, db *dbtest.DB) (users, daily []string) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.PG.Query(ctx, `SELECT u.blood_hash, g.signup_day::text, g.signup_source,
			coalesce(r.blood_hash, '-'), coalesce(to_char(g.activated_at AT TIME ZONE 'Africa/Johannesburg', 'YYYY-MM-DD HH24:MI'), '-'),
			g.d1_active, g.d7_active, g.d30_active
		FROM growth_users g JOIN users u ON u.id = g.user_id LEFT JOIN users r ON r.id = g.referrer_user_id
		ORDER BY u.blood_hash`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var who, day, src, ref, act string
		var d1, d7, d30 bool
		if err := rows.Scan(&who, &day, &src, &ref, &act, &d1, &d7, &d30); err != nil {
			t.Fatal(err)
		}
		users = append(users, fmt.Sprintf("%s %s %s ref=%s activated=%s d1=%v d7=%v d30=%v", who, day, src, ref, act, d1, d7, d30))
	}
	rows, err = db.PG.Query(ctx, `SELECT signup_day::text, signup_source, signups, activated, d1_active, d7_active, d30_active
		FROM growth_daily ORDER BY signup_day, signup_source`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var day, src string
		var n, act, d1, d7, d30 int
		if err := rows.Scan(&day, &src, &n, &act, &d1, &d7, &d30); err != nil {
			t.Fatal(err)
		}
		daily = append(daily, fmt.Sprintf("%s %s signups=%d activated=%d d1=%d d7=%d d30=%d", day, src, n, act, d1, d7, d30))
	}
	return users, daily
}

func TestGrowthRollupByHand(t *testing.T) {
	db := dbtest.New(t)
	seedGrowth(t, db)
	now := sast("2026-03-15 10:00:00")
	r := rollup.New(db.PG, nil, func() time.Time { return now })
	if err := r.Backfill(context.Background(), date("2025-11-01"), date("2026-03-15"), io.Discard); err != nil {
		t.Fatal(err)
	}
	users, daily := dumpGrowth(t, db)
	wantUsers := []string{
		// A signed up at 23:30 SAST on 31 Dec (21:30 UTC, also 31 Dec): day 1 is 1 Jan (a1),
		// day 7 is 7 Jan (a2, which also activates: 23:29 is inside the 168 hours).
		"blood-A 2025-12-31 organic ref=- activated=2026-01-07 23:29 d1=true d7=true d30=false",
		// B signed up at 00:30 SAST on 1 Jan, still 31 Dec in UTC: the SAST day is 1 Jan. b2 is
		// exactly 168 hours later, outside the half-open window, so B is not activated even though
		// b2 completed, but b2 falls on B's day 7 (8 Jan); b1 (pending) makes day 1, b3 in the
		// last second of 31 Jan makes day 30.
		"blood-B 2026-01-01 referral ref=blood-R activated=- d1=true d7=true d30=true",
		"blood-C 2026-01-01 referral ref=blood-R activated=2026-01-01 09:05 d1=false d7=true d30=false",
		"blood-D 2026-01-05 bank_promotion ref=- activated=- d1=false d7=false d30=false",
		"blood-R 2025-11-01 organic ref=- activated=- d1=false d7=false d30=false",
	}
	wantDaily := []string{
		"2025-11-01 organic signups=1 activated=0 d1=0 d7=0 d30=0",
		"2025-12-31 organic signups=1 activated=1 d1=1 d7=1 d30=0",
		"2026-01-01 referral signups=2 activated=1 d1=1 d7=2 d30=1",
		"2026-01-05 bank_promotion signups=1 activated=0 d1=0 d7=0 d30=0",
	}
	if !reflect.DeepEqual(users, wantUsers) {
		t.Errorf("growth_users:\n got %q\nwant %q", users, wantUsers)
	}
	if !reflect.DeepEqual(daily, wantDaily) {
		t.Errorf("growth_daily:\n got %q\nwant %q", daily, wantDaily)
	}

	// Re-running any day (a retry, the scheduler's final run) rewrites identical rows and never
	// counts a user twice.
	for _, d := range []string{"2026-01-01", "2026-01-08", "2026-01-31", "2026-01-31", "2026-03-15"} {
		if _, err := r.Day(context.Background(), date(d)); err != nil {
			t.Fatal(err)
		}
	}
	users2, daily2 := dumpGrowth(t, db)
	if !reflect.DeepEqual(users2, users) || !reflect.DeepEqual(daily2, daily) {
		t.Errorf("re-running days changed the rollup:\n%q\n%q", users2, daily2)
	}
}

// A day job only sees what has happened by the day it runs for: the partial figures of 1 Jan
// hold B and C's sign-ups, C's activation, and no day-1 activity yet; 2 Jan then fills day 1.
func TestGrowthRollupGrowsDayByDay(t *testing.T) {
	db := dbtest.New(t)
	seedGrowth(t, db)
	db.Exec(t, `DELETE FROM transactions WHERE created_at >= $1`, sast("2026-01-02 00:00:00")) // as if it were 1 Jan
	now := sast("2026-01-01 23:00:00")
	r := rollup.New(db.PG, nil, func() time.Time { return now })
	if err := r.Backfill(context.Background(), date("2025-12-25"), calendar.Today(now), io.Discard); err != nil {
		t.Fatal(err)
	}
	_, daily := dumpGrowth(t, db)
	want := []string{
		"2025-12-31 organic signups=1 activated=0 d1=1 d7=0 d30=0",
		"2026-01-01 referral signups=2 activated=1 d1=0 d7=0 d30=0",
	}
	if !reflect.DeepEqual(daily, want) {
		t.Errorf("growth_daily on 1 Jan:\n got %q\nwant %q", daily, want)
	}
	// The job has been recorded, so CatchUp leaves it alone.
	var runs int
	if err := db.PG.QueryRow(context.Background(), `SELECT count(*) FROM rollup_runs WHERE job = 'growth' AND error IS NULL`).Scan(&runs); err != nil || runs != 8 {
		t.Errorf("growth runs = %d (%v); want 8 (25 Dec to 1 Jan)", runs, err)
	}
}

// CatchUp fills the growth rollup of a database whose other rollups ran before the job existed.
func TestGrowthRollupCatchUp(t *testing.T) {
	db := dbtest.New(t)
	seedGrowth(t, db)
	now := sast("2026-03-15 10:00:00")
	r := rollup.New(db.PG, nil, func() time.Time { return now })
	if err := r.CatchUp(context.Background(), io.Discard); err != nil {
		t.Fatal(err)
	}
	_, daily := dumpGrowth(t, db)
	if len(daily) != 4 || daily[2] != "2026-01-01 referral signups=2 activated=1 d1=1 d7=2 d30=1" {
		t.Errorf("after CatchUp growth_daily = %q", daily)
	}
}

// A corrected sign-up time moves the user to another signup day: the next run covering both
// days moves the row and re-sums both days, leaving no trace on the old one.
func TestGrowthRollupFollowsACorrectedSignup(t *testing.T) {
	db := dbtest.New(t)
	seedGrowth(t, db)
	now := sast("2026-03-15 10:00:00")
	r := rollup.New(db.PG, nil, func() time.Time { return now })
	if err := r.Backfill(context.Background(), date("2025-11-01"), date("2026-03-15"), io.Discard); err != nil {
		t.Fatal(err)
	}
	// D signed up on 5 Jan; correct it to 3 Jan 08:00. The job of 5 Jan covers 29 Dec – 5 Jan.
	db.Exec(t, `UPDATE users SET created_at = $1 WHERE id = $2`, sast("2026-01-03 08:00:00"), growthUID("D"))
	if _, err := r.Day(context.Background(), date("2026-01-05")); err != nil {
		t.Fatal(err)
	}
	_, daily := dumpGrowth(t, db)
	want := []string{
		"2025-11-01 organic signups=1 activated=0 d1=0 d7=0 d30=0",
		"2025-12-31 organic signups=1 activated=1 d1=1 d7=1 d30=0",
		"2026-01-01 referral signups=2 activated=1 d1=1 d7=2 d30=1",
		"2026-01-03 bank_promotion signups=1 activated=0 d1=0 d7=0 d30=0",
	}
	if !reflect.DeepEqual(daily, want) {
		t.Errorf("growth_daily after the correction:\n got %q\nwant %q", daily, want)
	}
}
