package queries

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"mari/calendar"
)

// The live demo stream's (mari simulate) reads: who may pay and through which banks.

// SimulateUsers returns up to limit active users, the most recently active first.
func SimulateUsers(ctx context.Context, q Querier, limit int) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, SQL("pg/simulate_users"), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// SimulateBanks returns the codes of the banks live or in pilot with a contract in force on
// day, in code order.
func SimulateBanks(ctx context.Context, q Querier, day calendar.Date) ([]string, error) {
	rows, err := q.Query(ctx, SQL("pg/simulate_banks"), day.String())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
