package queries

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// IsEmpty reports whether the database holds no users yet (demo data is loaded only then).
func IsEmpty(ctx context.Context, pg *pgxpool.Pool) (bool, error) {
	var exists bool
	err := pg.QueryRow(ctx, SQL("pg/any_users")).Scan(&exists)
	return !exists, err
}
