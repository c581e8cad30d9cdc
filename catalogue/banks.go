package catalogue

// The bank-partnership pages' own metrics. A bank's transactions, volume, success rate, fees
// billed, share, revenue and licensing fees are the executive metrics filtered by the bank:
// one definition each.
const (
	IDBankUsers      = "bank-users"
	IDBankP95        = "bank-p95-processing"
	IDBankRecipients = "bank-top-recipients"
)

func init() {
	declare(&Metric{ID: IDBankUsers, Section: SectionBanks, Name: "Bank users",
		Definition: "People who sent at least one transaction (any status) through the bank in the range. A person who used two banks counts once for each, so bank users are not added up across banks.",
		Formula:    "count of distinct transactions.sender_id with bank_id = the bank and created_at in the range (SAST days); computed exactly as Σ senders over the range's days whose previous active day with the bank is before the range (or none), so each sender counts once, on their first active day in it",
		Source:     "bank_daily_senders (rollup of transactions by day, bank and each sender's previous active day with the bank; job bank_daily)"})
	declare(&Metric{ID: IDBankP95, Section: SectionBanks, Name: "p95 processing time against the SLA",
		Definition: "95% of the bank's final transactions (completed or failed) in the range took at most this long from initiation to their final state. It is an exact percentile: the time of a real transaction, not an interpolation. The SLA is met when the p95 is at or under the contract's sla_p95_ms.",
		Formula:    "nearest rank: the value at rank ⌈0.95 × n⌉ of the n processing times in ascending order; met when p95 ≤ sla_p95_ms",
		Source:     "bank_daily_latency and bank_daily_latency_buckets (daily per-bank histograms of transactions.processing_time_ms: exact per millisecond, and 100 ms buckets to find the rank quickly; job bank_daily), bank_partnerships.sla_p95_ms"})
	declare(&Metric{ID: IDBankRecipients, Section: SectionBanks, Name: "Top recipients",
		Definition: "The 20 recipients (identified only by their blood hash) who received the most completed transactions through the bank in the range, with their volume and average amount. Ties are broken by larger volume.",
		Formula:    "completed transactions grouped by recipient's blood_hash; order by count, then volume",
		Source:     "bank_daily_recipients (daily rollup of completed transactions by bank and recipient; job bank_daily) joined to users; each month's top-100 list and bound (bank_monthly_top_recipients, bank_monthly_recipient_bound) only decide which recipients need exact sums"})
}
