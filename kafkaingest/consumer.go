// Package kafkaingest consumes the event topics from Kafka into the ingest Store. Each batch of
// records is applied in one PostgreSQL transaction first and its offsets committed after, so a
// consumer that dies in between makes the next one read the batch again, and the Store's
// ledger turns the redelivery into duplicates: no event is lost and none is counted twice.
// Records the Store rejects are copied to the topic's dead-letter topic before the commit.
package kafkaingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"mari/config"
	"mari/events"
	"mari/ingest"
)

// Headers of a record copied to a dead-letter topic.
const (
	HeaderError  = "mari-error"  // why the Store rejected it
	HeaderSource = "mari-source" // where it was read: "kafka TOPIC/PARTITION@OFFSET"
)

// Options tune a Consumer; the zero value of each field means its default.
type Options struct {
	Brokers []string
	Group   string // default "mari-bi"
	// BatchRecords is the most records applied in one transaction (default 5000).
	BatchRecords int
	// BatchWait is how long a batch keeps gathering after its first record (default 1 s): a
	// quiet stream still reaches PostgreSQL within about this long.
	BatchWait time.Duration
	// ReleaseEvery is how often held events are judged again while nothing applies (default
	// 1 s). After every batch that applied something they are judged again anyway.
	ReleaseEvery time.Duration
	// RetryMin and RetryMax bound the pause between attempts at a batch PostgreSQL refused
	// (default 100 ms doubling up to 5 s).
	RetryMin, RetryMax time.Duration
	// FinishGrace is how long a batch already applied may go on copying dead letters and
	// committing after ctx ends (default 10 s): a shutdown should not make the next consumer
	// read again what is already in PostgreSQL.
	FinishGrace time.Duration
	// Client are extra franz-go options, after the consumer's own (tests use them for fast
	// group timings).
	Client []kgo.Opt
	// Lag, when set, is told every LagEvery each event topic's consumer lag: records of this
	// member's partitions not yet committed, summed over partitions (lag.go). The metrics
	// export it; nil: the lag is not measured.
	Lag func(topic string, lag int64)
	// LagEvery is how often the lag is measured (default 10 s).
	LagEvery time.Duration
}

func (o *Options) defaults() {
	if o.Group == "" {
		o.Group = config.Default().KafkaGroup
	}
	if o.BatchRecords <= 0 {
		o.BatchRecords = 5000
	}
	if o.BatchWait <= 0 {
		o.BatchWait = time.Second
	}
	if o.ReleaseEvery <= 0 {
		o.ReleaseEvery = time.Second
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 100 * time.Millisecond
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(5*time.Second, o.RetryMin)
	}
	if o.FinishGrace <= 0 {
		o.FinishGrace = 10 * time.Second
	}
	if o.LagEvery <= 0 {
		o.LagEvery = 10 * time.Second
	}
}

// Stats are a consumer's running totals, for the metrics endpoint and the logs.
type Stats struct {
	Consumed      int64 // records read from Kafka (a record read again after a restart counts again)
	Applied       int64 // events applied by their batch
	Duplicates    int64 // events already applied before (redelivered)
	Held          int64 // events held for a user or payment that had not arrived
	Released      int64 // held events applied later
	Rejected      int64 // records dead-lettered
	DeadLettered  int64 // records copied to a dead-letter topic
	Batches       int64 // batches applied and committed (or whose commit failed)
	IngestErrors  int64 // attempts at a batch that PostgreSQL refused (retried)
	CommitErrors  int64 // offset commits that failed (the batch is read again, as duplicates)
	ReleaseErrors int64
	Partitions    int       // partitions this member is assigned now
	LastBatch     time.Time // when the last batch was applied
	LastBatchSize int
	LastBatchTook time.Duration // from its first record's poll to its commit
}

// Consumer reads the three event topics as a member of a consumer group.
type Consumer struct {
	store  *ingest.Store
	client *kgo.Client
	opts   Options
	log    *slog.Logger

	// hurry is set when a rebalance is waiting for this member to finish its batch.
	hurry      atomic.Bool
	pollMu     sync.Mutex
	cancelPoll context.CancelFunc

	// beforeCommit, when set (tests), runs after a batch is applied and dead-lettered and
	// before its offsets are committed; an error stops the consumer there, as a crash would.
	beforeCommit func() error

	statsMu sync.Mutex
	stats   Stats
}

// New connects a consumer of the event topics; Run consumes.
func New(store *ingest.Store, opts Options, log *slog.Logger) (*Consumer, error) {
	opts.defaults()
	if len(opts.Brokers) == 0 {
		return nil, errors.New("no Kafka brokers (set MARI_KAFKA_BROKERS)")
	}
	if log == nil {
		log = slog.Default()
	}
	c := &Consumer{store: store, opts: opts, log: log}
	topics := make([]string, len(events.Topics))
	for i, t := range events.Topics {
		topics[i] = string(t)
	}
	kopts := append([]kgo.Opt{
		kgo.SeedBrokers(opts.Brokers...),
		kgo.ConsumerGroup(opts.Group),
		// Only the contract's topics: a record of any other topic would be no event at all.
		kgo.ConsumeTopics(topics...),
		// Offsets move only after the records before them are in PostgreSQL.
		kgo.DisableAutoCommit(),
		// A batch's partitions stay this member's from its poll to its commit; otherwise a
		// rebalance in between would hand them on and the commit would fail or rewind.
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsCallbackBlocked(func(context.Context, *kgo.Client) { c.rush() }),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) { c.moved(ps, "assigned") }),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) { c.moved(ps, "revoked") }),
		// Lost: the group went on without this member (a session timeout); its uncommitted
		// batch is read again by the new owner.
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) { c.moved(ps, "lost") }),
		// A new group starts at the beginning: nothing already in the topics is skipped.
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		// The dead-letter copies must be on the brokers before the commit.
		kgo.RequiredAcks(kgo.AllISRAcks()),
	}, opts.Client...)
	client, err := kgo.NewClient(kopts...)
	if err != nil {
		return nil, err
	}
	c.client = client
	return c, nil
}

// Stats returns the running totals.
func (c *Consumer) Stats() Stats {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	return c.stats
}

func (c *Consumer) count(f func(*Stats)) {
	c.statsMu.Lock()
	f(&c.stats)
	c.statsMu.Unlock()
}

// moved counts partitions assigned to this member, or revoked from it, or lost.
func (c *Consumer) moved(ps map[string][]int32, how string) {
	n := 0
	for _, p := range ps {
		n += len(p)
	}
	if n == 0 {
		return
	}
	if how != "assigned" {
		n = -n
	}
	c.count(func(s *Stats) { s.Partitions = max(0, s.Partitions+n) })
	c.log.Info("kafka: partitions "+how, "partitions", ps)
}

// rush ends the batch being gathered: a rebalance waits for it.
func (c *Consumer) rush() {
	c.hurry.Store(true)
	c.pollMu.Lock()
	if c.cancelPoll != nil {
		c.cancelPoll()
	}
	c.pollMu.Unlock()
}

// Run consumes until ctx ends (it then returns nil) or a batch cannot be finished. It closes
// the consumer: a Consumer runs once.
func (c *Consumer) Run(ctx context.Context) error {
	defer c.client.CloseAllowingRebalance()
	defer c.startLag(ctx)() // stopped before the client closes
	lastRelease := time.Now()
	for {
		recs, started := c.gather(ctx)
		if ctx.Err() != nil {
			// Records gathered but not applied are not committed: the group's next member
			// reads them again.
			return nil
		}
		var applied bool
		if len(recs) > 0 {
			res, err := c.handle(ctx, recs, started)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			applied = res.Accepted > 0
		}
		c.client.AllowRebalance()
		if applied || time.Since(lastRelease) >= c.opts.ReleaseEvery {
			c.release(ctx)
			lastRelease = time.Now()
		}
	}
}

// gather polls until it has BatchRecords records, BatchWait has passed since the first, a
// rebalance is waiting, or (with nothing gathered) ReleaseEvery has passed.
func (c *Consumer) gather(ctx context.Context) ([]*kgo.Record, time.Time) {
	c.hurry.Store(false)
	var recs []*kgo.Record
	var started time.Time
	deadline := time.Now().Add(c.opts.ReleaseEvery)
	for len(recs) < c.opts.BatchRecords && !c.hurry.Load() {
		if len(recs) > 0 && !time.Now().Before(deadline) {
			break
		}
		pollCtx, cancel := context.WithDeadline(ctx, deadline)
		c.pollMu.Lock()
		c.cancelPoll = cancel
		c.pollMu.Unlock()
		fetches := c.client.PollRecords(pollCtx, c.opts.BatchRecords-len(recs))
		c.pollMu.Lock()
		c.cancelPoll = nil
		c.pollMu.Unlock()
		cancel()
		if fetches.IsClientClosed() || ctx.Err() != nil {
			return recs, started
		}
		fetches.EachError(func(topic string, partition int32, err error) {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				return
			}
			c.log.Warn("kafka: fetch error (the client retries)", "topic", topic, "partition", partition, "err", err)
		})
		got := fetches.Records()
		if len(got) > 0 && len(recs) == 0 {
			started = time.Now()
			deadline = started.Add(c.opts.BatchWait)
		}
		recs = append(recs, got...)
		if len(recs) == 0 && !time.Now().Before(deadline) {
			break // idle: let Run judge held events
		}
	}
	return recs, started
}

// handle applies one batch, copies its rejected records to the dead-letter topics and commits
// its offsets, in that order.
func (c *Consumer) handle(ctx context.Context, recs []*kgo.Record, started time.Time) (ingest.Result, error) {
	lines := make([]ingest.Line, 0, len(recs))
	origin := make([]*kgo.Record, 0, len(recs)) // origin[i] is the record of lines[i]
	for _, r := range recs {
		topic, ok := events.ParseTopic(r.Topic)
		if !ok {
			continue // not subscribed; cannot happen, and is no event of ours if it does
		}
		lines = append(lines, ingest.Line{Topic: topic, Data: r.Value, Source: Source(r)})
		origin = append(origin, r)
	}
	c.count(func(s *Stats) { s.Consumed += int64(len(recs)) })

	res, err := c.apply(ctx, lines)
	if err != nil {
		return res, err
	}
	c.count(func(s *Stats) {
		s.Applied += int64(res.Accepted)
		s.Duplicates += int64(res.Duplicates)
		s.Held += int64(res.Held)
		s.Rejected += int64(len(res.Rejected))
	})

	// Applied: what is left must not be undone by a shutdown starting now.
	finishCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(c.opts.FinishGrace, cancel) })
	defer stop()

	if len(res.Rejected) > 0 {
		dead := make([]*kgo.Record, 0, len(res.Rejected))
		for _, rej := range res.Rejected {
			r := origin[rej.Index]
			dead = append(dead, &kgo.Record{
				Topic: r.Topic + ".dlq", Key: r.Key, Value: r.Value,
				Headers: []kgo.RecordHeader{
					{Key: HeaderError, Value: []byte(rej.Error)},
					{Key: HeaderSource, Value: []byte(lines[rej.Index].Source)},
				},
			})
		}
		if err := c.produceDead(finishCtx, dead); err != nil {
			return res, err
		}
	}
	if c.beforeCommit != nil {
		if err := c.beforeCommit(); err != nil {
			return res, err
		}
	}
	if err := c.client.CommitRecords(finishCtx, recs...); err != nil {
		// The batch is in PostgreSQL; whoever reads it again finds duplicates. A later commit
		// of this member covers these offsets too.
		c.count(func(s *Stats) { s.CommitErrors++ })
		c.log.Warn("kafka: offset commit failed; the batch may be read again (as duplicates)", "records", len(recs), "err", err)
	}
	took := time.Since(started)
	c.count(func(s *Stats) {
		s.Batches++
		s.LastBatch = time.Now()
		s.LastBatchSize = len(recs)
		s.LastBatchTook = took
	})
	return res, nil
}

// apply tries the batch until PostgreSQL takes it or ctx ends: the batch is never skipped and
// nothing after it is committed before it.
func (c *Consumer) apply(ctx context.Context, lines []ingest.Line) (ingest.Result, error) {
	pause := c.opts.RetryMin
	for try := 1; ; try++ {
		res, err := c.store.Ingest(ctx, lines)
		if err == nil {
			if try > 1 {
				c.log.Info("kafka: batch applied after retries", "tries", try, "records", len(lines))
			}
			return res, nil
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		c.count(func(s *Stats) { s.IngestErrors++ })
		level := slog.LevelWarn
		if try >= 10 {
			level = slog.LevelError
		}
		c.log.Log(ctx, level, "kafka: applying a batch failed; retrying it", "try", try, "records", len(lines), "pause", pause, "err", err)
		if !sleep(ctx, pause) {
			return res, ctx.Err()
		}
		pause = min(pause*2, c.opts.RetryMax)
	}
}

// produceDead writes the dead-letter copies, retrying only the records not yet acknowledged,
// until all are on the brokers or ctx ends.
func (c *Consumer) produceDead(ctx context.Context, recs []*kgo.Record) error {
	pause := c.opts.RetryMin
	for {
		results := c.client.ProduceSync(ctx, recs...)
		var failed []*kgo.Record
		var firstErr error
		for _, r := range results {
			if r.Err != nil {
				failed = append(failed, r.Record)
				if firstErr == nil {
					firstErr = r.Err
				}
			}
		}
		c.count(func(s *Stats) { s.DeadLettered += int64(len(recs) - len(failed)) })
		if len(failed) == 0 {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("copying %d records to dead-letter topics: %w", len(failed), firstErr)
		}
		c.log.Warn("kafka: dead-letter produce failed; retrying", "records", len(failed), "err", firstErr)
		if !sleep(ctx, pause) {
			return fmt.Errorf("copying %d records to dead-letter topics: %w", len(failed), firstErr)
		}
		pause = min(pause*2, c.opts.RetryMax)
		recs = failed
	}
}

// release judges held events again; a failure waits for the next turn.
func (c *Consumer) release(ctx context.Context) {
	res, err := c.store.ReleaseHeld(ctx)
	if err != nil {
		if ctx.Err() == nil {
			c.count(func(s *Stats) { s.ReleaseErrors++ })
			c.log.Warn("kafka: releasing held events failed", "err", err)
		}
		return
	}
	c.count(func(s *Stats) { s.Released += int64(res.Accepted) })
}

// Source names where a record was read, for people: "kafka transaction-events/2@17".
func Source(r *kgo.Record) string {
	return "kafka " + r.Topic + "/" + strconv.FormatInt(int64(r.Partition), 10) + "@" + strconv.FormatInt(r.Offset, 10)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Brokers splits MARI_KAFKA_BROKERS.
func Brokers(list string) []string {
	var out []string
	for _, b := range strings.Split(list, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}

// RunKafka consumes the event topics into store until ctx ends, as configured by
// MARI_KAFKA_BROKERS and MARI_KAFKA_GROUP, telling lag (when not nil) the consumer lag (see
// Options.Lag). With no brokers configured it returns at once: events then arrive over HTTP
// only.
func RunKafka(ctx context.Context, cfg config.Config, store *ingest.Store, lag func(topic string, lag int64), log *slog.Logger) error {
	brokers := Brokers(cfg.KafkaBrokers)
	if len(brokers) == 0 {
		return nil
	}
	if log == nil {
		log = slog.Default()
	}
	c, err := New(store, Options{Brokers: brokers, Group: cfg.KafkaGroup, Lag: lag}, log)
	if err != nil {
		return err
	}
	log.Info("consuming Kafka", "brokers", brokers, "group", c.opts.Group, "topics", events.Topics)
	return c.Run(ctx)
}
