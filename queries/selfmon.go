package queries

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// The app's own measurements (package selfmon): server time of requests per minute, and
// heartbeats of the instances that were up and ready.

// RequestMinute is one instance's requests of one minute and route class: how many fell into
// each bucket of the server-time histogram.
type RequestMinute struct {
	Minute   time.Time
	Class    string
	Requests int64
	Buckets  []int64
}

// SelfmonWriteMinutes writes an instance's minutes in one transaction. A minute already
// written (a retry after a commit whose answer was lost) is left as it is.
func SelfmonWriteMinutes(ctx context.Context, db DB, instance string, minutes []RequestMinute) error {
	if len(minutes) == 0 {
		return nil
	}
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		for _, m := range minutes {
			if _, err := tx.Exec(ctx, SQL("pg/selfmon_request_minute_insert"), m.Minute, m.Class, instance, m.Requests, m.Buckets); err != nil {
				return err
			}
		}
		return nil
	})
}

// SelfmonHeartbeat records that instance was up and ready in minute.
func SelfmonHeartbeat(ctx context.Context, q Querier, minute time.Time, instance string) error {
	_, err := q.Exec(ctx, SQL("pg/selfmon_heartbeat"), minute, instance)
	return err
}

// SelfmonPrune deletes measurements from before cutoff.
func SelfmonPrune(ctx context.Context, q Querier, cutoff time.Time) error {
	if _, err := q.Exec(ctx, SQL("pg/selfmon_prune_request_minutes"), cutoff); err != nil {
		return err
	}
	_, err := q.Exec(ctx, SQL("pg/selfmon_prune_heartbeats"), cutoff)
	return err
}

// RequestBuckets are the requests of a window per route class: Buckets[class][i] is how many
// fell into the i-th bucket (0-based, in the order of selfmon.BoundsMS), every instance's
// added up.
type RequestBuckets struct {
	Buckets   map[string][]int64
	First     time.Time // the first minute with a measurement; zero when none
	Instances int64
}

// SelfmonRequestBuckets sums the server-time histograms of [from, to). buckets is how many
// buckets a histogram has.
func SelfmonRequestBuckets(ctx context.Context, q Querier, from, to time.Time, buckets int) (RequestBuckets, error) {
	out := RequestBuckets{Buckets: map[string][]int64{}}
	rows, err := q.Query(ctx, SQL("pg/selfmon_request_buckets"), from, to)
	if err != nil {
		return out, err
	}
	var class string
	var i int
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&class, &i, &n}, func() error {
		b, ok := out.Buckets[class]
		if !ok {
			b = make([]int64, buckets)
			out.Buckets[class] = b
		}
		if i >= 1 && i <= buckets {
			b[i-1] += n
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	var first *time.Time
	if err := q.QueryRow(ctx, SQL("pg/selfmon_request_coverage"), from, to).Scan(&first, &out.Instances); err != nil {
		return out, err
	}
	if first != nil {
		out.First = *first
	}
	return out, nil
}

// Heartbeats are the heartbeats of a window.
type Heartbeats struct {
	FirstEver time.Time // the first heartbeat kept at all; zero when there is none
	Minutes   int64     // minutes of the window with at least one heartbeat
	Instances int64     // instances that sent one in the window
}

// SelfmonHeartbeats reads the heartbeats of [from, to).
func SelfmonHeartbeats(ctx context.Context, q Querier, from, to time.Time) (Heartbeats, error) {
	var h Heartbeats
	var first *time.Time
	err := q.QueryRow(ctx, SQL("pg/selfmon_uptime"), from, to).Scan(&first, &h.Minutes, &h.Instances)
	if first != nil {
		h.FirstEver = *first
	}
	return h, err
}
