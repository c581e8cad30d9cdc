package dbconn_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"mari/dbconn"
	"mari/dbtest"
)

// The server itself cancels a statement that outlives the pool's statement_timeout, and ends a
// session left idle inside a transaction: neither depends on the client still being there.
func TestPostgresSessionLimitsAreEnforcedByTheServer(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	pool, err := dbconn.PostgresWith(ctx, db.PGURL, dbconn.Settings{
		StatementTimeout:         200 * time.Millisecond,
		IdleInTransactionTimeout: 300 * time.Millisecond,
		MaxConns:                 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	var statement, idle string
	if err := pool.QueryRow(ctx, `SELECT current_setting('statement_timeout'), current_setting('idle_in_transaction_session_timeout')`).Scan(&statement, &idle); err != nil {
		t.Fatal(err)
	}
	if statement != "200ms" || idle != "300ms" {
		t.Errorf("session settings: statement_timeout %q, idle_in_transaction_session_timeout %q; want 200ms and 300ms", statement, idle)
	}

	// pg_sleep(5) with no client-side deadline: only the server's limit can stop it.
	start := time.Now()
	_, err = pool.Exec(ctx, `SELECT pg_sleep(5)`)
	took := time.Since(start)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
		t.Fatalf("pg_sleep(5) under a 200 ms statement_timeout: %v; want SQLSTATE 57014 (query_canceled)", err)
	}
	if took < 200*time.Millisecond || took > 2*time.Second {
		t.Errorf("the statement was cancelled after %s; want about 200 ms", took)
	}
	t.Logf("pg_sleep(5) cancelled by the server after %s: %s", took.Round(time.Millisecond), pgErr.Message)

	// A short statement still runs, on the same pool, afterwards.
	var one int
	if err := pool.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 after the cancellation: %d, %v", one, err)
	}

	// A transaction that goes quiet for longer than idle_in_transaction_session_timeout loses
	// its session (and so its locks).
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	_, err = tx.Exec(ctx, `SELECT 1`)
	if !errors.As(err, &pgErr) || pgErr.Code != "25P03" {
		t.Fatalf("statement after 1 s idle in a transaction under a 300 ms limit: %v; want SQLSTATE 25P03", err)
	}
	_ = tx.Rollback(ctx)
}

// The batch commands (migrate, demo, rollup backfill) run without a statement limit, but not
// without an idle-in-transaction limit.
func TestBatchSettings(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	pool, err := dbconn.Postgres(ctx, db.PGURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var statement, idle string
	if err := pool.QueryRow(ctx, `SELECT current_setting('statement_timeout'), current_setting('idle_in_transaction_session_timeout')`).Scan(&statement, &idle); err != nil {
		t.Fatal(err)
	}
	if statement != "0" || idle != "10min" {
		t.Errorf("batch session: statement_timeout %q, idle_in_transaction_session_timeout %q; want 0 and 10min", statement, idle)
	}
}
