package queries

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
)

// DayFacts are the additive inputs of the transaction and revenue metrics for one SAST day:
// any period's figures are the sums of its days'. Revenue follows the shared rules of
// migration 00015 (bank shares and licensing accrue per day with cumulative rounding per bank
// and month, so days add up exactly to months).
type DayFacts struct {
	Day      calendar.Date
	Present  bool // the daily rollup has a row for the day
	Complete bool // the row was computed after the day ended

	Transactions    int64 // initiated that day, any status
	Completed       int64
	Failed          int64
	Fraud           int64 // not known per bank: 0 in a bank's facts
	CompletedVolume decimal.Decimal
	NewUsers        int64 // signed up that day; not known per bank: 0
	ActiveUsers     int64 // distinct senders that day; not additive; not known per bank: 0
	// MTDActiveUsers and MTDRetained are the month's active users from its 1st through the
	// day, and of those the ones also active the month before: not additive (a month's are its
	// last day's); not known per bank: 0.
	MTDActiveUsers int64
	MTDRetained    int64

	FeesBilled         decimal.Decimal // the fee × completed transactions
	BankShare          decimal.Decimal // the banks' contracted share of FeesBilled
	TransactionRevenue decimal.Decimal // Mari's: FeesBilled − BankShare
	LicensingRevenue   decimal.Decimal // accrued per day in force
	Revenue            decimal.Decimal // Mari's: TransactionRevenue + LicensingRevenue
}

// Add sums the additive inputs of two periods (ActiveUsers is not additive: it is left as
// the receiver's).
func (a DayFacts) Add(b DayFacts) DayFacts {
	a.Present = a.Present || b.Present
	a.Complete = a.Complete && b.Complete
	a.Transactions += b.Transactions
	a.Completed += b.Completed
	a.Failed += b.Failed
	a.Fraud += b.Fraud
	a.CompletedVolume = a.CompletedVolume.Add(b.CompletedVolume)
	a.NewUsers += b.NewUsers
	a.FeesBilled = a.FeesBilled.Add(b.FeesBilled)
	a.BankShare = a.BankShare.Add(b.BankShare)
	a.TransactionRevenue = a.TransactionRevenue.Add(b.TransactionRevenue)
	a.LicensingRevenue = a.LicensingRevenue.Add(b.LicensingRevenue)
	a.Revenue = a.Revenue.Add(b.Revenue)
	return a
}

// MetricDailyFacts returns every SAST day of r, oldest first, for all banks together.
func MetricDailyFacts(ctx context.Context, q Querier, r calendar.Range) ([]DayFacts, error) {
	return dayFacts(ctx, q, SQL("pg/metric_daily_facts"), r.From.String(), r.To.String(), metrics.TransactionFee)
}

// MetricBankDailyFacts returns every SAST day of r for the bank with code bank.
func MetricBankDailyFacts(ctx context.Context, q Querier, r calendar.Range, bank string) ([]DayFacts, error) {
	return dayFacts(ctx, q, SQL("pg/metric_bank_daily_facts"), r.From.String(), r.To.String(), metrics.TransactionFee, bank)
}

func dayFacts(ctx context.Context, q Querier, sql string, args ...any) ([]DayFacts, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (DayFacts, error) {
		var f DayFacts
		var day time.Time
		err := row.Scan(&day, &f.Present, &f.Complete, &f.Transactions, &f.Completed, &f.Failed, &f.Fraud,
			&f.CompletedVolume, &f.NewUsers, &f.ActiveUsers, &f.MTDActiveUsers, &f.MTDRetained,
			&f.FeesBilled, &f.BankShare, &f.TransactionRevenue, &f.LicensingRevenue, &f.Revenue)
		f.Day = calendar.DateFromDB(day)
		return f, err
	})
}

// MetricTotalUsersAt returns the total users at the end of each of days, in their order.
func MetricTotalUsersAt(ctx context.Context, q Querier, days []calendar.Date) ([]int64, error) {
	arg := make([]string, len(days))
	for i, d := range days {
		arg[i] = d.String()
	}
	rows, err := q.Query(ctx, SQL("pg/metric_total_users_at"), arg)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (int64, error) {
		var d time.Time
		var n int64
		err := row.Scan(&d, &n)
		return n, err
	})
}

// MetricOutageSeconds returns the seconds of outage inside each window [from[i], to[i]).
func MetricOutageSeconds(ctx context.Context, q Querier, from, to []time.Time) ([]decimal.Decimal, error) {
	rows, err := q.Query(ctx, SQL("pg/metric_outage_seconds"), from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[decimal.Decimal])
}
