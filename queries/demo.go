package queries

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// IsEmpty reports whether the database holds no users yet (demo data is loaded only then).
func IsEmpty(ctx context.Context, pg *pgxpool.Pool) (bool, error) {
	var exists bool
	err := pg.QueryRow(ctx, SQL("pg/any_users")).Scan(&exists)
	return !exists, err
}

// DemoEventRows counts the rows of ClickHouse's raw tables (the demo loads only into empty ones).
func DemoEventRows(ctx context.Context, ch driver.Conn) (uint64, error) {
	var n uint64
	err := ch.QueryRow(ctx, SQL("ch/demo_row_count")).Scan(&n)
	return n, err
}

// DemoCreateLastActive creates the transaction-scoped staging table demo_last_active(id,
// last_active), which the demo loader fills by COPY.
func DemoCreateLastActive(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, SQL("pg/demo_last_active_create")); err != nil {
		return fmt.Errorf("create demo_last_active: %w", err)
	}
	return nil
}

// DemoApplyLastActive copies the staged last_active values onto users.
func DemoApplyLastActive(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, SQL("pg/demo_last_active_apply")); err != nil {
		return fmt.Errorf("apply demo_last_active: %w", err)
	}
	return nil
}
