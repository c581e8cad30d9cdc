package queries

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"mari/calendar"
	"mari/percentile"
)

// The operations dashboard's statements. They read only the ClickHouse pre-aggregations
// (events_per_minute, processing_time_histogram), never the raw event stream, so the wall
// screen's 10-second poll stays cheap.

// sastDates are the first and last SAST dates an instant range [from, to) touches: the
// partition filter of every statement below.
func sastDates(from, to time.Time) (string, string) {
	return calendar.DateOf(from).String(), calendar.DateOf(to.Add(-time.Nanosecond)).String()
}

// OpsFilter narrows the operations dashboard to one bank and/or one channel; "" means all.
type OpsFilter struct {
	Bank    string
	Channel string
}

// args are the filter's statement arguments, in the order the statements test them.
func (f OpsFilter) args() []any { return []any{f.Bank, f.Bank, f.Channel, f.Channel} }

// MinuteCount is the number of events in one minute (its start, UTC).
type MinuteCount struct {
	Minute time.Time
	Events uint64
}

// OpsInitiatedPerMinute is the initiated events per minute in [from, to); minutes without
// events are absent (the caller fills them).
func OpsInitiatedPerMinute(ctx context.Context, ch driver.Conn, from, to time.Time, f OpsFilter) ([]MinuteCount, error) {
	d1, d2 := sastDates(from, to)
	rows, err := ch.Query(ctx, SQL("ch/ops_per_minute"), append([]any{d1, d2, from.UTC(), to.UTC()}, f.args()...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MinuteCount
	for rows.Next() {
		var m MinuteCount
		if err := rows.Scan(&m.Minute, &m.Events); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// FinalEvents are the completed and failed events of a period, failed ones by reason.
type FinalEvents struct {
	Completed uint64
	Failed    uint64
	ByReason  map[string]uint64 // failed events per failure_reason ("" when none was given)
}

// OpsFinalEvents reads the final (completed, failed) events in [from, to).
func OpsFinalEvents(ctx context.Context, ch driver.Conn, from, to time.Time, filter OpsFilter) (FinalEvents, error) {
	f := FinalEvents{ByReason: map[string]uint64{}}
	d1, d2 := sastDates(from, to)
	rows, err := ch.Query(ctx, SQL("ch/ops_final_by_reason"), append([]any{d1, d2, from.UTC(), to.UTC()}, filter.args()...)...)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var typ, reason string
		var n uint64
		if err := rows.Scan(&typ, &reason, &n); err != nil {
			return f, err
		}
		if typ == "completed" {
			f.Completed += n
		} else {
			f.Failed += n
			f.ByReason[reason] += n
		}
	}
	return f, rows.Err()
}

// HourLatency is the processing time of one hour's final events (its start, UTC): their
// exact nearest-rank p50 and p95 in ms. Events is how many there were; with none the
// percentiles are undefined and P50 and P95 are 0.
type HourLatency struct {
	Hour     time.Time
	Events   uint64
	P50, P95 int64
}

// HourBin is one entry of an hour's processing-time histogram: Events final events took MS
// milliseconds in the hour starting at Hour.
type HourBin struct {
	Hour   time.Time
	MS     uint32
	Events uint64
}

// OpsProcessingHourly reads the processing-time histogram of each hour in [from, to) and
// picks its p50 and p95 by nearest rank; hours without final events are absent.
func OpsProcessingHourly(ctx context.Context, ch driver.Conn, from, to time.Time, f OpsFilter) ([]HourLatency, error) {
	d1, d2 := sastDates(from, to)
	rows, err := ch.Query(ctx, SQL("ch/ops_processing_hourly"), append([]any{d1, d2, from.UTC(), to.UTC()}, f.args()...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var bins []HourBin
	for rows.Next() {
		var b HourBin
		if err := rows.Scan(&b.Hour, &b.MS, &b.Events); err != nil {
			return nil, err
		}
		bins = append(bins, b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return HourlyPercentiles(bins), nil
}

// HourlyPercentiles turns histogram entries sorted by hour, then by milliseconds (as
// ch/ops_processing_hourly returns them) into each hour's count, p50 and p95.
func HourlyPercentiles(bins []HourBin) []HourLatency {
	var out []HourLatency
	var hist []percentile.Count
	for i, b := range bins {
		hist = append(hist, percentile.Count{Value: int64(b.MS), N: b.Events})
		if i+1 < len(bins) && bins[i+1].Hour.Equal(b.Hour) {
			continue
		}
		h := HourLatency{Hour: b.Hour, Events: percentile.Total(hist)}
		h.P50, _ = percentile.NearestRank(hist, 50)
		h.P95, _ = percentile.NearestRank(hist, 95)
		out = append(out, h)
		hist = hist[:0]
	}
	return out
}

// OpsMinuteVsWeek counts initiated events in minute (a minute start) and in the same minute
// seven days earlier.
func OpsMinuteVsWeek(ctx context.Context, ch driver.Conn, minute time.Time, f OpsFilter) (current, lastWeek uint64, err error) {
	week := minute.Add(-7 * 24 * time.Hour)
	args := append([]any{minute.UTC(), week.UTC(), calendar.DateOf(minute).String(), calendar.DateOf(week).String()}, f.args()...)
	err = ch.QueryRow(ctx, SQL("ch/ops_minute_vs_week"), args...).Scan(&current, &lastWeek)
	return current, lastWeek, err
}

// OpsNewestMinute is the start of the newest minute with any event, up to now, looking back
// to yesterday (SAST); ok is false when there is none.
func OpsNewestMinute(ctx context.Context, ch driver.Conn, now time.Time) (time.Time, bool, error) {
	var n uint64
	var newest time.Time
	err := ch.QueryRow(ctx, SQL("ch/ops_newest_minute"), calendar.DateOf(now).AddDays(-1).String(), now.UTC()).Scan(&n, &newest)
	return newest, err == nil && n > 0, err
}

// Ops bundles the operations dashboard's statements; handlers use it through an interface.
type Ops struct{ CH driver.Conn }

func (o Ops) InitiatedPerMinute(ctx context.Context, from, to time.Time, f OpsFilter) ([]MinuteCount, error) {
	return OpsInitiatedPerMinute(ctx, o.CH, from, to, f)
}

func (o Ops) FinalEvents(ctx context.Context, from, to time.Time, f OpsFilter) (FinalEvents, error) {
	return OpsFinalEvents(ctx, o.CH, from, to, f)
}

func (o Ops) ProcessingHourly(ctx context.Context, from, to time.Time, f OpsFilter) ([]HourLatency, error) {
	return OpsProcessingHourly(ctx, o.CH, from, to, f)
}

func (o Ops) MinuteVsWeek(ctx context.Context, minute time.Time, f OpsFilter) (uint64, uint64, error) {
	return OpsMinuteVsWeek(ctx, o.CH, minute, f)
}

func (o Ops) NewestMinute(ctx context.Context, now time.Time) (time.Time, bool, error) {
	return OpsNewestMinute(ctx, o.CH, now)
}
