package simulate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"mari/events"
)

// KafkaSink produces each event to the topic of its name, keyed so that one payment's events
// (by transaction_id) and one user's (by user_id) land on one partition, in order.
type KafkaSink struct {
	client *kgo.Client
	log    *slog.Logger
	stats  counters
	logged atomic.Int64 // unix second of the last failure logged: one line a second at most
}

// NewKafkaSink connects to brokers (checking that one answers) and starts a producer. extra
// options come after the sink's own.
func NewKafkaSink(ctx context.Context, brokers []string, log *slog.Logger, extra ...kgo.Opt) (*KafkaSink, error) {
	if len(brokers) == 0 {
		return nil, errors.New("no Kafka brokers (set -brokers or MARI_KAFKA_BROKERS)")
	}
	if log == nil {
		log = slog.Default()
	}
	opts := append([]kgo.Opt{
		kgo.SeedBrokers(brokers...),
		// Keyed records must keep their order within a partition across retries.
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(20 * time.Millisecond),
	}, extra...)
	client, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx); err != nil {
		client.Close()
		return nil, fmt.Errorf("Kafka brokers %v do not answer: %w", brokers, err)
	}
	return &KafkaSink{client: client, log: log}, nil
}

// Key is the Kafka message key of e: the transaction for payment events, the user otherwise.
func Key(e events.Event) []byte {
	switch {
	case e.Transaction != nil:
		return []byte(e.Transaction.TransactionID.String())
	case e.User != nil:
		return []byte(e.User.UserID.String())
	default:
		return []byte(e.Activity.UserID.String())
	}
}

// Send produces e. It blocks while the producer's buffer is full.
func (s *KafkaSink) Send(ctx context.Context, e events.Event) error {
	value, err := e.MarshalJSON()
	if err != nil {
		return err
	}
	topic := e.Topic()
	rec := &kgo.Record{Topic: string(topic), Key: Key(e), Value: value}
	s.client.Produce(ctx, rec, func(r *kgo.Record, err error) {
		if err != nil {
			s.stats.add(func(st *Stats) { st.Dropped++ })
			now := time.Now().Unix()
			if last := s.logged.Load(); now > last && s.logged.CompareAndSwap(last, now) {
				s.log.Warn("simulate: Kafka produce failed", "topic", r.Topic, "err", err)
			}
			return
		}
		s.stats.add(func(st *Stats) { st.Sent[topic]++ })
	})
	return ctx.Err()
}

// Close waits for every buffered record to be acknowledged (or ctx to end), then disconnects.
func (s *KafkaSink) Close(ctx context.Context) error {
	err := s.client.Flush(ctx)
	s.client.Close()
	if err != nil {
		return fmt.Errorf("Kafka: flush: %w", err)
	}
	return nil
}

// Stats counts what was delivered.
func (s *KafkaSink) Stats() Stats { return s.stats.snapshot() }
