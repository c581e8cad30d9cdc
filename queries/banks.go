package queries

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
)

// The bank-partnership pages' statements. Their figures come from the per-bank daily rollups
// (migrations/postgres/00009_bank_rollup.sql, written by rollup/banks.go), so a page reads a
// few thousand rollup rows instead of every transaction of the range.

// BankTotals are one partnership's figures over a range. The transaction and revenue figures
// are the catalogue's bank-filtered metrics over the range (the same rollup and the same
// shared rules), read for every bank at once.
type BankTotals struct {
	Code, Name, Status string
	BankShareFraction  decimal.Decimal // the contract's fraction of the transaction fee paid to the bank
	Present            bool            // the daily rollup has run for some day of the range
	Users              int64           // distinct senders through the bank
	Transactions       int64           // every status
	Completed, Failed  int64
	Pending            int64
	CompletedVolume    decimal.Decimal
	FeesBilled         decimal.Decimal // the fee × completed transactions
	BankShare          decimal.Decimal // the bank's share of FeesBilled (bank_fee_share)
	MariShare          decimal.Decimal // FeesBilled − BankShare: Mari's transaction revenue
	Licensing          decimal.Decimal // licensing fees accrued per day in force (licensing_accrual)
	Revenue            decimal.Decimal // Mari's revenue from the bank: MariShare + Licensing
}

// BankOverview returns every partnership's totals over the SAST days of r, by bank code.
func BankOverview(ctx context.Context, q Querier, r calendar.Range) ([]BankTotals, error) {
	rows, err := q.Query(ctx, SQL("pg/bank_overview"), r.From.String(), r.To.String(), metrics.TransactionFee)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (BankTotals, error) {
		var b BankTotals
		err := row.Scan(&b.Code, &b.Name, &b.Status, &b.BankShareFraction, &b.Present, &b.Users, &b.Transactions,
			&b.Completed, &b.Failed, &b.Pending, &b.CompletedVolume,
			&b.FeesBilled, &b.BankShare, &b.MariShare, &b.Licensing, &b.Revenue)
		return b, err
	})
}

// BankMonth is one calendar month of a bank's transactions (only the days inside the range).
type BankMonth struct {
	Month             calendar.Date
	Transactions      int64
	Completed, Failed int64
	CompletedVolume   decimal.Decimal
}

// BankMonthly returns one row per month touched by r, oldest first, empty months included.
func BankMonthly(ctx context.Context, q Querier, code string, r calendar.Range) ([]BankMonth, error) {
	rows, err := q.Query(ctx, SQL("pg/bank_monthly"), code, r.From.String(), r.To.String())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (BankMonth, error) {
		var m BankMonth
		var month time.Time
		err := row.Scan(&month, &m.Transactions, &m.Completed, &m.Failed, &m.CompletedVolume)
		m.Month = calendar.DateFromDB(month)
		return m, err
	})
}

// BankStatusRow is a count of one bank's transactions with one status and failure reason.
type BankStatusRow struct {
	Status        string
	FailureReason string // "" unless failed
	Count         int64
	Amount        decimal.Decimal
}

// BankStatuses breaks a bank's transactions in r down by status and failure reason.
func BankStatuses(ctx context.Context, q Querier, code string, r calendar.Range) ([]BankStatusRow, error) {
	rows, err := q.Query(ctx, SQL("pg/bank_status"), code, r.From.String(), r.To.String())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (BankStatusRow, error) {
		var s BankStatusRow
		var reason *string
		err := row.Scan(&s.Status, &reason, &s.Count, &s.Amount)
		if reason != nil {
			s.FailureReason = *reason
		}
		return s, err
	})
}

// BankRecipient is one of a bank's top recipients.
type BankRecipient struct {
	BloodHash    string
	Transactions int64
	Volume       decimal.Decimal
	Average      decimal.Decimal // rounded to the cent
}

// topRecipients is how many recipients the top-recipients table lists.
const topRecipients = 20

// BankTopRecipients returns the 20 recipients with the most completed transactions in r. The
// fast path sums only the recipients on the monthly top lists and proves its answer against
// the bound on everyone else; when it cannot (a flat month, or a range cutting a month so
// that its leaders fall outside), it sums every recipient of the bank instead. Both are exact.
func BankTopRecipients(ctx context.Context, q Querier, code string, r calendar.Range) ([]BankRecipient, error) {
	out, proven, err := bankTopRecipientsListed(ctx, q, code, r)
	if err != nil || proven {
		return out, err
	}
	return bankTopRecipientsAll(ctx, q, code, r)
}

func bankTopRecipientsListed(ctx context.Context, q Querier, code string, r calendar.Range) ([]BankRecipient, bool, error) {
	rows, err := q.Query(ctx, SQL("pg/bank_top_recipients"), code, r.From.String(), r.To.String())
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []BankRecipient
	var othersMax int64
	for rows.Next() {
		var hash *string
		var n *int64
		var volume, average decimal.NullDecimal
		if err := rows.Scan(&hash, &n, &volume, &average, &othersMax); err != nil {
			return nil, false, err
		}
		if hash != nil {
			out = append(out, BankRecipient{BloodHash: *hash, Transactions: *n, Volume: volume.Decimal, Average: average.Decimal})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	// Nobody outside the lists has a completed transaction in the touched months, or the 20th
	// listed recipient has strictly more than anyone outside could: ties with an outsider
	// would be broken by volume, which the bound does not know.
	proven := othersMax == 0 || (len(out) == topRecipients && out[topRecipients-1].Transactions > othersMax)
	return out, proven, nil
}

func bankTopRecipientsAll(ctx context.Context, q Querier, code string, r calendar.Range) ([]BankRecipient, error) {
	rows, err := q.Query(ctx, SQL("pg/bank_top_recipients_all"), code, r.From.String(), r.To.String())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (BankRecipient, error) {
		var b BankRecipient
		err := row.Scan(&b.BloodHash, &b.Transactions, &b.Volume, &b.Average)
		return b, err
	})
}

// Partnership is a bank partnership's contract details, as the app shows and edits them. The
// API key hash is deliberately absent.
type Partnership struct {
	Code, Name, Status string
	ContractStart      calendar.Date
	ContractEnd        *calendar.Date // nil: open-ended
	MonthlyFee         decimal.Decimal
	BankShare          decimal.Decimal // fraction of the transaction fee
	SLAP95ms           int64
	APIEndpoint        string // "" when none
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int // bumped by every edit; an edit names the version it started from
}

func scanPartnership(row pgx.Row) (Partnership, bool, error) {
	var p Partnership
	var start time.Time
	var end *time.Time
	err := row.Scan(&p.Code, &p.Name, &p.Status, &start, &end, &p.MonthlyFee, &p.BankShare,
		&p.SLAP95ms, &p.APIEndpoint, &p.CreatedAt, &p.UpdatedAt, &p.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, err
	}
	p.ContractStart = calendar.DateFromDB(start)
	if end != nil {
		d := calendar.DateFromDB(*end)
		p.ContractEnd = &d
	}
	return p, true, nil
}

// PartnershipByCode reads one partnership; ok is false when there is none with that code.
func PartnershipByCode(ctx context.Context, q Querier, code string) (Partnership, bool, error) {
	return scanPartnership(q.QueryRow(ctx, SQL("pg/bank_by_code"), code))
}

// PartnershipForUpdate reads and locks one partnership inside tx.
func PartnershipForUpdate(ctx context.Context, tx Querier, code string) (Partnership, bool, error) {
	return scanPartnership(tx.QueryRow(ctx, SQL("pg/bank_by_code_for_update"), code))
}

func partnershipArgs(p Partnership, now time.Time) []any {
	var end *string
	if p.ContractEnd != nil {
		s := p.ContractEnd.String()
		end = &s
	}
	return []any{p.Code, p.Name, p.Status, p.ContractStart.String(), end, p.MonthlyFee, p.BankShare,
		p.SLAP95ms, p.APIEndpoint, now}
}

// InsertPartnership adds p; a duplicate code is a unique violation (23505).
func InsertPartnership(ctx context.Context, q Querier, p Partnership, now time.Time) error {
	_, err := q.Exec(ctx, SQL("pg/bank_insert"), partnershipArgs(p, now)...)
	return err
}

// UpdatePartnership saves p's details over the partnership with p.Code and returns its new
// version; run it in the transaction that locked the row (PartnershipForUpdate) and compared
// its version.
func UpdatePartnership(ctx context.Context, q Querier, p Partnership, now time.Time) (int, error) {
	var version int
	err := q.QueryRow(ctx, SQL("pg/bank_update"), partnershipArgs(p, now)...).Scan(&version)
	return version, err
}
