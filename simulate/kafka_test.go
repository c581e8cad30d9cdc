package simulate

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"mari/events"
)

// Every produced event arrives once, on its topic, keyed by its transaction (payments) or user
// (sign-ups, activity), and one payment's events sit on one partition in the order of its life.
func TestKafkaSinkDeliversOnceKeyedInOrder(t *testing.T) {
	topics := make([]string, len(events.Topics))
	for i, tp := range events.Topics {
		topics[i] = string(tp)
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, topics...))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	ctx := context.Background()

	evs := streamEvents(t, 100, 2*time.Minute)
	var log bytes.Buffer
	sink, err := NewKafkaSink(ctx, cluster.ListenAddrs(), slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := sendAll(t, sink, evs); err != nil {
		t.Fatal(err)
	}
	st := sink.Stats()
	if st.Dropped != 0 {
		t.Fatalf("%d records failed:\n%s", st.Dropped, log.String())
	}
	want := map[uuid.UUID]events.Event{}
	for _, e := range evs {
		want[e.ID()] = e
	}

	consumer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	got := map[uuid.UUID]int{}
	type place struct {
		partition int32
		offset    int64
	}
	lastOfTx := map[uuid.UUID]place{}
	lifeOrder := map[string]int{events.Initiated: 0, events.PhysicsSealCaptured: 1, events.Submitted: 2, events.Completed: 3, events.Failed: 3}
	stepOfTx := map[uuid.UUID]int{}
	received := 0
	pollCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for received < len(evs) {
		fetches := consumer.PollFetches(pollCtx)
		if err := pollCtx.Err(); err != nil {
			t.Fatalf("received %d of %d records before the deadline", received, len(evs))
		}
		fetches.EachError(func(topic string, p int32, err error) { t.Fatalf("fetch %s/%d: %v", topic, p, err) })
		fetches.EachRecord(func(r *kgo.Record) {
			received++
			topic, ok := events.ParseTopic(r.Topic)
			if !ok {
				t.Fatalf("record on unknown topic %q", r.Topic)
			}
			e, err := events.Parser{Now: func() time.Time { return t0.Add(time.Hour) }}.Parse(topic, r.Value)
			if err != nil {
				t.Fatalf("record on %s does not parse: %v\n%s", topic, err, r.Value)
			}
			got[e.ID()]++
			if _, ok := want[e.ID()]; !ok {
				t.Fatalf("record %s was never produced", e.ID())
			}
			var key string
			switch {
			case e.Transaction != nil:
				key = e.Transaction.TransactionID.String()
				id := e.Transaction.TransactionID
				at := place{r.Partition, r.Offset}
				if prev, seen := lastOfTx[id]; seen && (prev.partition != at.partition || prev.offset > at.offset) {
					t.Fatalf("transaction %s: a record on partition %d offset %d after one on %d/%d", id, at.partition, at.offset, prev.partition, prev.offset)
				}
				step := lifeOrder[e.Transaction.EventType]
				if prev, seen := stepOfTx[id]; seen && step <= prev {
					t.Fatalf("transaction %s: %s out of order", id, e.Transaction.EventType)
				}
				lastOfTx[id], stepOfTx[id] = at, step
			case e.User != nil:
				key = e.User.UserID.String()
			default:
				key = e.Activity.UserID.String()
			}
			if string(r.Key) != key {
				t.Fatalf("%s record keyed %q, want %q", topic, r.Key, key)
			}
		})
	}
	for id := range want {
		if got[id] != 1 {
			t.Fatalf("event %s arrived %d times, want once", id, got[id])
		}
	}
	var sent int64
	for _, n := range st.Sent {
		sent += n
	}
	if sent != int64(len(evs)) || received != len(evs) {
		t.Fatalf("sink counted %d sent, %d received, %d produced", sent, received, len(evs))
	}
	t.Logf("%d events through Kafka (%v)", len(evs), st.Sent)
}
