package catalogue

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
	"mari/queries"
)

// Ids of the periods and comparisons every page shares.
const (
	IDDay            = "sast-day"
	IDHeadline       = "headline-periods"
	IDPresets        = "date-ranges"
	IDPreviousPeriod = "previous-period"
)

// The executive metrics' ids.
const (
	IDActiveUser         = "active-user"
	IDTotalUsers         = "total-users"
	IDNewUsers           = "new-users"
	IDUserGrowth         = "user-growth-rate"
	IDActiveUsers        = "active-users"
	IDMAU                = "mau"
	IDTxPerUser          = "transactions-per-user-per-month"
	IDTransactions       = "transactions"
	IDCompleted          = "completed-transactions"
	IDCompletedVolume    = "completed-volume"
	IDFeesBilled         = "transaction-fees-billed"
	IDBankShare          = "banks-share"
	IDTransactionRevenue = "transaction-revenue"
	IDLicensingRevenue   = "licensing-revenue"
	IDRevenue            = "revenue"
	IDSuccessRate        = "success-rate"
	IDFraudRate          = "fraud-rate"
	IDUptime             = "uptime"
	IDNorthStar          = "north-star"
	IDLiveToday          = "live-today"
)

var allGrains = []Grain{Day, Week, Month}

func init() {
	declare(&Metric{ID: IDDay, Name: "Day, week and month", Section: SectionCommon,
		Definition: "Every day, week and month is a calendar period in South African Standard Time (Africa/Johannesburg, UTC+2, no daylight saving). A payment made at 23:30 on 31 January SAST (21:30 UTC) belongs to 31 January and to January. A week is an ISO week, Monday to Sunday. A transaction belongs to the day it was initiated.",
		Formula:    "day = calendar date of the instant in Africa/Johannesburg; week = the Monday-to-Sunday week containing it",
		Source:     "the rollups hold one row per SAST day, computed from the source tables by the rollup jobs"})
	declare(&Metric{ID: IDPresets, Name: "Date ranges", Section: SectionCommon,
		Definition: "Every range includes both its first and its last day. \"Month to date\" runs from the 1st of this month through today; \"Last 30 days\" and \"Last 90 days\" end today; \"6 full months + this month\" and \"12 full months + this month\" start on the 1st of the month 6 (or 12) months ago and run through today, so they hold exactly that many complete months and this month so far; \"Year to date\" starts on 1 January; \"All time\" starts in the launch month.",
		Formula:    "6 full months + this month = [1st of (this month − 6 months), today]",
		Source:     "the calendar, in SAST"})
	declare(&Metric{ID: IDPreviousPeriod, Name: "Previous period", Section: SectionCommon,
		Definition: "What a range is compared with: the period of the same length directly before it. A range starting on the 1st of a month is shifted back by as many whole calendar months as it touches, keeping its days (1–26 November against 1–26 October; 1 June – 1 December, six full months and a day, against 1 November – 1 May), so a partial month is never compared with a full one. Any other range is compared with the same number of days immediately before it.",
		Formula:    "see calendar.Range.PreviousPeriod",
		Source:     "the same rollups as the metric"})
	declare(&Metric{ID: IDHeadline, Name: "Headline figures and complete periods", Section: SectionCommon,
		Definition: "A headline shows a complete period. Monthly figures (monthly active users, transactions per user) show the last complete calendar month inside the range, compared with the month before it; the month still running is shown beneath as month to date, never as the headline. Financial KPIs use the complete months of the range. Figures summed over the range (volume, revenue) cover exactly the range chosen, and charts over the same range add up to the same totals.",
		Formula:    "complete month = a calendar month that lies wholly inside the range and has ended",
		Source:     "the metrics' monthly series (catalogue.Periods marks each period complete or not)"})

	declare(&Metric{ID: IDActiveUser, Name: "Active user", Section: SectionExecutive,
		Definition: "A user who sent at least one transaction (in any status: completed, failed or pending) in the period. Receiving money, logging in or checking a balance does not make a user active.",
		Formula:    "count of distinct transactions.sender_id with created_at in the period",
		Source:     "daily_metrics.active_users (per day), daily_metrics.mtd_active_users (month to date)"})
	declare(&Metric{ID: IDTotalUsers, Name: "Total users", Section: SectionExecutive,
		Definition: "Every user who had signed up by the end of the period, whatever their status. Over a range, the value at the end of its last day.",
		Formula:    "total users at the end of day D = count of users with created_at before the end of D (SAST)",
		Source:     "daily_metrics.total_users",
		Unit:       Count, Better: Higher, Grains: allGrains,
		SQL:  totalUsersSQL,
		Load: totalUsers})
	declare(&Metric{ID: IDNewUsers, Name: "New users", Section: SectionExecutive,
		Definition: "Users who signed up in the period, counted from the sign-up time (users.created_at), never from first transactions.",
		Formula:    "count of users with created_at in the period",
		Source:     "Σ daily_metrics.new_users",
		Unit:       Count, Better: Higher, Grains: allGrains,
		SQL:  factsSQL,
		Load: fromFacts(func(f queries.DayFacts) Value { return count(f.NewUsers) })})
	declare(&Metric{ID: IDUserGrowth, Name: "User growth rate", Section: SectionExecutive,
		Definition: "How much the user base grew over the period: total users at its end against total users just before it began. n/a when there were no users before it.",
		Formula:    "(total users at the end of the period − total users at the end of the day before it) ÷ total users at the end of the day before it",
		Source:     "daily_metrics.total_users",
		Unit:       Ratio, Decimals: 1, Better: Higher, Grains: allGrains,
		SQL:  totalUsersSQL,
		Load: userGrowth})
	declare(&Metric{ID: IDActiveUsers, Name: "Daily active users", Section: SectionExecutive,
		Definition: "Active users on a day. Active users are distinct people, so days cannot be added up into weeks or months: ask for monthly active users instead.",
		Formula:    "count of distinct senders on the day",
		Source:     "daily_metrics.active_users",
		Unit:       Count, Better: Higher, Grains: []Grain{Day},
		TotalNote: "distinct users cannot be added across days; no total over a range",
		SQL:       factsSQL,
		Load:      fromFacts(func(f queries.DayFacts) Value { return count(f.ActiveUsers) }),
	})
	declare(&Metric{ID: IDMAU, Name: "Monthly active users (MAU)", Section: SectionExecutive,
		Definition: "Active users in a calendar month, counted from the month's 1st even when the range starts later. The headline is the last complete month in the range; the month still running is month to date and labelled so.",
		Formula:    "MAU(month) = daily_metrics.mtd_active_users on the month's last day (in the range)",
		Source:     "daily_metrics.mtd_active_users",
		Unit:       Count, Better: Higher, Grains: []Grain{Month},
		TotalNote: "distinct users cannot be added across months; the headline is the last complete month",
		SQL:       monthsSQL,
		Load:      monthlyFigure(func(m queries.Month) Value { return count(m.MAU) })})
	declare(&Metric{ID: IDTxPerUser, Name: "Transactions per user per month", Section: SectionExecutive,
		Definition: "How often an active user transacts in a calendar month.",
		Formula:    "transactions initiated in the month (any status) ÷ MAU of that month",
		Source:     "Σ daily_metrics.total_transactions, daily_metrics.mtd_active_users",
		Unit:       PerUser, Decimals: 2, Better: Higher, Grains: []Grain{Month},
		TotalNote: "a monthly figure; the headline is the last complete month",
		SQL:       monthsSQL,
		Load:      monthlyFigure(func(m queries.Month) Value { return ratio(m.TotalTransactions, m.MAU) })})
	declare(&Metric{ID: IDTransactions, Name: "Transactions", Section: SectionExecutive,
		Definition: "Transactions initiated in the period, in any status, by the SAST day they were initiated.",
		Formula:    "count of transactions with created_at in the period",
		Source:     "Σ daily_metrics.total_transactions; for one bank Σ bank_daily_status.transactions",
		Unit:       Count, Better: Higher, Grains: allGrains, Filters: []Filter{FilterBank},
		SQL:  factsSQL,
		Load: fromFacts(func(f queries.DayFacts) Value { return count(f.Transactions) })})
	declare(&Metric{ID: IDCompleted, Name: "Completed transactions", Section: SectionExecutive,
		Definition: "Transactions initiated in the period that completed (status COMPLETED), by the SAST day they were initiated.",
		Formula:    "count of transactions with status COMPLETED and created_at in the period",
		Source:     "Σ daily_metrics.successful_transactions; for one bank Σ bank_daily_status.transactions of COMPLETED",
		Unit:       Count, Better: Higher, Grains: allGrains, Filters: []Filter{FilterBank},
		SQL:  factsSQL,
		Load: fromFacts(func(f queries.DayFacts) Value { return count(f.Completed) })})
	declare(&Metric{ID: IDCompletedVolume, Name: "Completed volume", Section: SectionExecutive,
		Definition: "The rand value of completed transactions, by the SAST day the transaction was initiated. Failed and pending transactions are excluded.",
		Formula:    "Σ amount of transactions with status COMPLETED, initiated in the period",
		Source:     "Σ daily_metrics.total_volume; for one bank Σ bank_daily_status.amount of COMPLETED",
		Unit:       Rand, Better: Higher, Grains: allGrains, Filters: []Filter{FilterBank},
		SQL:  factsSQL,
		Load: fromFacts(func(f queries.DayFacts) Value { return money(f.CompletedVolume) })})
	declare(&Metric{ID: IDFeesBilled, Name: "Transaction fees billed", Section: SectionExecutive,
		Definition: "The gross transaction fee: R0.10 for every completed transaction, before the partner banks' shares. Not Mari's revenue: Mari keeps what is left after each bank's share. Failed and pending transactions are billed nothing.",
		Formula:    "R0.10 × completed transactions",
		Source:     "daily_metrics.successful_transactions; for one bank bank_daily_status (function bank_fee_share)",
		Unit:       Rand, Better: Higher, Grains: allGrains, Filters: []Filter{FilterBank},
		SQL:  factsSQL,
		Load: fromFacts(func(f queries.DayFacts) Value { return money(f.FeesBilled) })})
	declare(&Metric{ID: IDBankShare, Name: "Banks' share of transaction fees", Section: SectionExecutive,
		Definition: "What the partner banks receive of the transaction fees on their transactions. Per bank and calendar month, the bank's share is its contracted transaction_fee_percentage of R0.10 × its completed transactions that month, rounded to the cent. It accrues day by day: a day's share is the month's share through that day, rounded, less the share through the day before, so any range of days adds up exactly. Transactions without a bank owe no share.",
		Formula:    "share through day d of month M = round(percentage × R0.10 × completed transactions of the bank from the 1st of M through d, 2); a day's share = share through d − share through d − 1",
		Source:     "bank_daily_status (completed per bank and day), bank_partnerships.transaction_fee_percentage; SQL function bank_fee_share",
		Unit:       Rand, Grains: allGrains, Filters: []Filter{FilterBank},
		SQL:  factsSQL,
		Load: fromFacts(func(f queries.DayFacts) Value { return money(f.BankShare) })})
	declare(&Metric{ID: IDTransactionRevenue, Name: "Transaction revenue (Mari's share)", Section: SectionExecutive,
		Definition: "Mari's revenue from transaction fees: the fees billed less the partner banks' shares.",
		Formula:    "transaction fees billed − banks' share",
		Source:     "SQL function revenue_daily",
		Unit:       Rand, Better: Higher, Grains: allGrains, Filters: []Filter{FilterBank},
		SQL:  factsSQL,
		Load: fromFacts(func(f queries.DayFacts) Value { return money(f.TransactionRevenue) })})
	declare(&Metric{ID: IDLicensingRevenue, Name: "Licensing revenue", Section: SectionExecutive,
		Definition: "Banks' monthly licensing fees, accrued per day the contract is in force: a bank's monthly fee × the days of the month its contract covers ÷ the days in that month, rounded to the cent per bank and month. A contract covers the days from its start date through its end date. A range earns the fees of its days: a contract starting on the 17th of a 30-day month earns 14/30 of the fee that month, and one day earns one day's share. Days add up with the same cumulative rounding as the banks' share.",
		Formula:    "fee through day d of month M = round(monthly fee × days in force from the 1st of M through d ÷ days in M, 2); a day's fee = fee through d − fee through d − 1",
		Source:     "bank_partnerships (monthly_fee, contract_start_date, contract_end_date); SQL function licensing_accrual",
		Unit:       Rand, Better: Higher, Grains: allGrains, Filters: []Filter{FilterBank},
		SQL:  factsSQL,
		Load: fromFacts(func(f queries.DayFacts) Value { return money(f.LicensingRevenue) })})
	declare(&Metric{ID: IDRevenue, Name: "Revenue", Section: SectionExecutive,
		Definition: "Mari's revenue: its share of transaction fees (fees billed less the partner banks' shares) plus licensing fees accrued per day in force. Every figure called revenue, margin, LTV or revenue per user uses it.",
		Formula:    "transaction revenue (Mari's share) + licensing revenue",
		Source:     "SQL function revenue_daily (daily_metrics, bank_daily_status, bank_partnerships)",
		Unit:       Rand, Better: Higher, Grains: allGrains, Filters: []Filter{FilterBank},
		SQL:  factsSQL,
		Load: fromFacts(func(f queries.DayFacts) Value { return money(f.Revenue) })})
	declare(&Metric{ID: IDSuccessRate, Name: "Transaction success rate", Section: SectionExecutive,
		Definition: "Of the transactions that reached a final state, the share that completed. Pending transactions are left out until they finish. n/a when none reached a final state.",
		Formula:    "completed ÷ (completed + failed)",
		Source:     "Σ daily_metrics.successful_transactions and failed_transactions; for one bank bank_daily_status",
		Unit:       Ratio, Decimals: 2, Target: "success_rate", Better: Higher, Grains: allGrains, Filters: []Filter{FilterBank},
		SQL:  factsSQL,
		Load: fromFacts(func(f queries.DayFacts) Value { return valueOf(metrics.SuccessRate(f.Completed, f.Failed)) })})
	declare(&Metric{ID: IDFraudRate, Name: "Fraud rate", Section: SectionExecutive,
		Definition: "The share of transactions the risk team confirmed as fraud.",
		Formula:    "fraud transactions ÷ all transactions initiated in the period",
		Source:     "Σ daily_metrics.fraud_transactions, Σ daily_metrics.total_transactions",
		Unit:       Ratio, Decimals: 3, Target: "fraud_rate", Better: Lower, Grains: allGrains,
		SQL:  factsSQL,
		Load: fromFacts(func(f queries.DayFacts) Value { return ratio(f.Fraud, f.Transactions) })})
	declare(&Metric{ID: IDUptime, Name: "Uptime", Section: SectionExecutive,
		Definition: "The share of the period during which no outage was running. Only incidents marked as outages count; overlapping outages count once; an outage still running counts up to now. A period runs from 00:00 SAST on its first day to 00:00 SAST after its last day, or to now if that is earlier; a period that has not begun is n/a.",
		Formula:    "1 − (length of the union of outage intervals, clipped to the period) ÷ (length of the period)",
		Source:     "incidents (is_outage, started_at, ended_at)",
		Unit:       Ratio, Decimals: 3, Target: "uptime", Better: Higher, Grains: allGrains,
		SQL:  outageSQL,
		Load: uptime})
	declare(&Metric{ID: IDNorthStar, Name: "North star: monthly completed volume", Section: SectionExecutive,
		Definition: "Completed volume per calendar month, counted from launch (the launch month is month 1), against the milestones R10M by month 12, R100M by month 18 and R1B by month 24. The trend is the compound monthly growth over the last (up to) six complete months, projected forward; a milestone the trend never reaches is shown as \"not at this trend\".",
		Formula:    "growth = (last ÷ first)^(1 ÷ (n − 1)) − 1 over n complete months; projected(N) = last × (1 + growth)^(N − N_last)",
		Source:     "completed volume by month, north_star_milestones, launch month (MARI_LAUNCH_MONTH or the month of the first sign-up)"})
	declare(&Metric{ID: IDLiveToday, Name: "Today so far (live)", Section: SectionExecutive,
		Definition: "Today's transaction events as they stream in: initiated, completed and failed counts and the completed amount for today's SAST date. It shows that the event stream is flowing; the rollup-based tiles settle after the day ends.",
		Formula:    "Σ events and Σ amount by event type for today's date",
		Source:     "ClickHouse daily_bank_events and events_per_minute"})
}

// totalUsers: the value at the end of each period (and of the range), never after today.
func totalUsers(ctx context.Context, src *Sources, q Query) (Series, error) {
	points := Periods(q.Range, q.Grain, q.Today())
	days := make([]calendar.Date, 0, len(points)+1)
	for _, p := range points {
		days = append(days, capAt(p.Period.To, q.Today()))
	}
	n, err := queries.MetricTotalUsersAt(ctx, src.PG, days)
	if err != nil {
		return Series{}, err
	}
	for i := range points {
		points[i].Value = count(n[i])
	}
	return Series{Points: points, Total: points[len(points)-1].Value}, nil
}

// userGrowth: each period's growth against the day before it began.
func userGrowth(ctx context.Context, src *Sources, q Query) (Series, error) {
	points := Periods(q.Range, q.Grain, q.Today())
	days := []calendar.Date{q.Range.From.AddDays(-1)}
	for _, p := range points {
		days = append(days, capAt(p.Period.To, q.Today()))
	}
	n, err := queries.MetricTotalUsersAt(ctx, src.PG, days)
	if err != nil {
		return Series{}, err
	}
	growth := func(before, after int64) Value {
		g, ok := metrics.Growth(decimal.NewFromInt(after), decimal.NewFromInt(before))
		return Value{V: g, OK: ok}
	}
	for i := range points {
		points[i].Value = growth(n[i], n[i+1])
	}
	return Series{Points: points, Total: growth(n[0], n[len(n)-1])}, nil
}

func capAt(d, limit calendar.Date) calendar.Date {
	if d.After(limit) {
		return limit
	}
	return d
}

// monthlyFigure makes the Load of a calendar-month figure: one point per month the range
// touches, each counted from the month's 1st (a month cut at the range's start is shown
// whole); complete only once the month has ended inside the range.
func monthlyFigure(formula func(queries.Month) Value) func(context.Context, *Sources, Query) (Series, error) {
	return func(ctx context.Context, src *Sources, q Query) (Series, error) {
		whole := calendar.Range{From: q.Range.From.MonthStart(), To: q.Range.To}
		months, err := src.months(ctx, whole)
		if err != nil {
			return Series{}, err
		}
		points := Periods(whole, Month, q.Today())
		for i := range points {
			if i < len(months) && months[i].Days > 0 {
				points[i].Value = formula(months[i])
			}
		}
		return Series{Points: points, Total: NA}, nil
	}
}

// uptime: each period from its first midnight to the midnight after its last day, or now.
func uptime(ctx context.Context, src *Sources, q Query) (Series, error) {
	points := Periods(q.Range, q.Grain, q.Today())
	now := q.Now
	windows := append(append([]calendar.Range(nil), rangesOf(points)...), q.Range)
	from := make([]time.Time, len(windows))
	to := make([]time.Time, len(windows))
	for i, w := range windows {
		from[i], to[i] = w.From.Start(), w.To.End()
		if now.Before(to[i]) {
			to[i] = now
		}
		if to[i].Before(from[i]) {
			to[i] = from[i]
		}
	}
	down, err := queries.MetricOutageSeconds(ctx, src.PG, from, to)
	if err != nil {
		return Series{}, err
	}
	value := func(i int) Value {
		total := decimal.New(to[i].Sub(from[i]).Milliseconds(), -3)
		share := ratioOf(down[i], total)
		if !share.OK {
			return NA
		}
		return Of(decimal.NewFromInt(1).Sub(share.V))
	}
	for i := range points {
		points[i].Value = value(i)
	}
	return Series{Points: points, Total: value(len(windows) - 1)}, nil
}

func rangesOf(points []Point) []calendar.Range {
	out := make([]calendar.Range, len(points))
	for i, p := range points {
		out[i] = p.Period
	}
	return out
}
