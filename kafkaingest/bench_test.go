package kafkaingest

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"mari/dbtest"
)

// BenchmarkConsume measures events per second from Kafka (in-process kfake, 4 partitions a
// topic) into PostgreSQL, committed, at three batch sizes. Each round is 12 000 payments of
// four events and 12 000 logins, 60 000 events, all new, into one database of 100 users (it
// grows by 12 000 payments a round). 60 000 is a whole number of batches of each size, so no
// round ends on a part batch waiting out BatchWait: the figure is the backlog rate.
//
//	go test ./kafkaingest -run '^$' -bench Consume -benchtime 3x
func BenchmarkConsume(b *testing.B) {
	for _, batch := range []int{500, 5000, 20000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db := world(b, 100)
			var rates []float64
			round := 0
			for b.Loop() {
				b.StopTimer()
				round++
				c := newCluster(b)
				evs := append(payments(fmt.Sprintf("r%d", round), 12000, 100, dbtest.SAST("2026-11-01 00:00:00")),
					activities(fmt.Sprintf("ra%d", round), 12000, 100, dbtest.SAST("2026-11-02 00:00:00"))...)
				recs := make([]*kgo.Record, len(evs))
				for i, e := range evs {
					recs[i] = record(b, e)
				}
				c.produce(b, recs...)
				g := group(b)
				con := testConsumer(b, c, testStore(db.PG), g, batch)
				con.opts.BatchWait = time.Second
				con.log = slog.New(slog.NewTextHandler(io.Discard, nil))
				b.StartTimer()

				began := time.Now()
				r := start(con)
				total := int64(len(evs))
				waitFor(b, 5*time.Minute, "the round to be committed", func() bool { return c.committed(b, g) == total })
				took := time.Since(began)
				b.StopTimer()
				if err := r.stop(b); err != nil {
					b.Fatal(err)
				}
				if st := con.Stats(); st.Applied != total {
					b.Fatalf("applied %d of %d", st.Applied, total)
				}
				rates = append(rates, float64(total)/took.Seconds())
				b.StartTimer()
			}
			slices.Sort(rates)
			b.ReportMetric(rates[len(rates)/2], "events/s-median")
			b.ReportMetric(rates[0], "events/s-slowest")
			b.ReportMetric(0, "ns/op")
			b.Logf("%d rounds of 60000 events, events/s sorted: %.0f", len(rates), rates)
		})
	}
}
