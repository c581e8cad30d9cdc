package handlers

import (
	"context"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"mari/calendar"
	"mari/queries"
)

// TransactionsInput filters the transactions and asks for a page of them.
type TransactionsInput struct {
	RangeParams
	Bank          string `query:"bank" maxLength:"20" doc:"Only this bank's (a key restricted to a bank: always its own)."`
	Channel       string `query:"channel" enum:"online,offline_sms"`
	Status        string `query:"status" enum:"PENDING,COMPLETED,FAILED"`
	FailureReason string `query:"failure_reason" maxLength:"100" doc:"Only failed transactions with this reason."`
	PageParams
}

// APITransaction is one transaction, its parties by blood hash only.
type APITransaction struct {
	ID                 string     `json:"id" format:"uuid"`
	CreatedAt          time.Time  `json:"created_at" doc:"When it was initiated: the instant that places it in a day, week or month (SAST)."`
	CompletedAt        *time.Time `json:"completed_at" doc:"When it completed or failed; null while pending."`
	SenderBloodHash    string     `json:"sender_blood_hash"`
	RecipientBloodHash string     `json:"recipient_blood_hash"`
	Amount             string     `json:"amount" doc:"ZAR, exact to the cent."`
	Currency           string     `json:"currency"`
	Status             string     `json:"status" enum:"PENDING,COMPLETED,FAILED"`
	BankID             string     `json:"bank_id,omitempty"`
	Channel            string     `json:"channel" enum:"online,offline_sms"`
	FailureReason      string     `json:"failure_reason,omitempty"`
	ProcessingMS       *int32     `json:"processing_time_ms" doc:"null while pending."`
}

// TransactionsOutput is a page of transactions and the count and sum of all that match.
type TransactionsOutput struct {
	Body struct {
		Meta
		From         string           `json:"from" format:"date"`
		To           string           `json:"to" format:"date"`
		Filters      APIFilters       `json:"filters"`
		Count        int64            `json:"count" doc:"Every transaction matching the filters, not just this page's."`
		Sum          string           `json:"sum" doc:"Their amounts added up (ZAR), every status that matches."`
		Transactions []APITransaction `json:"transactions" doc:"Newest first (created_at, then id)."`
		NextCursor   *string          `json:"next_cursor" doc:"Pass as cursor for the next page; null on the last page. Pages stay stable while new transactions arrive: they are newer than every row already listed."`
	}
}

// Transactions lists the transactions behind a figure: the rows a dashboard's count or sum
// adds up, a page at a time, with their count and sum.
func (a *API) Transactions(ctx context.Context, in *TransactionsInput) (*TransactionsOutput, error) {
	caller, err := apiCaller(ctx)
	if err != nil {
		return nil, err
	}
	bank, err := a.bankFor(ctx, caller, in.Bank)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	rp := in.RangeParams
	if rp.From == "" && rp.To == "" {
		// Rows, not a dashboard: without a range, today's (as the transactions page shows).
		today := calendar.Today(now).String()
		rp = RangeParams{From: today, To: today}
	}
	rc, err := a.rangeOf(ctx, rp, now)
	if err != nil {
		return nil, err
	}
	f := queries.TransactionFilter{From: rc.Range.From.Start(), To: rc.Range.To.End(), Bank: bank, Channel: in.Channel,
		Status: in.Status, FailureReason: in.FailureReason}
	var after *queries.TransactionCursor
	if in.Cursor != "" {
		c, err := queries.DecodeTransactionCursor(in.Cursor, f)
		if err != nil {
			return nil, huma.Error400BadRequest(err.Error())
		}
		after = &c
	}
	count, sum, err := queries.TransactionTotals(ctx, a.PG, f)
	if err != nil {
		return nil, a.logged("transactions", err)
	}
	rows, err := queries.ListTransactions(ctx, a.PG, f, after, in.Limit+1)
	if err != nil {
		return nil, a.logged("transactions", err)
	}
	out := &TransactionsOutput{}
	b := &out.Body
	b.Meta = meta(&now)
	b.From, b.To = rc.Range.From.String(), rc.Range.To.String()
	b.Filters = APIFilters{Bank: bank, Channel: in.Channel, Status: in.Status, FailureReason: in.FailureReason}
	b.Count, b.Sum = count, sum.StringFixed(2)
	rows, b.NextCursor = pageOf(rows, in.Limit, func(last queries.TransactionRow) string {
		return queries.EncodeTransactionCursor(queries.TransactionCursor{CreatedAt: last.CreatedAt, ID: last.ID}, f)
	})
	b.Transactions = make([]APITransaction, len(rows))
	for i, r := range rows {
		b.Transactions[i] = APITransaction{ID: r.ID.String(), CreatedAt: r.CreatedAt.In(time.UTC), CompletedAt: r.CompletedAt,
			SenderBloodHash: r.SenderBlood, RecipientBloodHash: r.RecipientBlood, Amount: r.Amount.StringFixed(2),
			Currency: r.Currency, Status: r.Status, BankID: r.BankID, Channel: r.Channel, FailureReason: r.FailureReason,
			ProcessingMS: r.ProcessingMS}
	}
	return out, nil
}
