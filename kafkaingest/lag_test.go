package kafkaingest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"mari/dbtest"
	"mari/events"
)

// lags keeps the latest lag each consumer reported, per topic.
type lags struct {
	mu   sync.Mutex
	last []map[string]int64 // per consumer
}

func (l *lags) hook(i int) func(topic string, lag int64) {
	l.mu.Lock()
	l.last = append(l.last, map[string]int64{})
	l.mu.Unlock()
	return func(topic string, lag int64) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.last[i][topic] = lag
	}
}

// sum is each topic's lag added over the consumers, as Prometheus's sum by (topic) would, and
// how many consumers reported a share of it.
func (l *lags) sum() (map[string]int64, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int64{}
	sharing := 0
	for _, m := range l.last {
		var mine int64
		for topic, n := range m {
			out[topic] += n
			mine += n
		}
		if mine > 0 {
			sharing++
		}
	}
	return out, sharing
}

// The consumer lag is measured beside the batches: while PostgreSQL is down and a batch
// waits, it shows every record not yet committed, per topic; each member of the group counts
// only its own partitions, so the members' figures add up to the group's; once the records
// are in, it falls to 0.
func TestConsumerLagIsMeasuredPerMemberAndTopic(t *testing.T) {
	db := world(t, 10)
	c := newCluster(t)
	g := group(t)
	pool, proxy := viaProxy(t, db)
	seen := &lags{}
	var members []*running
	for i := range 2 {
		con := testConsumer(t, c, testStore(pool), g, 100)
		con.opts.Lag, con.opts.LagEvery = seen.hook(i), 100*time.Millisecond
		members = append(members, start(con))
	}
	defer func() {
		for _, m := range members {
			_ = m.stop(t)
		}
	}()
	waitFor(t, 15*time.Second, "both members to be assigned partitions", func() bool {
		return members[0].Stats().Partitions > 0 && members[1].Stats().Partitions > 0
	})

	// PostgreSQL goes away, then 40 payments (4 events each) and 30 logins arrive.
	proxy.Set(dbtest.LinkDown)
	c.produceEvents(t, append(payments("lag", 40, 10, dbtest.SAST("2026-11-30 08:00:00")),
		activities("lag-a", 30, 10, dbtest.SAST("2026-11-30 12:00:00"))...))
	want := map[string]int64{string(events.TransactionEvents): 160, string(events.UserActivity): 30, string(events.UserEvents): 0}
	waitFor(t, 20*time.Second, fmt.Sprintf("the lag summed over both members to reach %v", want), func() bool {
		got, sharing := seen.sum()
		return fmt.Sprint(got) == fmt.Sprint(want) && sharing == 2
	})
	if n := c.committed(t, g); n != 0 {
		t.Fatalf("%d offsets committed while PostgreSQL was down", n)
	}

	proxy.Set(dbtest.LinkUp)
	c.waitCommitted(t, g, 20*time.Second)
	zero := map[string]int64{string(events.TransactionEvents): 0, string(events.UserActivity): 0, string(events.UserEvents): 0}
	waitFor(t, 10*time.Second, "the lag to fall to 0", func() bool {
		got, _ := seen.sum()
		return fmt.Sprint(got) == fmt.Sprint(zero)
	})
}
