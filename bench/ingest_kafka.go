package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"mari/events"
	"mari/kafkaingest"
)

// throughputKafka produces o.Events events of a stream (see stream) into an in-process
// Kafka-protocol broker (kfake, four partitions a topic, keyed by transaction id as producers
// do) and then times the
// consumer group, applying batches of size, until every record is applied in PostgreSQL and
// until the outbox is empty in ClickHouse too. Production is not timed: the figure is how fast
// a backlog drains.
func (env *ingestEnv) throughputKafka(ctx context.Context, size int) (ThroughputResult, error) {
	var topics []string
	for _, t := range events.Topics {
		topics = append(topics, string(t), t.DeadLetterTopic())
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, topics...))
	if err != nil {
		return ThroughputResult{}, err
	}
	defer cluster.Close()
	producer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		return ThroughputResult{}, err
	}
	evs := env.stream(env.o.Events)
	total := len(evs)
	for len(evs) > 0 {
		n := min(1000, len(evs))
		recs := make([]*kgo.Record, n)
		for i, e := range evs[:n] {
			v, err := json.Marshal(e)
			if err != nil {
				producer.Close()
				return ThroughputResult{}, err
			}
			recs[i] = &kgo.Record{Topic: string(events.TransactionEvents), Key: []byte(e.Transaction.TransactionID.String()), Value: v}
		}
		if err := producer.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			producer.Close()
			return ThroughputResult{}, err
		}
		evs = evs[n:]
	}
	producer.Close()

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	consumer, err := kafkaingest.New(env.shipper.Store, kafkaingest.Options{Brokers: cluster.ListenAddrs(), Group: "bench", BatchRecords: size}, quiet)
	if err != nil {
		return ThroughputResult{}, err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- consumer.Run(runCtx) }()
	defer func() { stop(); <-done }()
	var stored time.Duration
	for {
		if consumer.Stats().Applied >= int64(total) {
			stored = time.Since(start)
			break
		}
		if time.Since(start) > 10*time.Minute {
			return ThroughputResult{}, fmt.Errorf("kafka: %d of %d applied after 10 minutes", consumer.Stats().Applied, total)
		}
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return ThroughputResult{}, err
		}
	}
	if err := env.waitShipped(ctx); err != nil {
		return ThroughputResult{}, err
	}
	return ThroughputResult{Path: "Kafka (kfake)", BatchSize: size, Events: total, Stored: stored, Shipped: time.Since(start)}, nil
}
