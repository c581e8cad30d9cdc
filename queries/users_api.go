package queries

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// UserProfile is a user as the user API shows them: no phone hash, no device key.
type UserProfile struct {
	ID                uuid.UUID
	BloodHash         string
	CreatedAt         time.Time
	Status            string
	SignupSource      string
	LastActive        time.Time
	TotalTransactions int64           // as sender, any status
	Completed         int64           // as sender, completed
	TotalVolume       decimal.Decimal // sum of the completed ones
	AverageAmount     *decimal.Decimal
}

// UserProfileByID returns the user with id, if there is one.
func UserProfileByID(ctx context.Context, q Querier, id uuid.UUID) (UserProfile, bool, error) {
	var p UserProfile
	var avg decimal.NullDecimal
	err := q.QueryRow(ctx, SQL("pg/user_profile"), id[:]).Scan(&p.ID, &p.BloodHash, &p.CreatedAt, &p.Status,
		&p.SignupSource, &p.LastActive, &p.TotalTransactions, &p.Completed, &p.TotalVolume, &avg)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, err
	}
	if avg.Valid {
		p.AverageAmount = &avg.Decimal
	}
	return p, true, nil
}

// UserTransaction is one of a user's transactions, with the counterparty's blood hash.
type UserTransaction struct {
	ID                    uuid.UUID
	CreatedAt             time.Time
	CompletedAt           *time.Time
	Amount                decimal.Decimal
	Currency, Status      string
	BankID                *string
	Channel               string
	FailureReason         string
	Sent                  bool // the user sent it (else received it)
	CounterpartyBloodHash string
}

// UserTransactions returns up to limit of the user's transactions as sender or recipient,
// newest first (created_at, then id, descending), after the position (afterAt, afterID): the
// last row of the previous page, or nil for the first page.
func UserTransactions(ctx context.Context, q Querier, id uuid.UUID, afterAt *time.Time, afterID uuid.UUID, limit int) ([]UserTransaction, error) {
	rows, err := q.Query(ctx, SQL("pg/user_transactions"), id[:], afterAt, afterID[:], limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (UserTransaction, error) {
		var t UserTransaction
		err := row.Scan(&t.ID, &t.CreatedAt, &t.CompletedAt, &t.Amount, &t.Currency, &t.Status, &t.BankID,
			&t.Channel, &t.FailureReason, &t.Sent, &t.CounterpartyBloodHash)
		return t, err
	})
}
