package simulate

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"mari/events"
)

// A Sink delivers events. Send queues one (blocking while the sink is behind, so a receiver that
// is down slows the stream rather than filling memory); Close delivers what is queued and stops.
type Sink interface {
	Send(ctx context.Context, e events.Event) error
	Close(ctx context.Context) error
	Stats() Stats
}

// Stats count what a sink has delivered.
type Stats struct {
	Sent       map[events.Topic]int64 // delivered: the receiver answered for them
	Accepted   int64                  // the receiver's counts, over every answer (HTTP only)
	Duplicates int64
	Held       int64
	Rejected   int64 // lines the receiver refused, one by one
	Retries    int64 // batches sent again after a refusal that may pass later
	Dropped    int64 // events given up on: refused as a whole, or still queued when Close gave up
}

// counters is the shared, lock-protected form of Stats.
type counters struct {
	mu sync.Mutex
	s  Stats
}

func (c *counters) add(f func(*Stats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s.Sent == nil {
		c.s.Sent = map[events.Topic]int64{}
	}
	f(&c.s)
}

func (c *counters) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.s
	out.Sent = map[events.Topic]int64{}
	for k, v := range c.s.Sent {
		out.Sent[k] = v
	}
	return out
}

// Run drives g by the wall clock into sink until ctx ends, then closes the sink (allowing it
// closeWait to deliver what is queued). Every interval it writes a progress line to progress.
func Run(ctx context.Context, g *Generator, sink Sink, progress io.Writer, interval, closeWait time.Duration) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	report := time.NewTicker(interval)
	defer report.Stop()
	started := time.Now()
	send := func(e events.Event) error { return sink.Send(ctx, e) }
	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-report.C:
			fmt.Fprintln(progress, ProgressLine(g, sink.Stats(), time.Since(started)))
		case now := <-tick.C:
			if err := g.Advance(now, send); err != nil {
				if ctx.Err() == nil {
					runErr = err
				}
				break loop
			}
		}
	}
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeWait)
	defer cancel()
	closeErr := sink.Close(closeCtx)
	fmt.Fprintln(progress, ProgressLine(g, sink.Stats(), time.Since(started)))
	if runErr != nil {
		return runErr
	}
	return closeErr
}

// ProgressLine says what has been generated and delivered so far.
func ProgressLine(g *Generator, s Stats, elapsed time.Duration) string {
	var b strings.Builder
	emitted := g.Emitted()
	var total int64
	for _, t := range events.Topics {
		total += emitted[t]
	}
	fmt.Fprintf(&b, "simulate: %s  generated %d (%.1f/s)  sent", elapsed.Round(time.Second), total,
		float64(total)/max(elapsed.Seconds(), 0.001))
	for _, t := range events.Topics {
		fmt.Fprintf(&b, " %s %d", t, s.Sent[t])
	}
	fmt.Fprintf(&b, "  rejected %d  retries %d  dropped %d", s.Rejected, s.Retries, s.Dropped)
	if s.Accepted+s.Duplicates+s.Held > 0 {
		fmt.Fprintf(&b, "  (accepted %d, duplicates %d, held %d)", s.Accepted, s.Duplicates, s.Held)
	}
	return b.String()
}
