package handlers

import (
	"context"
	"fmt"
	"slices"
	"time"

	"mari/calendar"
	"mari/catalogue"
	"mari/events"
	"mari/queries"
	"mari/rollup"
	"mari/views"
)

// qualityFreshPG is the freshness of the PostgreSQL sources, and the headline freshness: the
// longest any received data has waited to reach the pages.
type qualityFreshPG struct {
	Table views.QualityFreshness
	Tile  views.QualityTile
}

// Windows the freshness reads look back over: a payment reaches its final state within minutes
// of its initiation; ingestion's ledger is read for the last hour first (its BRIN index makes
// that cheap) and for a week only for a topic quiet for longer.
const (
	qualityFinalisedWithin = 48 * time.Hour
	qualityReceivedRecent  = time.Hour
	qualityReceivedLongest = 7 * 24 * time.Hour
)

// qualityRollupJobs are the rollup jobs the page lists even before their first run.
var qualityRollupJobs = []string{rollup.JobDailyMetrics, rollup.JobBankDaily, rollup.JobGrowth, rollup.JobCohorts}

func loadFreshnessPG(ctx context.Context, in qualityIn) (qualityFreshPG, error) {
	var out qualityFreshPG
	pg, now := in.h.pg, in.now
	pay, err := queries.QualityNewestPayments(ctx, pg, now.Add(-qualityFinalisedWithin))
	if err != nil {
		return out, err
	}
	received, err := queries.QualityNewestReceived(ctx, pg, now.Add(-qualityReceivedRecent))
	if err != nil {
		return out, err
	}
	if len(received) < len(events.Topics) {
		older, err := queries.QualityNewestReceived(ctx, pg, now.Add(-qualityReceivedLongest))
		if err != nil {
			return out, err
		}
		for topic, at := range older {
			if _, ok := received[topic]; !ok {
				received[topic] = at
			}
		}
	}
	outbox, err := queries.QualityOutboxWaiting(ctx, pg)
	if err != nil {
		return out, err
	}
	held, oldestHeld, err := queries.QualityHeld(ctx, pg)
	if err != nil {
		return out, err
	}
	runs, err := queries.QualityRollupNewest(ctx, pg, calendar.Today(now))
	if err != nil {
		return out, err
	}

	// PostgreSQL is written in the same transaction as ingestion's ledger, so it cannot lag the
	// stream: an old newest payment is a quiet stream, never a delay.
	rows := []views.QualityFreshRow{
		streamRow("Payments initiated", pay.Initiated, now, "no payments yet", "no payments since"),
		streamRow("Payments reaching a final state", pay.Finalised, now,
			"none initiated in the last 48 hours has reached one", "none since"),
	}
	var newestReceived *time.Time
	for _, topic := range events.Topics {
		var at *time.Time
		if t, ok := received[string(topic)]; ok {
			at = &t
			if newestReceived == nil || t.After(*newestReceived) {
				newestReceived = &t
			}
		}
		rows = append(rows, streamRow("Received by ingestion: "+string(topic), at, now,
			"nothing received in the last 7 days", "nothing received since"))
	}

	waiting := outbox.TxEvents + outbox.Activity
	oldestQueued := earliest(outbox.TxEventsSince, outbox.ActivitySince)
	var chLag time.Duration
	outboxRow := views.QualityFreshRow{Source: "Waiting for ClickHouse", MetricID: catalogue.IDQualityOutbox,
		Newest: "—", Age: "—", Verdict: views.VerdictMet, Note: "nothing waiting"}
	if waiting > 0 && oldestQueued != nil {
		chLag = now.Sub(*oldestQueued)
		outboxRow.Newest, outboxRow.Age = "oldest queued "+qualityClock(*oldestQueued), qualityAge(chLag)
		outboxRow.Verdict = verdictAtMost(chLag, catalogue.FreshnessTarget)
		outboxRow.Note = countOf(outbox.TxEvents, "transaction event", "transaction events") + " and " +
			countOf(outbox.Activity, "activity row", "activity rows")
		if outboxRow.Verdict == views.VerdictNotMet {
			outboxRow.Note += ": ClickHouse is behind"
		}
	}
	heldRow := views.QualityFreshRow{Source: "Held events", MetricID: catalogue.IDQualityHeld,
		Newest: "—", Age: "—", Verdict: views.VerdictMet, Note: "none held"}
	if held > 0 && oldestHeld != nil {
		age := now.Sub(*oldestHeld)
		heldRow.Newest, heldRow.Age = "oldest held "+qualityClock(*oldestHeld), qualityAge(age)
		heldRow.Verdict = verdictAtMost(age, catalogue.FreshnessTarget)
		heldRow.Note = views.Count(held) + " waiting for their user or payment (dead letters after 15 min)"
	}
	rows = append(rows, outboxRow, heldRow)

	newestChange := latest(pay.Initiated, pay.Finalised)
	var rollupLag time.Duration
	var behind []string
	jobs := slices.Clone(qualityRollupJobs)
	for job := range runs {
		if !slices.Contains(jobs, job) {
			jobs = append(jobs, job)
		}
	}
	for _, job := range jobs {
		row, lag := rollupRow(job, runs[job], newestChange, now)
		rows = append(rows, row)
		if lag > rollupLag {
			rollupLag = lag
		}
		if row.Verdict == views.VerdictNotMet {
			behind = append(behind, job)
		}
	}
	out.Table.Rows = rows

	// The headline: the longest any received data has waited to reach the pages.
	lag := max(chLag, rollupLag)
	t := views.QualityTile{Verdict: verdictAtMost(lag, catalogue.FreshnessTarget),
		Window: "now: the oldest data not yet on the pages"}
	switch {
	case lag == 0:
		t.Value = "up to date"
	default:
		t.Value = qualityAge(lag)
	}
	if waiting > 0 {
		t.Lines = append(t.Lines, fmt.Sprintf("ClickHouse: %s waiting, the oldest for %s", countOf(waiting, "row", "rows"), qualityAge(chLag)))
	} else {
		t.Lines = append(t.Lines, "ClickHouse: nothing waiting")
	}
	if len(behind) > 0 {
		t.Verdict = views.VerdictNotMet // a job that never succeeded lags by more than any figure
		t.Lines = append(t.Lines, "rollups behind: "+joinWords(behind))
	} else {
		t.Lines = append(t.Lines, "rollups: up to date")
	}
	switch {
	case newestReceived == nil && newestChange == nil:
		t.Verdict, t.Value = views.VerdictUnknown, "no data yet"
		t.Lines = append(t.Lines, "no payment and no event received: nothing to measure")
	case newestReceived == nil:
		t.Lines = append(t.Lines, "no events received in the last 7 days: a quiet stream, not a pipeline failure")
	case now.Sub(*newestReceived) > catalogue.FreshnessTarget:
		t.Lines = append(t.Lines, "no events since "+qualityClock(*newestReceived)+": a quiet stream, not a pipeline failure")
	}
	out.Tile = t
	return out, nil
}

// streamRow is a source that follows the stream as it is stored, so it is never late: fresh
// when its newest row is at most 5 minutes old, otherwise quiet ("no events since …"). Its
// verdict is unknown only when there is nothing to measure.
func streamRow(source string, newest *time.Time, now time.Time, none, quietSince string) views.QualityFreshRow {
	r := views.QualityFreshRow{Source: source, Newest: "—", Age: "—"}
	if newest == nil {
		r.Verdict, r.Note = views.VerdictUnknown, none
		return r
	}
	age := now.Sub(*newest)
	r.Newest, r.Age, r.Verdict = qualityClock(*newest), qualityAge(age), views.VerdictMet
	if age > catalogue.FreshnessTarget {
		r.Note = "quiet: " + quietSince + " " + qualityClock(*newest) + ", not a pipeline failure"
	}
	return r
}

// rollupRow is one rollup job's freshness and its lag: how long payments newer than what its
// newest successful run of today can have included have waited (0 when there are none).
func rollupRow(job string, run queries.RollupNewest, newestChange *time.Time, now time.Time) (views.QualityFreshRow, time.Duration) {
	r := views.QualityFreshRow{Source: "Rollup job " + job, Newest: "—", Age: "—"}
	if run.Finished == nil {
		if newestChange == nil {
			r.Verdict, r.Note = views.VerdictUnknown, "never run: no payments yet"
			return r, 0
		}
		r.Verdict, r.Note = views.VerdictNotMet, "never succeeded"
		return r, 0
	}
	r.Newest, r.Age = "last success "+qualityClock(*run.Finished), qualityAge(now.Sub(*run.Finished))
	// What the job can have included: payments up to the start of its newest successful run of
	// today, or up to today's start when it has none yet.
	covered := calendar.Today(now).Start()
	if run.TodayStarted != nil {
		covered = *run.TodayStarted
	}
	if newestChange == nil || !newestChange.After(covered) {
		r.Verdict = views.VerdictMet
		if now.Sub(*run.Finished) > catalogue.FreshnessTarget {
			r.Note = "up to date: no payment since its last run"
		}
		return r, 0
	}
	lag := now.Sub(covered)
	r.Verdict = verdictAtMost(lag, catalogue.FreshnessTarget)
	if r.Verdict == views.VerdictNotMet {
		r.Note = "payments since " + qualityClock(covered) + " not included yet"
	}
	return r, lag
}

func earliest(a, b *time.Time) *time.Time {
	switch {
	case a == nil:
		return b
	case b == nil || a.Before(*b):
		return a
	}
	return b
}

func latest(a, b *time.Time) *time.Time {
	switch {
	case a == nil:
		return b
	case b == nil || a.After(*b):
		return a
	}
	return b
}

// joinWords lists words: "a", "a and b", "a, b and c".
func joinWords(ws []string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	s := ws[0]
	for _, w := range ws[1 : len(ws)-1] {
		s += ", " + w
	}
	return s + " and " + ws[len(ws)-1]
}

// countOf is a count and its noun: "1 row", "2 rows".
func countOf(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return views.Count(n) + " " + many
}
