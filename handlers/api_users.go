package handlers

import (
	"context"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"mari/keyset"
	"mari/queries"
)

// UserInput names a user.
type UserInput struct {
	ID string `path:"id" format:"uuid" doc:"The user's id."`
}

// APIUser is the design's user profile. No phone hash and no device key are ever served.
type APIUser struct {
	ID                   string    `json:"id" format:"uuid"`
	BloodHash            string    `json:"blood_hash" doc:"The user's public identifier."`
	CreatedAt            time.Time `json:"created_at"`
	Status               string    `json:"status" enum:"active,suspended,closed"`
	SignupSource         string    `json:"signup_source" enum:"organic,referral,bank_promotion"`
	LastActive           time.Time `json:"last_active"`
	TotalTransactions    int64     `json:"total_transactions" doc:"Transactions the user sent, any status."`
	CompletedTxs         int64     `json:"completed_transactions" doc:"Of them, completed."`
	TotalVolume          string    `json:"total_volume" doc:"Sum of the completed ones (ZAR)."`
	AvgTransactionAmount *string   `json:"avg_transaction_amount" doc:"Their average, rounded to the cent; null when none completed."`
}

// UserOutput is a user's profile.
type UserOutput struct {
	Body struct {
		Meta
		User APIUser `json:"user"`
	}
}

// parseUserID reads a user id from the path (a 404 when it cannot be one: no user has it).
func parseUserID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return id, huma.Error404NotFound("there is no user " + quoteID(s) + ": a user id is a UUID")
	}
	return id, nil
}

// userCaller refuses keys restricted to a bank: a user's profile is not one bank's figure.
func userCaller(ctx context.Context) error {
	caller, err := apiCaller(ctx)
	if err != nil {
		return err
	}
	if caller.Bank != "" {
		return huma.Error403Forbidden("this key sees one bank's figures; users are not one bank's")
	}
	return nil
}

// User is the design's user profile: the user, their transactions as sender, and the volume
// and average amount of the completed ones.
func (a *API) User(ctx context.Context, in *UserInput) (*UserOutput, error) {
	if err := userCaller(ctx); err != nil {
		return nil, err
	}
	id, err := parseUserID(in.ID)
	if err != nil {
		return nil, err
	}
	p, ok, err := queries.UserProfileByID(ctx, a.PG, id)
	if err != nil {
		return nil, a.logged("user", err)
	}
	if !ok {
		return nil, huma.Error404NotFound("there is no user " + id.String())
	}
	now := a.Now()
	out := &UserOutput{}
	out.Body.Meta = meta(&now)
	u := APIUser{ID: p.ID.String(), BloodHash: p.BloodHash, CreatedAt: p.CreatedAt.In(time.UTC), Status: p.Status,
		SignupSource: p.SignupSource, LastActive: p.LastActive.In(time.UTC), TotalTransactions: p.TotalTransactions,
		CompletedTxs: p.Completed, TotalVolume: p.TotalVolume.StringFixed(2)}
	if p.AverageAmount != nil {
		s := p.AverageAmount.StringFixed(2)
		u.AvgTransactionAmount = &s
	}
	out.Body.User = u
	return out, nil
}

// PageParams are a listing's page: its size and where it continues.
type PageParams struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"Rows per page, 1 to 1000."`
	Cursor string `query:"cursor" maxLength:"100" doc:"next_cursor of the previous page; absent for the first (newest) page."`
}

// pageOf cuts rows, read with one more than limit, to the page, and returns the cursor of the
// next page: nil when the extra row was not there (this is the last page).
func pageOf[T any](rows []T, limit int, cursor func(last T) string) ([]T, *string) {
	if len(rows) <= limit {
		return rows, nil
	}
	rows = rows[:limit]
	next := cursor(rows[len(rows)-1])
	return rows, &next
}

// UserTransactionsInput asks for a page of a user's history.
type UserTransactionsInput struct {
	ID string `path:"id" format:"uuid" doc:"The user's id."`
	PageParams
}

// APIUserTransaction is one of a user's transactions.
type APIUserTransaction struct {
	ID                    string     `json:"id" format:"uuid"`
	CreatedAt             time.Time  `json:"created_at"`
	CompletedAt           *time.Time `json:"completed_at" doc:"When it completed or failed; null while pending."`
	Direction             string     `json:"direction" enum:"sent,received"`
	CounterpartyBloodHash string     `json:"counterparty_blood_hash" doc:"The other party's public identifier (never a phone hash or key)."`
	Amount                string     `json:"amount" doc:"ZAR, exact to the cent."`
	Currency              string     `json:"currency"`
	Status                string     `json:"status" enum:"PENDING,COMPLETED,FAILED"`
	BankID                *string    `json:"bank_id"`
	Channel               string     `json:"channel" enum:"online,offline_sms"`
	FailureReason         string     `json:"failure_reason,omitempty"`
}

// UserTransactionsOutput is a page of a user's history.
type UserTransactionsOutput struct {
	Body struct {
		Meta
		Transactions []APIUserTransaction `json:"transactions" doc:"Newest first."`
		NextCursor   *string              `json:"next_cursor" doc:"Pass as cursor for the next page; null on the last page."`
	}
}

// UserTransactions is a user's history as sender or recipient, newest first, a page at a time.
func (a *API) UserTransactions(ctx context.Context, in *UserTransactionsInput) (*UserTransactionsOutput, error) {
	if err := userCaller(ctx); err != nil {
		return nil, err
	}
	id, err := parseUserID(in.ID)
	if err != nil {
		return nil, err
	}
	scope := "user-transactions:" + id.String()
	var afterAt *time.Time
	var afterID uuid.UUID
	if in.Cursor != "" {
		p, err := keyset.Decode(in.Cursor, scope)
		if err != nil {
			return nil, huma.Error400BadRequest(err.Error())
		}
		afterAt, afterID = &p.At, p.ID
	}
	if _, ok, err := queries.UserProfileByID(ctx, a.PG, id); err != nil {
		return nil, a.logged("user transactions", err)
	} else if !ok {
		return nil, huma.Error404NotFound("there is no user " + id.String())
	}
	now := a.Now()
	rows, err := queries.UserTransactions(ctx, a.PG, id, afterAt, afterID, in.Limit+1)
	if err != nil {
		return nil, a.logged("user transactions", err)
	}
	out := &UserTransactionsOutput{}
	b := &out.Body
	b.Meta = meta(&now)
	rows, b.NextCursor = pageOf(rows, in.Limit, func(last queries.UserTransaction) string {
		return keyset.Encode(keyset.Position{At: last.CreatedAt, ID: last.ID}, scope)
	})
	b.Transactions = make([]APIUserTransaction, len(rows))
	for i, t := range rows {
		direction := "received"
		if t.Sent {
			direction = "sent"
		}
		b.Transactions[i] = APIUserTransaction{ID: t.ID.String(), CreatedAt: t.CreatedAt.In(time.UTC), CompletedAt: t.CompletedAt,
			Direction: direction, CounterpartyBloodHash: t.CounterpartyBloodHash, Amount: t.Amount.StringFixed(2),
			Currency: t.Currency, Status: t.Status, BankID: t.BankID, Channel: t.Channel, FailureReason: t.FailureReason}
	}
	return out, nil
}
