// Package demodata generates a deterministic, realistic demo dataset for Mari BI.
package demodata

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options control the generated dataset.
type Options struct {
	Seed     int64     // same seed (and End, Months, Scale) = same dataset
	Scale    float64   // 1 = default size; 10 = ten times the users and events
	Months   int       // months of history ending at End (default 18)
	End      time.Time // data is generated up to this instant (default: now)
	Progress io.Writer // progress display; nil for none
}

// Summary says what was written.
type Summary struct {
	Banks, Users, Transactions, Events, Activity int64
}

// Generate writes the dataset into empty databases.
func Generate(ctx context.Context, pg *pgxpool.Pool, ch driver.Conn, o Options) (Summary, error) {
	return Summary{}, errors.New("not implemented yet")
}
