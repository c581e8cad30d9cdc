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

// ExecTotalUsersAt is the number of users signed up by the end of SAST day d.
func ExecTotalUsersAt(ctx context.Context, q Querier, d calendar.Date) (int64, error) {
	n, err := MetricTotalUsersAt(ctx, q, []calendar.Date{d})
	if err != nil {
		return 0, err
	}
	return n[0], nil
}

// Month is one calendar month of the daily rollup and of the revenue rules, summed over the
// days of the month inside the queried range, plus the month's costs.
type Month struct {
	Month                  calendar.Date // first day
	Days                   int64         // days with a rollup row
	AllDaysComplete        bool          // every row was computed after its day ended
	LastDay                calendar.Date // last day with a row (zero when none)
	TotalTransactions      int64
	SuccessfulTransactions int64
	CompletedVolume        decimal.Decimal
	FeesBilled             decimal.Decimal // the transaction fee × completed transactions
	BankShare              decimal.Decimal // the banks' contracted share of FeesBilled
	TransactionRevenue     decimal.Decimal // Mari's: FeesBilled − BankShare
	LicensingRevenue       decimal.Decimal // accrued per day in force
	NewUsers               int64
	MAU                    int64 // mtd_active_users on LastDay
	Retained               int64 // mtd_retained_users on LastDay
	CostOfRevenue          decimal.Decimal
	Marketing              decimal.Decimal
}

// Revenue is Mari's revenue: its share of transaction fees plus licensing fees.
func (m Month) Revenue() decimal.Decimal { return m.TransactionRevenue.Add(m.LicensingRevenue) }

// ExecMonthly returns one row per calendar month touched by r, oldest first, including months
// without any rollup rows: the daily facts of r summed by month (a month r cuts counts only
// its days in r), MAU and retained users from each month's last rollup day in r, and the
// month's booked costs.
func ExecMonthly(ctx context.Context, q Querier, r calendar.Range) ([]Month, error) {
	days, err := MetricDailyFacts(ctx, q, r)
	if err != nil {
		return nil, err
	}
	costs, err := MonthlyCosts(ctx, q, r)
	if err != nil {
		return nil, err
	}
	return MonthsOf(r, days, costs), nil
}

// MonthCosts are a month's booked costs by P&L line.
type MonthCosts struct {
	CostOfRevenue, Marketing decimal.Decimal
}

// MonthlyCosts returns the booked costs of every month from r's first through r's last day.
func MonthlyCosts(ctx context.Context, q Querier, r calendar.Range) (map[calendar.Date]MonthCosts, error) {
	rows, err := q.Query(ctx, SQL("pg/metric_monthly_costs"), r.From.String(), r.To.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[calendar.Date]MonthCosts{}
	for rows.Next() {
		var month time.Time
		var c MonthCosts
		if err := rows.Scan(&month, &c.CostOfRevenue, &c.Marketing); err != nil {
			return nil, err
		}
		out[calendar.DateFromDB(month)] = c
	}
	return out, rows.Err()
}

// MonthsOf sums the daily facts of r (oldest first) into calendar months, with their costs.
func MonthsOf(r calendar.Range, days []DayFacts, costs map[calendar.Date]MonthCosts) []Month {
	var out []Month
	for m := r.From.MonthStart(); !m.After(r.To); m = m.AddMonths(1) {
		out = append(out, Month{Month: m, AllDaysComplete: true, CostOfRevenue: costs[m].CostOfRevenue, Marketing: costs[m].Marketing})
	}
	for _, d := range days {
		m := &out[r.From.MonthStart().MonthsUntil(d.Day)]
		m.FeesBilled = m.FeesBilled.Add(d.FeesBilled)
		m.BankShare = m.BankShare.Add(d.BankShare)
		m.TransactionRevenue = m.TransactionRevenue.Add(d.TransactionRevenue)
		m.LicensingRevenue = m.LicensingRevenue.Add(d.LicensingRevenue)
		if !d.Present {
			continue
		}
		m.Days++
		m.AllDaysComplete = m.AllDaysComplete && d.Complete
		m.LastDay = d.Day
		m.TotalTransactions += d.Transactions
		m.SuccessfulTransactions += d.Completed
		m.CompletedVolume = m.CompletedVolume.Add(d.CompletedVolume)
		m.NewUsers += d.NewUsers
		m.MAU, m.Retained = d.MTDActiveUsers, d.MTDRetained
	}
	for i := range out {
		if out[i].Days == 0 {
			out[i].AllDaysComplete = false
		}
	}
	return out
}

// ExecOutageSeconds is the length, in seconds, of the union of outages inside [from, to).
func ExecOutageSeconds(ctx context.Context, q Querier, from, to time.Time) (decimal.Decimal, error) {
	s, err := MetricOutageSeconds(ctx, q, []time.Time{from}, []time.Time{to})
	if err != nil {
		return decimal.Zero, err
	}
	return s[0], nil
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

func (e Executive) TotalUsersAt(ctx context.Context, d calendar.Date) (int64, error) {
	return ExecTotalUsersAt(ctx, e.PG, d)
}
func (e Executive) Monthly(ctx context.Context, r calendar.Range) ([]Month, error) {
	return ExecMonthly(ctx, e.PG, r)
}
func (e Executive) Milestones(ctx context.Context) ([]metrics.Milestone, error) {
	return ExecMilestones(ctx, e.PG)
}
func (e Executive) FirstSignup(ctx context.Context) (time.Time, bool, error) {
	return ExecFirstSignup(ctx, e.PG)
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
