package metrics

// Definition is one glossary entry. ID is the page anchor (/glossary#<ID>) the dashboard
// tiles link to.
type Definition struct {
	ID         string
	Name       string
	Definition string // plain language
	Formula    string
	Source     string // where the numbers come from
	Target     string // "" when the metric has no target; targets live in kpi_targets
}

// Metric IDs, used by tiles to link to their definition.
const (
	IDDay              = "sast-day"
	IDActiveUser       = "active-user"
	IDTotalUsers       = "total-users"
	IDNewUsers         = "new-users"
	IDUserGrowth       = "user-growth-rate"
	IDMAU              = "mau"
	IDTxPerUser        = "transactions-per-user-per-month"
	IDCompletedVolume  = "completed-volume"
	IDRevenue          = "revenue"
	IDSuccessRate      = "success-rate"
	IDFraudRate        = "fraud-rate"
	IDUptime           = "uptime"
	IDGrossMargin      = "gross-margin"
	IDCAC              = "cac"
	IDChurn            = "monthly-churn"
	IDLTV              = "ltv"
	IDLTVCAC           = "ltv-cac"
	IDPreviousPeriod   = "previous-period"
	IDMonthOverMonth   = "month-over-month-growth"
	IDNorthStar        = "north-star"
	IDLiveToday        = "live-today"
	IDFinancialMonths  = "financial-months"
	IDTransactionCount = "transactions"
)

// Glossary lists every metric on the executive dashboard, in reading order.
var Glossary = []Definition{
	{ID: IDDay, Name: "Day and month",
		Definition: "Every day, week and month is a calendar period in South African Standard Time (Africa/Johannesburg, UTC+2, no daylight saving). A payment made at 23:30 on 31 January SAST (21:30 UTC) belongs to 31 January and to January.",
		Formula:    "day = calendar date of the instant in Africa/Johannesburg",
		Source:     "daily_metrics holds one row per SAST day, computed from the source tables by the rollup jobs"},
	{ID: IDActiveUser, Name: "Active user",
		Definition: "A user who sent at least one transaction (in any status: completed, failed or pending) in the period. Receiving money, logging in or checking a balance does not make a user active.",
		Formula:    "count of distinct transactions.sender_id with created_at in the period",
		Source:     "daily_metrics.active_users (per day), daily_metrics.mtd_active_users (month to date)"},
	{ID: IDTotalUsers, Name: "Total users",
		Definition: "Every user who had signed up by the end of the day, whatever their status.",
		Formula:    "total users at end of day D = count of users with created_at before the end of D (SAST)",
		Source:     "daily_metrics.total_users on D"},
	{ID: IDNewUsers, Name: "New users",
		Definition: "Users who signed up in the period, counted from the sign-up time (users.created_at), never from first transactions.",
		Formula:    "count of users with created_at in the period",
		Source:     "Σ daily_metrics.new_users"},
	{ID: IDUserGrowth, Name: "User growth rate",
		Definition: "How much the user base grew over the selected range: total users at the range's end against total users just before it began. Shown as n/a when there were no users before the range.",
		Formula:    "(total users at end of range end − total users at end of the day before range start) ÷ total users at end of the day before range start",
		Source:     "daily_metrics.total_users"},
	{ID: IDMAU, Name: "Monthly active users (MAU)",
		Definition: "Active users in a calendar month. For the current month (or a range ending mid-month) it is month-to-date and labelled so.",
		Formula:    "MAU(month) = daily_metrics.mtd_active_users on the last day of the month that has a row",
		Source:     "daily_metrics.mtd_active_users"},
	{ID: IDTxPerUser, Name: "Transactions per user per month",
		Definition: "How often an active user transacts in a month.",
		Formula:    "transactions initiated in the month (any status) ÷ MAU of that month",
		Source:     "Σ daily_metrics.total_transactions, daily_metrics.mtd_active_users"},
	{ID: IDTransactionCount, Name: "Transactions",
		Definition: "Transactions initiated in the period, in any status, by the SAST day they were initiated.",
		Formula:    "count of transactions with created_at in the period",
		Source:     "Σ daily_metrics.total_transactions"},
	{ID: IDCompletedVolume, Name: "Completed volume",
		Definition: "The rand value of completed transactions, by the SAST day the transaction was initiated. Failed and pending transactions are excluded.",
		Formula:    "Σ amount of transactions with status COMPLETED, initiated in the period",
		Source:     "Σ daily_metrics.total_volume"},
	{ID: IDRevenue, Name: "Revenue",
		Definition: "Mari's revenue: R0.10 for every completed transaction plus the monthly licensing fee of every bank partnership in force on the first day of the month. A licensing fee is booked on the month's first day, so a date range earns the fees of the month starts it contains.",
		Formula:    "revenue(month) = Σ daily_metrics.transaction_revenue + Σ bank_partnerships.monthly_fee where contract_start_date ≤ first day of month and (contract_end_date is empty or ≥ first day of month)",
		Source:     "daily_metrics.transaction_revenue, bank_partnerships"},
	{ID: IDSuccessRate, Name: "Transaction success rate",
		Definition: "Of the transactions that reached a final state, the share that completed. Pending transactions are left out until they finish. n/a when none reached a final state.",
		Formula:    "successful ÷ (successful + failed) over the range",
		Source:     "Σ daily_metrics.successful_transactions, Σ daily_metrics.failed_transactions",
		Target:     "at least 97%, set in kpi_targets; each tile shows the current target"},
	{ID: IDFraudRate, Name: "Fraud rate",
		Definition: "The share of transactions the risk team confirmed as fraud.",
		Formula:    "fraud transactions ÷ all transactions initiated in the range",
		Source:     "Σ daily_metrics.fraud_transactions, Σ daily_metrics.total_transactions",
		Target:     "at most 0.1%, set in kpi_targets; each tile shows the current target"},
	{ID: IDUptime, Name: "Uptime",
		Definition: "The share of the range during which no outage was running. Only incidents marked as outages count; overlapping outages count once; an outage still running counts up to now. The range runs from 00:00 SAST on its first day to 00:00 SAST after its last day, or to now if that is earlier.",
		Formula:    "1 − (length of the union of outage intervals, clipped to the range) ÷ (length of the range)",
		Source:     "incidents (is_outage, started_at, ended_at)",
		Target:     "at least 99.9%, set in kpi_targets; each tile shows the current target"},
	{ID: IDFinancialMonths, Name: "Months used by the financial KPIs",
		Definition: "Gross margin, CAC, LTV and LTV/CAC are monthly figures: they use the complete calendar months inside the selected range. If the range holds no complete month, they use the last complete month before the range's end. Each tile says which months it used.",
		Formula:    "complete month = a calendar month that is over and lies wholly inside the range",
		Source:     "daily_metrics, monthly_costs, cost_categories, bank_partnerships"},
	{ID: IDGrossMargin, Name: "Gross margin",
		Definition: "The share of revenue left after the costs of carrying transactions (cost categories of kind cost_of_revenue: infrastructure, payment processing, SMS gateway). n/a without revenue.",
		Formula:    "(revenue − cost of revenue) ÷ revenue, over the months used",
		Source:     "revenue (above), monthly_costs joined to cost_categories.kind = 'cost_of_revenue'",
		Target:     "at least 75%, set in kpi_targets; each tile shows the current target"},
	{ID: IDCAC, Name: "Customer acquisition cost (CAC)",
		Definition: "Marketing spend per new user. n/a when there were no new users.",
		Formula:    "Σ marketing costs ÷ Σ new users, over the months used",
		Source:     "monthly_costs joined to cost_categories.kind = 'marketing', daily_metrics.new_users"},
	{ID: IDChurn, Name: "Monthly churn",
		Definition: "The share of a month's active users who were not active in the next month.",
		Formula:    "1 − Σ retained(M) ÷ Σ MAU(M−1) over the months used, where retained(M) = users active in both M and M−1",
		Source:     "daily_metrics.mtd_retained_users and mtd_active_users on each month's last day"},
	{ID: IDLTV, Name: "Lifetime value (LTV)",
		Definition: "The gross profit an active user brings over their expected life as a customer. The expected lifetime is 1 ÷ monthly churn, capped at 60 months.",
		Formula:    "(Σ transaction revenue ÷ Σ MAU) × gross margin × min(1 ÷ monthly churn, 60)",
		Source:     "daily_metrics, monthly_costs, bank_partnerships"},
	{ID: IDLTVCAC, Name: "LTV/CAC",
		Definition: "How many times over a user's lifetime value repays what it cost to acquire them. n/a when either is n/a or CAC is zero.",
		Formula:    "LTV ÷ CAC",
		Source:     "LTV and CAC (above)",
		Target:     "at least 3×, set in kpi_targets; each tile shows the current target"},
	{ID: IDPreviousPeriod, Name: "Previous period",
		Definition: "What a range is compared with. A range starting on the 1st of a month is compared with the same days of the previous month(s): 1–26 November against 1–26 October, so a partial month is never compared with a full one. Any other range is compared with the same number of days just before it.",
		Formula:    "see calendar.Range.PreviousPeriod",
		Source:     "the same rollups as the metric"},
	{ID: IDMonthOverMonth, Name: "Month-over-month growth (investor report)",
		Definition: "In the monthly investor report, each figure of a calendar month is compared with the same figure of the previous calendar month (October against September, never against \"30 days ago\"). When the previous month's figure is zero there is no meaningful growth rate, and the report says n/a instead of dividing by zero. A published report freezes its figures: later corrections to the data appear only in a new, visibly marked version.",
		Formula:    "growth = (this month − previous calendar month) ÷ previous calendar month; n/a when the previous month is 0",
		Source:     "the same rollups as the executive dashboard, frozen into investor_reports.figures when published"},
	{ID: IDNorthStar, Name: "North star: monthly completed volume",
		Definition: "Completed volume per calendar month, counted from launch (the launch month is month 1), against the milestones R10M by month 12, R100M by month 18 and R1B by month 24. The trend is the compound monthly growth over the last (up to) six complete months, projected forward; a milestone the trend never reaches is shown as \"not at this trend\".",
		Formula:    "growth = (last ÷ first)^(1 ÷ (n − 1)) − 1 over n complete months; projected(N) = last × (1 + growth)^(N − N_last)",
		Source:     "daily_metrics.total_volume, north_star_milestones, launch month (MARI_LAUNCH_MONTH or the month of the first sign-up)"},
	{ID: IDLiveToday, Name: "Today so far (live)",
		Definition: "Today's transaction events as they stream in: initiated, completed and failed counts and the completed amount for today's SAST date. It shows that the event stream is flowing; the rollup-based tiles settle after the day ends.",
		Formula:    "Σ events and Σ amount by event type for today's date",
		Source:     "ClickHouse daily_bank_events and events_per_minute"},
}

// Lookup returns the definition with the given ID.
func Lookup(id string) (Definition, bool) {
	for _, d := range Glossary {
		if d.ID == id {
			return d, true
		}
	}
	return Definition{}, false
}
