package metrics

// The operations dashboard's metrics (/ops and the wall screen).
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

func init() {
	Glossary = append(Glossary,
		Definition{ID: IDOpsPerMinute, Name: "Transactions per minute (operations)",
			Definition: "Transactions started (initiated events) in each minute of the last 60 minutes, the current minute included, labelled in SAST. A minute without any is shown as 0.",
			Formula:    "sum of events where event_type = 'initiated', per minute",
			Source:     "ClickHouse events_per_minute (fed from transaction_events)"},
		Definition{ID: IDOpsSuccessRate, Name: "Success rate, last 24 hours (operations)",
			Definition: "Of the transactions that reached a final state in the last 24 hours, the share that completed. Transactions still in flight are not counted. With no final events the rate is n/a.",
			Formula:    "completed events / (completed + failed events), last 24 hours",
			Source:     "ClickHouse events_per_minute"},
		Definition{ID: IDOpsProcessingTime, Name: "Processing time p50 / p95",
			Definition: "How long transactions took from initiation to their final state (completed or failed): the median and the 95th percentile per SAST hour. Percentiles are t-digest estimates, exact for small hours and within about 1% of the rank for large ones. An hour without final events shows a gap.",
			Formula:    "quantilesTDigest(0.5, 0.95)(processing_time_ms) of completed and failed events, per hour",
			Source:     "ClickHouse processing_time_hourly (merged t-digest states)"},
		Definition{ID: IDOpsErrorRate, Name: "Error rate by failure reason",
			Definition: "For each failure reason, the failed transactions with that reason as a share of all transactions that reached a final state in the last 24 hours. The rates add up to 100% minus the success rate.",
			Formula:    "failed events with the reason / (completed + failed events), last 24 hours",
			Source:     "ClickHouse events_per_minute"},
		Definition{ID: IDOpsMinuteVsWeek, Name: "This minute vs the same minute last week",
			Definition: "Transactions initiated so far in the current minute, beside those initiated in the same minute seven days earlier. The current minute is still running, so early in the minute it reads low.",
			Formula:    "initiated events in minute m; initiated events in minute m − 7 days",
			Source:     "ClickHouse events_per_minute"},
		Definition{ID: IDOpsNewestEvent, Name: "Age of the newest event",
			Definition: "How long ago the newest transaction event arrived, measured from the end of its minute (the pre-aggregation counts per minute). The wall screen's indicator turns amber after 1 minute and red after 5 minutes without new events.",
			Formula:    "now − (start of the newest minute with an event + 1 minute)",
			Source:     "ClickHouse events_per_minute"},
		Definition{ID: IDOpsOpenIncidents, Name: "Open incidents",
			Definition: "Incidents that have started and not yet ended, as recorded on the Incidents page. The wall screen names the most severe one (critical, then major, then minor), the longest running first. Read from PostgreSQL, so it still shows while the event stream is down.",
			Formula:    "count of incidents with started_at ≤ now and no ended_at",
			Source:     "PostgreSQL incidents"},
		Definition{ID: IDOpsStuckPayments, Name: "Stuck payments",
			Definition: "Payments still pending more than 10 minutes after they were initiated: far past the 30-second processing target, so someone should look at them. Read from PostgreSQL, the record of each payment's current state.",
			Formula:    "count of transactions with status PENDING and created_at < now − 10 minutes",
			Source:     "PostgreSQL transactions (partial index on pending rows)"},
	)
}
