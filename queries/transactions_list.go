package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"mari/keyset"
)

// The transactions behind a figure: the rows a dashboard's count or sum adds up, listed a page
// at a time, and their count and sum over every page.

// TransactionFilter selects transactions by when they were initiated and what they are.
type TransactionFilter struct {
	// From and To are instants, [From, To): the caller turns SAST days, months and hours into
	// instants with package calendar.
	From, To time.Time
	// Bank, Channel, Status and FailureReason must equal the row's; "" = any.
	Bank, Channel, Status, FailureReason string
}

// TransactionCursor is the last row of the previous page: the next page starts after it.
type TransactionCursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// TransactionRow is one transaction as the transactions page and its CSV show it. The
// counterparties are their blood hashes, never a phone hash or a key.
type TransactionRow struct {
	ID                          uuid.UUID
	CreatedAt                   time.Time
	CompletedAt                 *time.Time // nil while pending
	SenderBlood, RecipientBlood string
	Amount                      decimal.Decimal
	Currency, Status, BankID    string // BankID "" when the payment went through no bank
	Channel                     string
	FailureReason               string // "" unless failed
	ProcessingMS                *int32 // nil while pending
}

// The statements let an empty filter match every row ("$n is empty, or the column equals
// $n"), a test that only a plan made for the values given folds away: a generic plan (which a
// named prepared statement falls back to after a few runs) would read the whole period and
// sort it to find one page. Each call is therefore parsed as an unnamed statement, which
// PostgreSQL plans for its parameters.
const transactionsExecMode = pgx.QueryExecModeDescribeExec

func (f TransactionFilter) args() []any {
	return []any{transactionsExecMode, f.From, f.To, f.Bank, f.Channel, f.Status, f.FailureReason}
}

// ListTransactions returns up to limit transactions matching f, newest first (by created_at,
// then id): the first page when after is nil, else the rows that follow after. New rows arriving
// between pages are newer than every row shown, so they never shift the later pages.
func ListTransactions(ctx context.Context, q Querier, f TransactionFilter, after *TransactionCursor, limit int) ([]TransactionRow, error) {
	if limit <= 0 {
		return nil, nil
	}
	args := append(f.args(), limit)
	name := "pg/transactions_list"
	if after != nil {
		name = "pg/transactions_list_after"
		args = append(args, after.CreatedAt, after.ID)
	}
	rows, err := q.Query(ctx, SQL(name), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (TransactionRow, error) {
		var r TransactionRow
		err := row.Scan(&r.ID, &r.CreatedAt, &r.CompletedAt, &r.SenderBlood, &r.RecipientBlood, &r.Amount,
			&r.Currency, &r.Status, &r.BankID, &r.Channel, &r.FailureReason, &r.ProcessingMS)
		return r, err
	})
}

// TransactionTotals counts every transaction matching f and adds up their amounts.
func TransactionTotals(ctx context.Context, q Querier, f TransactionFilter) (count int64, sum decimal.Decimal, err error) {
	err = q.QueryRow(ctx, SQL("pg/transactions_totals"), f.args()...).Scan(&count, &sum)
	return count, sum, err
}

// A cursor travels in a page's URL: the position (package keyset) bound to the filter, so that
// one carried over to other filters (whose pages it does not belong to) is refused.

// ErrBadCursor is the error of every cursor DecodeTransactionCursor refuses.
var ErrBadCursor = keyset.ErrBadCursor

// EncodeTransactionCursor is c as an opaque URL-safe string, bound to f.
func EncodeTransactionCursor(c TransactionCursor, f TransactionFilter) string {
	return keyset.Encode(keyset.Position{At: c.CreatedAt, ID: c.ID}, f.scope())
}

// DecodeTransactionCursor reads a cursor EncodeTransactionCursor made for the same filter f;
// any other string is ErrBadCursor.
func DecodeTransactionCursor(s string, f TransactionFilter) (TransactionCursor, error) {
	p, err := keyset.Decode(s, f.scope())
	return TransactionCursor{CreatedAt: p.At, ID: p.ID}, err
}

// scope names the listing of f. Every field is written with its length, so no two different
// filters write the same text.
func (f TransactionFilter) scope() string {
	s := fmt.Sprintf("transactions|%d|%d", f.From.UnixMicro(), f.To.UnixMicro())
	for _, v := range []string{f.Bank, f.Channel, f.Status, f.FailureReason} {
		s += fmt.Sprintf("|%d:%s", len(v), v)
	}
	return s
}
