// Package dbconn opens the two databases with the settings Mari BI relies on.
package dbconn

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Settings are the limits every session of a pool runs under. PostgreSQL enforces them itself,
// so a statement or a transaction left behind by a client that stalled, lost its context or
// died is ended by the server rather than holding a connection and its locks for ever.
type Settings struct {
	// StatementTimeout cancels any statement that runs longer (SQLSTATE 57014); 0 means none.
	StatementTimeout time.Duration
	// IdleInTransactionTimeout ends a session that sits inside an open transaction without
	// sending anything for longer (SQLSTATE 25P03), releasing its locks; 0 means none.
	IdleInTransactionTimeout time.Duration
	// MaxConns bounds the pool; 0 means 16.
	MaxConns int32
}

// Batch suits the commands that legitimately run long statements on purpose, at a terminal
// where Ctrl-C stops them: migrate, demo (one COPY of millions of rows), rollup backfill and
// bench. No statement limit; a transaction left idle for ten minutes is abandoned, not busy.
var Batch = Settings{StatementTimeout: 0, IdleInTransactionTimeout: 10 * time.Minute}

// Postgres opens a pool with the Batch settings; PostgresWith chooses them.
func Postgres(ctx context.Context, url string) (*pgxpool.Pool, error) {
	return PostgresWith(ctx, url, Batch)
}

// PostgresWith opens a pool whose sessions run under s. It does not fail when the server is
// down: the pool connects lazily, so the app starts, shows "unavailable" panels, and recovers
// when the server returns.
func PostgresWith(ctx context.Context, url string, s Settings) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("MARI_PG_URL: %w", err)
	}
	cfg.MaxConns = 16
	if s.MaxConns > 0 {
		cfg.MaxConns = s.MaxConns
	}
	cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	// Sessions compute in UTC; every calendar boundary is passed in explicitly as an instant.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	// Always sent, "0" included, so a limit set on the role or database cannot silently apply
	// to a command that must run without one (or the other way round).
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = milliseconds(s.StatementTimeout)
	cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = milliseconds(s.IdleInTransactionTimeout)
	return pgxpool.NewWithConfig(ctx, cfg)
}

// milliseconds is a duration as PostgreSQL's timeout settings read a bare number. A positive
// duration under 1 ms rounds up: "0" would mean no limit at all.
func milliseconds(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	return strconv.FormatInt(int64((d+time.Millisecond-1)/time.Millisecond), 10)
}

// ClickHouseOptions are what the native-protocol client needs.
type ClickHouseOptions struct {
	Addr, Database, User, Password string
}

// ClickHouse opens a native-protocol connection pool (the HTTP protocol sends settings that
// ClickHouse 18.16 rejects). Like Postgres, it connects lazily.
func ClickHouse(o ClickHouseOptions) (driver.Conn, error) {
	return clickhouse.Open(&clickhouse.Options{
		Addr:            []string{o.Addr},
		Auth:            clickhouse.Auth{Database: o.Database, Username: o.User, Password: o.Password},
		DialTimeout:     2 * time.Second,
		MaxOpenConns:    16,
		MaxIdleConns:    8,
		ConnMaxLifetime: time.Hour,
		Compression:     &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
	})
}

// WithDatabase returns a postgres:// URL pointing at database name instead.
func WithDatabase(url, name string) string {
	base, query, _ := strings.Cut(url, "?")
	i := strings.LastIndex(base, "/")
	out := base[:i+1] + name
	if query != "" {
		out += "?" + query
	}
	return out
}
