package dbtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"mari/calendar"
)

// Hold runs lock (such as "SELECT 1 FROM incidents WHERE id = $1 FOR UPDATE" or "LOCK TABLE
// audit_log IN EXCLUSIVE MODE") in a transaction of its own and keeps it until the returned
// release is called (or the test ends).
func (db *DB) Hold(t testing.TB, lock string, args ...any) (release func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.PG.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, lock, args...); err != nil {
		_ = tx.Rollback(ctx)
		t.Fatalf("%v\n%s", err, lock)
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = tx.Rollback(ctx) }) }
	t.Cleanup(release)
	return release
}

// WaitForLockWaiters waits until at least n sessions of this test's database wait for a lock,
// and fails the test when they do not within 20 seconds.
func (db *DB) WaitForLockWaiters(t testing.TB, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var waiting int
		if err := db.PG.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions wait for a lock after 20 s; want %d", waiting, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Race makes n calls of try (try(0) … try(n-1)) meet in the database at the same moment: it
// holds lock (see Hold), starts every call in its own goroutine, waits until all n wait for a
// lock inside their own transactions, then releases it and returns each call's error, in
// order. Because every call is proven to be inside its transaction at once, the outcome shows
// what the database lets through, not the order the goroutines happened to run in.
func (db *DB) Race(t testing.TB, n int, try func(i int) error, lock string, lockArgs ...any) []error {
	t.Helper()
	release := db.Hold(t, lock, lockArgs...)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("panic: %v", p)
				}
			}()
			errs[i] = try(i)
		}()
	}
	db.WaitForLockWaiters(t, n)
	release()
	wg.Wait()
	return errs
}

// Count runs a query that returns one number.
func (db *DB) Count(t testing.TB, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.PG.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	return n
}

// AuditTrail is the audit log, oldest first, one line per entry:
// "action | target | detail | by email (id) from ip at time (SAST)".
func (db *DB) AuditTrail(t testing.TB) []string {
	t.Helper()
	rows, err := db.PG.Query(context.Background(), `SELECT action, target, detail, actor_email,
		coalesce(actor_id::text, '-'), ip, at FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var action, target, detail, email, id, ip string
		var at time.Time
		if err := rows.Scan(&action, &target, &detail, &email, &id, &ip, &at); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s | %s | %s | by %s (%s) from %s at %s", action, target, detail, email, id, ip,
			at.In(calendar.SAST).Format("2006-01-02 15:04:05")))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
