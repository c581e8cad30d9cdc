package catalogue

import (
	"time"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
)

// The data-quality page (/quality): can the numbers be trusted right now? Its four headline
// figures are the design's key success metrics (data freshness under 5 minutes, query p95 under
// 2 seconds, data accuracy and dashboard uptime above 99.9 %), each measured by the app itself.
//
// Like the operations metrics, they are windows that end now (the last 14 days, the last 24
// hours), not figures a range of calendar days can ask for, so they are declared without a
// Load; what they share with the page is written here once: the targets and the accuracy
// formula.

// SectionQuality is the glossary's part for the data-quality page.
const SectionQuality Section = "Data quality"

const (
	IDQualityFreshness   = "quality-freshness"
	IDQualityAccuracy    = "quality-accuracy"
	IDQualityQueryP95    = "quality-query-p95"
	IDQualityUptime      = "quality-uptime"
	IDQualityOutbox      = "quality-outbox-backlog"
	IDQualityHeld        = "quality-held-events"
	IDQualityRollupRuns  = "quality-rollup-runs"
	IDQualityDeadLetters = "quality-dead-letters"
)

// The targets of the design's key success metrics. A value equal to its target meets it.
var (
	FreshnessTarget = 5 * time.Minute
	QueryP95Target  = 2 * time.Second
	AccuracyTarget  = metrics.Target{Metric: IDQualityAccuracy, Comparison: metrics.AtLeast, Value: decimal.RequireFromString("0.999")}
	UptimeTarget    = metrics.Target{Metric: IDQualityUptime, Comparison: metrics.AtLeast, Value: decimal.RequireFromString("0.999")}
)

// AccuracyDays is how many SAST days, today included, the page compares between the stores.
const AccuracyDays = 14

// StoreDay is one SAST day of payments as one store has it: payments initiated that day, and
// the amount of those completed that day.
type StoreDay struct {
	Initiated       int64
	CompletedVolume decimal.Decimal
}

// DayComparison is one SAST day in PostgreSQL and in ClickHouse. Partial marks today: its
// events are still landing, so a difference may only be an event on its way.
type DayComparison struct {
	Day     calendar.Date
	PG, CH  StoreDay
	Partial bool
}

// Agrees reports whether both stores have the same day.
func (d DayComparison) Agrees() bool {
	return d.PG.Initiated == d.CH.Initiated && d.PG.CompletedVolume.Equal(d.CH.CompletedVolume)
}

// AccuracyResult is the accuracy of the complete days of a comparison.
type AccuracyResult struct {
	Value        Value // the lower of Payments and Volume: the figure against the target
	Payments     Value // Σ min ÷ Σ max of the days' payments initiated
	Volume       Value // Σ min ÷ Σ max of the days' completed volume
	DaysCompared int   // complete days (today is left out)
	DaysAgreeing int   // of which both figures agree exactly
}

// Accuracy is the agreement of PostgreSQL and ClickHouse over the complete days of days: for
// payments initiated and for completed volume separately, the sum over the days of the smaller
// store's figure divided by the sum of the larger one's (1 when every day agrees; a day one
// store lacks entirely counts in full against it, and a store can never make up for a missing
// day with an extra one elsewhere). The accuracy is the lower of the two. A measure whose days
// are all zero in both stores has nothing to compare and is n/a; the accuracy is n/a when both
// are.
func Accuracy(days []DayComparison) AccuracyResult {
	var r AccuracyResult
	var minN, maxN int64
	var minV, maxV decimal.Decimal
	for _, d := range days {
		if d.Partial {
			continue
		}
		r.DaysCompared++
		if d.Agrees() {
			r.DaysAgreeing++
		}
		minN += min(d.PG.Initiated, d.CH.Initiated)
		maxN += max(d.PG.Initiated, d.CH.Initiated)
		minV = minV.Add(decimal.Min(d.PG.CompletedVolume, d.CH.CompletedVolume))
		maxV = maxV.Add(decimal.Max(d.PG.CompletedVolume, d.CH.CompletedVolume))
	}
	r.Payments = valueOf(metrics.Ratio(decimal.NewFromInt(minN), decimal.NewFromInt(maxN)))
	r.Volume = valueOf(metrics.Ratio(minV, maxV))
	switch {
	case r.Payments.OK && r.Volume.OK:
		r.Value = Of(decimal.Min(r.Payments.V, r.Volume.V))
	case r.Payments.OK:
		r.Value = r.Payments
	case r.Volume.OK:
		r.Value = r.Volume
	}
	return r
}

func init() {
	declare(&Metric{ID: IDQualityFreshness, Section: SectionQuality, Name: "Data freshness",
		Definition: "How far the pages lag behind the events. For each source, the age of its newest row or event: PostgreSQL's newest payment (initiated, and reaching its final state), ClickHouse's newest transaction event and app activity, the newest event ingestion received (per topic), and the newest successful run of each rollup job. A source is fresh when its newest data is at most 5 minutes old. A quiet stream is not a failure: when nothing has been received for 5 minutes and nothing is waiting, a source is up to date and the page says \"no events since …\" instead of calling it late. A source is late (not met) only when data it should have is waiting: ClickHouse rows queued in the outbox for over 5 minutes, or payments newer than a rollup job's last successful run of today when that run started over 5 minutes ago. The headline is the longest any received data has waited to reach the pages: the oldest row waiting for ClickHouse and the rollups' lag; 0 (up to date) when nothing waits.",
		Formula:    "per source: age = now − newest row; headline = max(now − queued_at of the oldest outbox row, each rollup job's lag), where a job's lag = now − start of its newest successful run covering today if a payment was initiated or finalised after that start, else 0; target ≤ 5 min",
		Source:     "PostgreSQL transactions (created_at, completed_at), ingest_ledger (received_at), ch_outbox_* (queued_at), rollup_runs; ClickHouse transaction_events and user_activity (timestamp)",
		Unit:       Concept, Better: Lower})
	declare(&Metric{ID: IDQualityAccuracy, Section: SectionQuality, Name: "Data accuracy (PostgreSQL against ClickHouse)",
		Definition: "Whether the two stores hold the same payments. For each of the last 14 SAST days, payments initiated that day (PostgreSQL: transactions created that day; ClickHouse: initiated events dated that day) and completed volume (PostgreSQL: the amount of transactions completed that day, by completed_at; ClickHouse: the amount of completed events dated that day) are compared, and every day where they differ is listed with both figures. Today is shown but marked partial and left out of the accuracy: its events are still landing. For the 13 complete days, the payments' agreement is Σ smaller store's count ÷ Σ larger store's count, day by day, and the volume's agreement the same with amounts; the accuracy is the lower of the two. Example: 13 days of 100 payments each, one day where ClickHouse has 99: 1 299 ÷ 1 300 = 99.92 %. A day one store lacks counts wholly against it. n/a when neither store has any payment in the 13 days.",
		Formula:    "agreement = Σ_d min(PG_d, CH_d) ÷ Σ_d max(PG_d, CH_d) over the 13 complete SAST days, for payments initiated and for completed volume; accuracy = the lower; target ≥ 99.9 %",
		Source:     "PostgreSQL transactions; ClickHouse transaction_events (the raw stream, not its pre-aggregations)",
		Unit:       Ratio, Decimals: 2, Better: Higher})
	declare(&Metric{ID: IDQualityQueryP95, Section: SectionQuality, Name: "Query p95 (server time)",
		Definition: "How long the server took to answer, measured by the app itself: from the moment a request reaches it to the moment its answer is written, sessions, checks, queries and rendering included; the network to the browser is not. Pages (their data refreshes and CSVs included) and the JSON API make the headline; ingestion posts are shown on their own. Static files and health probes are not counted. Each instance counts its requests in a histogram per minute with fixed buckets (5, 10, 25, 50, 100, 250, 500 ms, 1, 2, 5, 10, 30 s and slower) and writes it to PostgreSQL when the minute is over; the page adds every instance's buckets over the last 24 hours or 7 days and takes the bucket holding the request at rank ⌈0.95 × n⌉. The p95 is shown as that bucket's upper bound: \"≤ 250 ms\" means the 95th percentile is at most 250 ms (and more than 100 ms). 2 s is a bound, so the target is decided exactly. A minute still in an instance's memory (the current one, or any while PostgreSQL is unreachable, up to 60) is not counted yet.",
		Formula:    "nearest rank ⌈0.95 × n⌉ over the summed bucket counts of pages and API; p95 ≤ upper bound of its bucket; target ≤ 2 s",
		Source:     "PostgreSQL selfmon_request_minutes (written by every instance of mari serve)",
		Unit:       Milliseconds, Better: Lower})
	declare(&Metric{ID: IDQualityUptime, Section: SectionQuality, Name: "Dashboard uptime (self-measured)",
		Definition: "The share of minutes in which the dashboard could serve pages, from its own heartbeats: every minute, each instance of mari serve that is ready (PostgreSQL and ClickHouse both answer, as GET /readyz requires) writes a heartbeat row. A minute counts as up when at least one instance wrote one. Over the last 24 hours, 7 days and 30 days: minutes with a heartbeat ÷ minutes since the first heartbeat, which is the window's start when heartbeats began before it; the current minute is not counted. Example: 3 minutes without a heartbeat in an hour is 57 ÷ 60 = 95 %. A crash, a stopped server or a database outage all show as missing minutes. This is the app's own measure; the executive dashboard's uptime counts the outages recorded as incidents.",
		Formula:    "minutes with ≥ 1 heartbeat ÷ minutes from max(window start, first heartbeat) to the start of the current minute; target ≥ 99.9 %",
		Source:     "PostgreSQL selfmon_heartbeats (written by every instance of mari serve)",
		Unit:       Ratio, Decimals: 3, Better: Higher})
	declare(&Metric{ID: IDQualityOutbox, Section: SectionQuality, Name: "Rows waiting for ClickHouse",
		Definition: "Events already stored in PostgreSQL whose ClickHouse rows are queued in the outbox, waiting for the shipper, and how long the oldest has waited (since its batch was stored, not since the event happened). Normally empty within a second; rows waiting over 5 minutes mean the ClickHouse pages are behind.",
		Formula:    "count of ch_outbox_transaction_events and ch_outbox_user_activity rows; age = now − queued_at of the oldest",
		Source:     "PostgreSQL ch_outbox_transaction_events, ch_outbox_user_activity",
		Unit:       Count, Better: Lower})
	declare(&Metric{ID: IDQualityHeld, Section: SectionQuality, Name: "Held events",
		Definition: "Events received before what they refer to (a payment before its sender's sign-up, a completion before its initiation), held until it arrives; after 15 minutes a held event becomes a dead letter. A few held for seconds is normal; one held over 5 minutes is data the pages do not show yet.",
		Formula:    "count of ingest_held rows; age = now − held_at of the oldest; target: none older than 5 min",
		Source:     "PostgreSQL ingest_held",
		Unit:       Count, Better: Lower})
	declare(&Metric{ID: IDQualityRollupRuns, Section: SectionQuality, Name: "Rollup runs",
		Definition: "The runs of the rollup jobs (the per-day tables the executive, growth and bank pages read) started in the last 24 hours, by job and mode (partial: today so far; final: a day after its cut-off; backfill), with every failure and its error. A failed run leaves the job's previous figures in place until the next run succeeds; a run that never finished was cut off (a stopped server, a deadline).",
		Formula:    "count of rollup_runs with started_at in the last 24 hours, by job, mode and outcome (succeeded: finished without error; failed: with an error; unfinished: no end recorded)",
		Source:     "PostgreSQL rollup_runs",
		Unit:       Count, Better: Lower})
	declare(&Metric{ID: IDQualityDeadLetters, Section: SectionQuality, Name: "Dead letters",
		Definition: "Events that could not be applied (malformed, contradicting a payment's final state, held too long) and are counted nowhere, by topic, first refused in the last 24 hours and 7 days (as the dead-letter alert counts them). The same line received again is one dead letter, counted when it was first refused. Admins read each one, with its reason, on the Ingestion page.",
		Formula:    "count of ingest_dead_letters rows with received_at in the window, by topic",
		Source:     "PostgreSQL ingest_dead_letters",
		Unit:       Count, Better: Lower})
}
