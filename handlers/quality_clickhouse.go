package handlers

import (
	"context"
	"time"

	"mari/calendar"
	"mari/catalogue"
	"mari/queries"
	"mari/views"
)

// qualityCHDays is how many SAST days back the newest ClickHouse rows are looked for: the
// partition and sort key is the date, so the read stays on the newest parts.
const qualityCHDays = 7

// loadFreshnessCH reads ClickHouse's newest transaction event and app activity. Whether an old
// newest row is a quiet stream or ClickHouse falling behind is told by the outbox in
// PostgreSQL: rows waiting there for over 5 minutes are events ClickHouse should have.
func loadFreshnessCH(ctx context.Context, in qualityIn) (views.QualityFreshness, error) {
	var out views.QualityFreshness
	now := in.now
	txEvents, activity, err := queries.QualityNewestCH(ctx, in.h.ch, calendar.Today(now).AddDays(-(qualityCHDays - 1)))
	if err != nil {
		return out, err
	}
	outbox, outboxErr := queries.QualityOutboxWaiting(ctx, in.h.pg)
	if outboxErr != nil {
		in.h.opts.Log.Warn("quality: the outbox is unreadable; ClickHouse's freshness is judged by age alone", "err", outboxErr)
	}
	known := outboxErr == nil
	out.Rows = []views.QualityFreshRow{
		clickHouseRow("Transaction events (transaction_events)", txEvents, known, outbox.TxEvents, outbox.TxEventsSince, now),
		clickHouseRow("App activity (user_activity)", activity, known, outbox.Activity, outbox.ActivitySince, now),
	}
	return out, nil
}

// clickHouseRow judges one ClickHouse table: late when rows for it have waited in the outbox
// for over 5 minutes; fresh when its newest row is at most 5 minutes old; otherwise quiet, if
// nothing waits. Without the outbox (PostgreSQL down) an old newest row cannot be judged.
func clickHouseRow(source string, newest *time.Time, outboxKnown bool, waiting int64, queuedSince *time.Time, now time.Time) views.QualityFreshRow {
	r := views.QualityFreshRow{Source: source, Newest: "—", Age: "—"}
	if newest != nil {
		r.Newest, r.Age = qualityClock(*newest), qualityAge(now.Sub(*newest))
	}
	switch {
	case outboxKnown && waiting > 0 && queuedSince != nil && now.Sub(*queuedSince) > catalogue.FreshnessTarget:
		r.Verdict = views.VerdictNotMet
		r.Note = "behind: " + countOf(waiting, "row", "rows") + " waiting since " + qualityClock(*queuedSince)
	case newest != nil && now.Sub(*newest) <= catalogue.FreshnessTarget:
		r.Verdict = views.VerdictMet
	case !outboxKnown:
		r.Verdict = views.VerdictUnknown
		r.Note = "PostgreSQL is unavailable, so a quiet stream cannot be told from a stalled one"
	case newest == nil && waiting == 0:
		r.Verdict = views.VerdictUnknown
		r.Note = "no events in the last 7 days: nothing to measure"
	case waiting > 0:
		r.Verdict = views.VerdictMet
		r.Note = countOf(waiting, "row", "rows") + " on the way (queued under 5 minutes ago)"
	default:
		r.Verdict = views.VerdictMet
		r.Note = "quiet: no events since " + qualityClock(*newest) + ", nothing waiting; not a pipeline failure"
	}
	return r
}
