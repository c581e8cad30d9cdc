package catalogue

import (
	"mari/metrics"
	"mari/queries"
)

// The operations dashboard's metrics (/ops and the wall screen), read from the event stream.
//
// They are declared without a Load: each is a window that ends now (this minute, the last 60
// minutes, the last 24 hours), which the catalogue's questions (a range of SAST calendar days by
// day, week or month) cannot ask for. The same quantities over calendar days are already
// metrics that can be asked for, from the rollups: transactions, success-rate, bank-p95-processing.
// A second, range-askable copy read from the event stream would be a second definition of each.
// What the two share is the formula: the success rate here is metrics.SuccessRate, as it is there.
const (
	IDOpsPerMinute      = "ops-transactions-per-minute"
	IDOpsSuccessRate    = "ops-success-rate-24h"
	IDOpsProcessingTime = "ops-processing-time"
	IDOpsErrorRate      = "ops-error-rate-by-reason"
	IDOpsMinuteVsWeek   = "ops-minute-vs-last-week"
	IDOpsNewestEvent    = "ops-newest-event"
	IDOpsOpenIncidents  = "ops-open-incidents"
	IDOpsStuckPayments  = "ops-stuck-payments"
)

// OpsSuccessRate is the success rate of a window's final events: the transaction success rate's
// formula, metrics.SuccessRate, applied to the event stream. n/a without final events.
func OpsSuccessRate(f queries.FinalEvents) Value {
	v, ok := metrics.SuccessRate(int64(f.Completed), int64(f.Failed))
	return Value{V: v, OK: ok}
}

// OpsErrorRate is the error rate of one failure reason with failed events in a window: its share
// of the window's final events (metrics.FinalShare). The rates of every reason add up to one
// minus OpsSuccessRate.
func OpsErrorRate(failed uint64, f queries.FinalEvents) Value {
	v, ok := metrics.FinalShare(int64(failed), int64(f.Completed), int64(f.Failed))
	return Value{V: v, OK: ok}
}

func init() {
	declare(&Metric{ID: IDOpsPerMinute, Section: SectionOperations, Name: "Transactions per minute (operations)",
		Definition: "Transactions started (initiated events) in each minute of the last 60 minutes, the current minute included, labelled in SAST. A minute without any is shown as 0. The tile adds up the 60 minutes.",
		Formula:    "sum of events where event_type = 'initiated', per minute",
		Source:     "ClickHouse events_per_minute (fed from transaction_events)",
		Unit:       Count, Better: Neutral, Filters: []Filter{FilterBank, FilterChannel}})
	declare(&Metric{ID: IDOpsSuccessRate, Section: SectionOperations, Name: "Success rate, last 24 hours (operations)",
		Definition: "The transaction success rate, with the same formula as the success rate over a date range (completed ÷ (completed + failed), see \"Transaction success rate\"), over the last 24 hours ending with the current minute, counted from the event stream as transactions reach their final state, so it moves within a minute. Transactions still in flight are not counted. With no final events the rate is n/a.",
		Formula:    "completed ÷ (completed + failed), the formula of success-rate (metrics.SuccessRate), over the completed and failed events of the last 24 hours",
		Source:     "ClickHouse events_per_minute",
		Unit:       Ratio, Decimals: 2, Better: Higher, Filters: []Filter{FilterBank, FilterChannel}})
	declare(&Metric{ID: IDOpsProcessingTime, Section: SectionOperations, Name: "Processing time p50 / p95",
		Definition: "How long transactions took from initiation to their final state (completed or failed): the median (p50) and the 95th percentile (p95) of each SAST hour's final events, of the chosen bank and channel. Both are exact, in every hour however quiet: the processing time of a real transaction, never an estimate or an interpolation. Of n events sorted by processing time, the p50 is the one at rank ceil(0.5 × n) and the p95 the one at rank ceil(0.95 × n) (nearest rank, as PostgreSQL's percentile_disc): of 20 events the 10th and the 19th; of a single event, that event's time for both. A quiet hour's p95 is therefore one of very few transactions; the CSV gives each hour's number of final events. An hour without final events shows a gap.",
		Formula:    "nearest rank: p50 = value at rank ⌈0.5 × n⌉, p95 = value at rank ⌈0.95 × n⌉ of the hour's n final events' processing_time_ms, ascending",
		Source:     "ClickHouse processing_time_histogram (per SAST hour, bank and channel: how many completed and failed events took each whole millisecond; fed from transaction_events)",
		Unit:       Milliseconds, Better: Lower, Filters: []Filter{FilterBank, FilterChannel}})
	declare(&Metric{ID: IDOpsErrorRate, Section: SectionOperations, Name: "Error rate by failure reason",
		Definition: "For each failure reason, the failed transactions with that reason as a share of all transactions that reached a final state in the last 24 hours. The rates add up to 100% minus the success rate.",
		Formula:    "failed events with the reason ÷ (completed + failed events), last 24 hours (metrics.FinalShare)",
		Source:     "ClickHouse events_per_minute",
		Unit:       Ratio, Decimals: 2, Better: Lower, Filters: []Filter{FilterBank, FilterChannel}})
	declare(&Metric{ID: IDOpsMinuteVsWeek, Section: SectionOperations, Name: "This minute vs the same minute last week",
		Definition: "Transactions initiated in the last full minute, beside those initiated in the same minute seven days earlier. The minute still running is not compared: a few seconds into it, it would read as a steep fall against a whole minute. The wall screen warns when the change is below −50% and alarms below −80% (kpi_targets).",
		Formula:    "initiated events in m, the last full minute; initiated events in minute m − 7 days; change = (last full minute − last week) ÷ last week, n/a when last week had none",
		Source:     "ClickHouse events_per_minute",
		Unit:       Count, Better: Neutral, Filters: []Filter{FilterBank, FilterChannel}})
	declare(&Metric{ID: IDOpsNewestEvent, Section: SectionOperations, Name: "Age of the newest event",
		Definition: "How long ago the newest transaction event arrived, measured from the end of its minute (the pre-aggregation counts per minute). The wall screen's indicator turns amber after 1 minute and red after 5 minutes without new events. It covers the whole event stream whatever the bank and channel chosen: a quiet bank is not a stalled stream.",
		Formula:    "now − (start of the newest minute with an event + 1 minute)",
		Source:     "ClickHouse events_per_minute",
		Better:     Lower})
	declare(&Metric{ID: IDOpsOpenIncidents, Section: SectionOperations, Name: "Open incidents",
		Definition: "Incidents that have started and not yet ended, as recorded on the Incidents page. The wall screen names the most severe one (critical, then major, then minor), the longest running first. Read from PostgreSQL, so it still shows while the event stream is down.",
		Formula:    "count of incidents with started_at ≤ now and no ended_at",
		Source:     "PostgreSQL incidents",
		Unit:       Count, Better: Lower})
	declare(&Metric{ID: IDOpsStuckPayments, Section: SectionOperations, Name: "Stuck payments",
		Definition: "Payments still pending more than 10 minutes after they were initiated: far past the 30-second processing target, so someone should look at them. Read from PostgreSQL, the record of each payment's current state.",
		Formula:    "count of transactions with status PENDING and created_at < now − 10 minutes",
		Source:     "PostgreSQL transactions (partial index on pending rows)",
		Unit:       Count, Better: Lower})
}
