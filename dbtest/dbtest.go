// Package dbtest gives each test its own freshly migrated PostgreSQL and ClickHouse
// databases on the private test servers that `make test` starts. No mocks: tests run against
// the real engines.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mari/calendar"
	"mari/config"
	"mari/dbconn"
	"mari/migrations"
	"mari/queries"
)

// DB is one test's pair of databases.
type DB struct {
	Name   string
	PGURL  string
	PG     *pgxpool.Pool
	CH     driver.Conn
	CHOpts dbconn.ClickHouseOptions
}

// settings says where the test servers are (MARI_TEST_*, with the defaults of package config).
// None of them is checked beyond being text, so reading them cannot fail.
func settings() config.TestDatabases {
	s, _ := config.LoadTests()
	return s
}

func adminURL() string { return settings().PGAdminURL }

func chAddr() string { return settings().CHAddr }

// New creates and migrates databases named mari_test_<random> and drops them when the test
// ends. It fails (never skips) when the servers are not running: a skipped database test
// proves nothing.
func New(t testing.TB) *DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "mari_test_" + hex.EncodeToString(b[:])

	admin, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		t.Fatalf("test PostgreSQL not reachable (%v): run `make test`, or `scripts/dbctl.sh start` first", err)
	}
	if err := queries.CreatePostgresDatabase(ctx, admin, name, ""); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	_ = admin.Close(ctx)

	pgURL := dbconn.WithDatabase(adminURL(), name)
	pool, err := dbconn.Postgres(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	opts := dbconn.ClickHouseOptions{Addr: chAddr(), Database: "default", User: "default"}
	bootstrap, err := dbconn.ClickHouse(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := queries.CreateClickHouseDatabase(ctx, bootstrap, name); err != nil {
		t.Fatalf("test ClickHouse not reachable (%v): run `make test`, or `scripts/dbctl.sh start` first", err)
	}
	_ = bootstrap.Close()
	opts.Database = name
	ch, err := dbconn.ClickHouse(opts)
	if err != nil {
		t.Fatal(err)
	}

	db := &DB{Name: name, PGURL: pgURL, PG: pool, CH: ch, CHOpts: opts}
	t.Cleanup(func() { db.drop() })

	if err := migrations.Postgres(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if err := migrations.ClickHouse(ctx, ch); err != nil {
		t.Fatal(err)
	}
	return db
}

func (db *DB) drop() {
	if settings().KeepDB {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db.PG.Close()
	_ = queries.DropClickHouseDatabase(ctx, db.CH, db.Name)
	_ = db.CH.Close()
	if admin, err := pgx.Connect(ctx, adminURL()); err == nil {
		_ = queries.DropPostgresDatabase(ctx, admin, db.Name)
		_ = admin.Close(ctx)
	}
}

// Exec runs setup SQL and fails the test on error.
func (db *DB) Exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := db.PG.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
}

// String is for log lines.
func (db *DB) String() string { return fmt.Sprintf("test databases %s", db.Name) }

// SAST parses "2006-01-02 15:04:05" as a wall-clock time in Africa/Johannesburg: test data is
// written the way people read it.
func SAST(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, calendar.SAST)
	if err != nil {
		panic(err)
	}
	return t
}

// Date parses "2006-01-02" as a SAST calendar day.
func Date(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Int runs a PostgreSQL query returning one whole number.
func (db *DB) Int(t testing.TB, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.PG.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// Text runs a PostgreSQL query returning one text value.
func (db *DB) Text(t testing.TB, sql string, args ...any) string {
	t.Helper()
	var s string
	if err := db.PG.QueryRow(context.Background(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

// CHText runs a ClickHouse query returning one value as text (toString it in the SQL); ""
// when it returns no row.
func (db *DB) CHText(t testing.TB, sql string) string {
	t.Helper()
	rows, err := db.CH.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		if err := rows.Scan(&out); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	return out
}
