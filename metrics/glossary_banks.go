package metrics

// Glossary IDs of the bank-partnership pages.
const (
	IDBankUsers       = "bank-users"
	IDBankSuccessRate = "bank-success-rate"
	IDBankFeeSplit    = "bank-fee-split"
	IDBankLicensing   = "bank-licensing-fees"
	IDBankP95         = "bank-p95-processing"
	IDBankRecipients  = "bank-top-recipients"
)

func init() {
	Glossary = append(Glossary,
		Definition{ID: IDBankUsers, Name: "Bank users",
			Definition: "People who sent at least one transaction (any status) through the bank in the range. A person who used two banks counts once for each, so bank users are not added up across banks.",
			Formula:    "count of distinct transactions.sender_id with bank_id = the bank and created_at in the range (SAST days); computed exactly as Σ senders over the range's days whose previous active day with the bank is before the range (or none), so each sender counts once, on their first active day in it",
			Source:     "bank_daily_senders (rollup of transactions by day, bank and each sender's previous active day with the bank; job bank_daily)"},
		Definition{ID: IDBankSuccessRate, Name: "Bank success rate",
			Definition: "Of the bank's transactions that reached a final state in the range, the share that completed. Pending transactions are not yet final and are left out. Shown as n/a when there is no final transaction (for example a month without transactions).",
			Formula:    "completed / (completed + failed)",
			Source:     "bank_daily_status (daily rollup of transactions by bank, status and failure reason; job bank_daily)"},
		Definition{ID: IDBankFeeSplit, Name: "Transaction-fee revenue and its split",
			Definition: "Mari earns R0.10 for every COMPLETED transaction; failed and pending ones earn nothing. The bank receives its contracted share of that fee (bank_partnerships.transaction_fee_percentage, 30% unless agreed otherwise) rounded to the cent, and Mari keeps the rest, so the two parts always add up to the fee exactly.",
			Formula:    "fee = R0.10 × completed; bank share = round(fee × share, 2); Mari share = fee − bank share",
			Source:     "bank_daily_status (completed count; daily rollup of transactions, job bank_daily), bank_partnerships (share)"},
		Definition{ID: IDBankLicensing, Name: "Bank licensing fees",
			Definition: "A partnership's monthly fee is booked on the first day of each month its contract covers (the contract has started and not yet ended on that day). A range earns the fees of the month starts inside it: the same rule as licensing revenue on the executive dashboard, split by bank.",
			Formula:    "Σ monthly_fee over months whose 1st day is in the range and within [contract start, contract end]",
			Source:     "bank_partnerships"},
		Definition{ID: IDBankP95, Name: "p95 processing time against the SLA",
			Definition: "95% of the bank's final transactions (completed or failed) in the range took at most this long from initiation to their final state. It is an exact percentile: the time of a real transaction, not an interpolation. The SLA is met when the p95 is at or under the contract's sla_p95_ms.",
			Formula:    "percentile_disc(0.95) of processing_time_ms; met when p95 ≤ sla_p95_ms",
			Source:     "bank_daily_latency and bank_daily_latency_buckets (daily per-bank histograms of transactions.processing_time_ms: exact per millisecond, and 100 ms buckets to find the rank quickly; job bank_daily), bank_partnerships.sla_p95_ms"},
		Definition{ID: IDBankRecipients, Name: "Top recipients",
			Definition: "The 20 recipients (identified only by their blood hash) who received the most completed transactions through the bank in the range, with their volume and average amount. Ties are broken by larger volume.",
			Formula:    "completed transactions grouped by recipient's blood_hash; order by count, then volume",
			Source:     "bank_daily_recipients (daily rollup of completed transactions by bank and recipient; job bank_daily) joined to users; each month's top-100 list and bound (bank_monthly_top_recipients, bank_monthly_recipient_bound) only decide which recipients need exact sums"},
	)
}
