// Package dbconn opens the two databases with the settings Mari BI relies on.
package dbconn

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres opens a pool. It does not fail when the server is down: the pool connects lazily,
// so the app starts, shows "unavailable" panels, and recovers when the server returns.
func Postgres(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("MARI_PG_URL: %w", err)
	}
	cfg.MaxConns = 16
	cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	// Sessions compute in UTC; every calendar boundary is passed in explicitly as an instant.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	return pgxpool.NewWithConfig(ctx, cfg)
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
