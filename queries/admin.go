package queries

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5"
)

// Database administration for the test and benchmark harnesses. Database names cannot be
// bound as parameters, so they are quoted as identifiers (PostgreSQL) or must match
// [A-Za-z0-9_]+ (ClickHouse; callers build them so).

// CreatePostgresDatabase creates database name owned by owner ("" = the admin) unless it exists.
func CreatePostgresDatabase(ctx context.Context, admin *pgx.Conn, name, owner string) error {
	var exists bool
	if err := admin.QueryRow(ctx, SQL("pg/admin_database_exists"), name).Scan(&exists); err != nil || exists {
		return err
	}
	ddl := `CREATE DATABASE ` + pgx.Identifier{name}.Sanitize()
	if owner != "" {
		ddl += ` OWNER ` + pgx.Identifier{owner}.Sanitize()
	}
	_, err := admin.Exec(ctx, ddl)
	return err
}

// DropPostgresDatabase drops database name, closing its connections.
func DropPostgresDatabase(ctx context.Context, admin *pgx.Conn, name string) error {
	_, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`)
	return err
}

// CreateClickHouseDatabase creates database name unless it exists.
func CreateClickHouseDatabase(ctx context.Context, ch driver.Conn, name string) error {
	return ch.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+name)
}

// DropClickHouseDatabase drops database name if it exists.
func DropClickHouseDatabase(ctx context.Context, ch driver.Conn, name string) error {
	return ch.Exec(ctx, "DROP DATABASE IF EXISTS "+name)
}

// DatasetSize says how big a loaded dataset is: PostgreSQL transactions and the newest one's
// time, and ClickHouse transaction events.
func DatasetSize(ctx context.Context, pg Querier, ch driver.Conn) (transactions int64, newest time.Time, events uint64, err error) {
	if err = pg.QueryRow(ctx, SQL("pg/admin_transaction_count")).Scan(&transactions, &newest); err != nil {
		return
	}
	err = ch.QueryRow(ctx, SQL("ch/admin_event_count")).Scan(&events)
	return
}
