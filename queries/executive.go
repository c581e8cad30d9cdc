package queries

import (
	"context"
	"errors"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
)

// The executive dashboard's statements. Every figure is read from the rollups
// (daily_metrics) or the small business tables, never from raw transactions.

// RangeTotals are the daily rollup summed over an inclusive range of SAST days.
type RangeTotals struct {
	Days                   int64 // days in the range that have a rollup row
	TotalTransactions      int64
	SuccessfulTransactions int64
	FailedTransactions     int64
	FraudTransactions      int64
	CompletedVolume        decimal.Decimal
	TransactionRevenue     decimal.Decimal
	NewUsers               int64
}

// ExecRangeTotals sums daily_metrics over r.
func ExecRangeTotals(ctx context.Context, q Querier, r calendar.Range) (RangeTotals, error) {
	var t RangeTotals
	err := q.QueryRow(ctx, SQL("pg/exec_range_totals"), r.From.String(), r.To.String()).Scan(
		&t.Days, &t.TotalTransactions, &t.SuccessfulTransactions, &t.FailedTransactions,
		&t.FraudTransactions, &t.CompletedVolume, &t.TransactionRevenue, &t.NewUsers)
	return t, err
}

// ExecTotalUsersAt is the number of users signed up by the end of SAST day d.
func ExecTotalUsersAt(ctx context.Context, q Querier, d calendar.Date) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, SQL("pg/exec_total_users_at"), d.String()).Scan(&n)
	return n, err
}

// Month is one calendar month of the daily rollup, summed over the days of the month inside
// the queried range, plus the month's licensing fees and costs.
type Month struct {
	Month                  calendar.Date // first day
	Days                   int64         // days with a rollup row
	AllDaysComplete        bool          // every row was computed after its day ended
	LastDay                calendar.Date // last day with a row (zero when none)
	TotalTransactions      int64
	SuccessfulTransactions int64
	CompletedVolume        decimal.Decimal
	TransactionRevenue     decimal.Decimal
	LicensingRevenue       decimal.Decimal
	NewUsers               int64
	MAU                    int64 // mtd_active_users on LastDay
	Retained               int64 // mtd_retained_users on LastDay
	CostOfRevenue          decimal.Decimal
	Marketing              decimal.Decimal
}

// Revenue is transaction fees plus licensing fees.
func (m Month) Revenue() decimal.Decimal { return m.TransactionRevenue.Add(m.LicensingRevenue) }

// ExecMonthly returns one row per calendar month touched by r, oldest first, including months
// without any rollup rows.
func ExecMonthly(ctx context.Context, q Querier, r calendar.Range) ([]Month, error) {
	rows, err := q.Query(ctx, SQL("pg/exec_monthly"), r.From.String(), r.To.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Month
	for rows.Next() {
		var m Month
		var month time.Time
		var lastDay *time.Time
		if err := rows.Scan(&month, &m.Days, &m.AllDaysComplete, &m.TotalTransactions,
			&m.SuccessfulTransactions, &m.CompletedVolume, &m.TransactionRevenue, &m.NewUsers,
			&lastDay, &m.MAU, &m.Retained, &m.LicensingRevenue, &m.CostOfRevenue, &m.Marketing); err != nil {
			return nil, err
		}
		m.Month = calendar.DateFromDB(month)
		if lastDay != nil {
			m.LastDay = calendar.DateFromDB(*lastDay)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Day is one SAST day of the daily rollup; Present is false for a day without a row.
type Day struct {
	Date                   calendar.Date
	Present                bool
	TotalTransactions      int64
	SuccessfulTransactions int64
	CompletedVolume        decimal.Decimal
}

// ExecDaily returns every day of r, oldest first.
func ExecDaily(ctx context.Context, q Querier, r calendar.Range) ([]Day, error) {
	rows, err := q.Query(ctx, SQL("pg/exec_daily"), r.From.String(), r.To.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Day
	for rows.Next() {
		var d Day
		var date time.Time
		var total, successful *int64
		var volume decimal.NullDecimal
		if err := rows.Scan(&date, &total, &successful, &volume); err != nil {
			return nil, err
		}
		d.Date = calendar.DateFromDB(date)
		if total != nil {
			d.Present = true
			d.TotalTransactions, d.SuccessfulTransactions = *total, *successful
			d.CompletedVolume = volume.Decimal
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ExecOutageSeconds is the length, in seconds, of the union of outages inside [from, to).
func ExecOutageSeconds(ctx context.Context, q Querier, from, to time.Time) (decimal.Decimal, error) {
	var s decimal.Decimal
	err := q.QueryRow(ctx, SQL("pg/exec_outage_seconds"), from, to).Scan(&s)
	return s, err
}

// ExecKPITargets returns the targets by metric name.
func ExecKPITargets(ctx context.Context, q Querier) (map[string]metrics.Target, error) {
	rows, err := q.Query(ctx, SQL("pg/exec_kpi_targets"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]metrics.Target{}
	for rows.Next() {
		var t metrics.Target
		var cmp string
		if err := rows.Scan(&t.Metric, &cmp, &t.Value); err != nil {
			return nil, err
		}
		t.Comparison = metrics.Comparison(cmp)
		out[t.Metric] = t
	}
	return out, rows.Err()
}

// ExecMilestones returns the north-star milestones in month order.
func ExecMilestones(ctx context.Context, q Querier) ([]metrics.Milestone, error) {
	rows, err := q.Query(ctx, SQL("pg/exec_milestones"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []metrics.Milestone
	for rows.Next() {
		var m metrics.Milestone
		if err := rows.Scan(&m.N, &m.Volume); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ExecFirstSignup is the instant of the first sign-up; ok is false for an empty database.
func ExecFirstSignup(ctx context.Context, q Querier) (time.Time, bool, error) {
	var t *time.Time
	if err := q.QueryRow(ctx, SQL("pg/exec_first_signup")).Scan(&t); err != nil || t == nil {
		return time.Time{}, false, err
	}
	return *t, true, nil
}

// RollupFreshness is when rollup job (a rollup_runs job name such as "daily_metrics") last
// finished successfully; ok is false when it never has.
func RollupFreshness(ctx context.Context, q Querier, job string) (time.Time, bool, error) {
	var t *time.Time
	if err := q.QueryRow(ctx, SQL("pg/rollup_freshness"), job).Scan(&t); err != nil || t == nil {
		return time.Time{}, false, err
	}
	return *t, true, nil
}

// LiveToday is today's event stream so far, from ClickHouse.
type LiveToday struct {
	Date            calendar.Date
	Initiated       uint64
	Completed       uint64
	Failed          uint64
	CompletedAmount decimal.Decimal
	LastEvent       time.Time // start of the latest minute with an event; zero when none
}

// ExecLiveToday reads the ClickHouse pre-aggregations for SAST day d.
func ExecLiveToday(ctx context.Context, ch driver.Conn, d calendar.Date) (LiveToday, error) {
	l := LiveToday{Date: d}
	if err := ch.QueryRow(ctx, SQL("ch/exec_live_today"), d.String()).Scan(
		&l.Initiated, &l.Completed, &l.Failed, &l.CompletedAmount); err != nil {
		return l, err
	}
	var minutes uint64
	var last time.Time
	if err := ch.QueryRow(ctx, SQL("ch/exec_live_last_event"), d.String()).Scan(&minutes, &last); err != nil {
		return l, err
	}
	if minutes > 0 {
		l.LastEvent = last
	}
	return l, nil
}

// ExecLicensingFees is the licensing fees booked in r (on the first day of each month).
func ExecLicensingFees(ctx context.Context, q Querier, r calendar.Range) (decimal.Decimal, error) {
	var s decimal.Decimal
	err := q.QueryRow(ctx, SQL("pg/exec_licensing_fees"), r.From.String(), r.To.String()).Scan(&s)
	return s, err
}

// ExecMAUOn is month-to-date MAU on SAST day d; ok is false when the rollup has no such day.
func ExecMAUOn(ctx context.Context, q Querier, d calendar.Date) (int64, bool, error) {
	var n int64
	err := q.QueryRow(ctx, SQL("pg/exec_mau_on"), d.String()).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return n, err == nil, err
}

// Executive bundles the executive dashboard's statements over both databases; the handlers
// depend on it through a small interface.
type Executive struct {
	PG Querier
	CH driver.Conn
}

func (e Executive) RangeTotals(ctx context.Context, r calendar.Range) (RangeTotals, error) {
	return ExecRangeTotals(ctx, e.PG, r)
}
func (e Executive) TotalUsersAt(ctx context.Context, d calendar.Date) (int64, error) {
	return ExecTotalUsersAt(ctx, e.PG, d)
}
func (e Executive) Monthly(ctx context.Context, r calendar.Range) ([]Month, error) {
	return ExecMonthly(ctx, e.PG, r)
}
func (e Executive) Daily(ctx context.Context, r calendar.Range) ([]Day, error) {
	return ExecDaily(ctx, e.PG, r)
}
func (e Executive) OutageSeconds(ctx context.Context, from, to time.Time) (decimal.Decimal, error) {
	return ExecOutageSeconds(ctx, e.PG, from, to)
}
func (e Executive) KPITargets(ctx context.Context) (map[string]metrics.Target, error) {
	return ExecKPITargets(ctx, e.PG)
}
func (e Executive) Milestones(ctx context.Context) ([]metrics.Milestone, error) {
	return ExecMilestones(ctx, e.PG)
}
func (e Executive) FirstSignup(ctx context.Context) (time.Time, bool, error) {
	return ExecFirstSignup(ctx, e.PG)
}
func (e Executive) LicensingFees(ctx context.Context, r calendar.Range) (decimal.Decimal, error) {
	return ExecLicensingFees(ctx, e.PG, r)
}
func (e Executive) MAUOn(ctx context.Context, d calendar.Date) (int64, bool, error) {
	return ExecMAUOn(ctx, e.PG, d)
}
func (e Executive) RollupFreshness(ctx context.Context) (time.Time, bool, error) {
	return RollupFreshness(ctx, e.PG, "daily_metrics") // rollup.JobDailyMetrics
}
func (e Executive) LiveToday(ctx context.Context, d calendar.Date) (LiveToday, error) {
	return ExecLiveToday(ctx, e.CH, d)
}
