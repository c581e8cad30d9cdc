package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"mari/dbtest"
	"mari/events"
	it "mari/ingest/ingesttest"
)

// `mari ingest` end to end: records produced to Kafka reach PostgreSQL through the consumer
// and ClickHouse through the shipper, with nothing else running.
func TestIngestCommandConsumesAndShips(t *testing.T) {
	db := dbtest.New(t)
	dbtest.Bank{Code: it.Bank, Start: "2025-01-01"}.Insert(t, db)
	dbtest.User{Name: "alice", Created: "2026-01-05 09:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2026-01-06 09:00:00"}.Insert(t, db)

	var topics []string
	for _, tp := range events.Topics {
		topics = append(topics, string(tp), tp.DeadLetterTopic())
	}
	kafka, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, topics...))
	if err != nil {
		t.Fatal(err)
	}
	defer kafka.Close()
	t.Setenv("MARI_PG_URL", db.PGURL)
	t.Setenv("MARI_CH_ADDR", db.CHOpts.Addr)
	t.Setenv("MARI_CH_DATABASE", db.CHOpts.Database)
	t.Setenv("MARI_CH_USER", db.CHOpts.User)
	t.Setenv("MARI_CH_PASSWORD", db.CHOpts.Password)
	t.Setenv("MARI_KAFKA_BROKERS", strings.Join(kafka.ListenAddrs(), ","))
	t.Setenv("MARI_KAFKA_GROUP", "ingest-command-test")
	metricsAddr := freeAddr(t)
	t.Setenv("MARI_METRICS_ADDR", metricsAddr)

	// A payment of R250.75 from alice to bob, completed, and a login: the command runs on the
	// wall clock, so the events are an hour old.
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	evs := []events.Event{
		it.Initiated("i1", "T1", "alice", "bob", "250.75", at),
		it.Final("c1", "T1", "alice", events.Completed, at.Add(2*time.Second), 900, ""),
		it.Activity("a1", "bob", "login", at),
	}
	producer, err := kgo.NewClient(kgo.SeedBrokers(kafka.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	for _, e := range evs {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		// Keyed as producers do: one payment's events on one partition, in order.
		key := dbtest.UserID("bob").String()
		if e.Transaction != nil {
			key = e.Transaction.TransactionID.String()
		}
		rec := &kgo.Record{Topic: string(e.Topic()), Key: []byte(key), Value: b}
		if err := producer.ProduceSync(context.Background(), rec).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ingestCmd(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), nil) }()

	chFigures := func() string {
		var n uint64
		var amount string
		row := db.CH.QueryRow(context.Background(),
			`SELECT count(), toString(sum(amount)) FROM transaction_events`)
		if err := row.Scan(&n, &amount); err != nil {
			t.Fatal(err)
		}
		var acts uint64
		if err := db.CH.QueryRow(context.Background(), `SELECT count() FROM user_activity`).Scan(&acts); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d %s %d", n, amount, acts)
	}
	// Two payment rows of R250.75 each, one activity row.
	want := "2 501.50 1"
	deadline := time.Now().Add(20 * time.Second)
	for got := chFigures(); got != want; got = chFigures() {
		select {
		case err := <-done:
			t.Fatalf("mari ingest stopped early: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ClickHouse holds %q (count amount activity), want %q", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var status, amount string
	if err := db.PG.QueryRow(context.Background(), `SELECT status, amount::text FROM transactions WHERE id = $1`,
		it.TxID("T1")).Scan(&status, &amount); err != nil {
		t.Fatal(err)
	}
	if status != "COMPLETED" || amount != "250.75" {
		t.Errorf("transaction T1 is %s of %s, want COMPLETED of 250.75", status, amount)
	}
	// Its metrics, on MARI_METRICS_ADDR: the payment created and completed once each.
	res, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	exposed, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, line := range []string{
		`mari_transactions_total{bank="BANKA",channel="online",status="pending"} 1`,
		`mari_transactions_total{bank="BANKA",channel="online",status="completed"} 1`,
		`mari_transaction_duration_seconds_sum{bank="BANKA"} 0.9`,
		`mari_ingest_events_total{outcome="accepted",topic="transaction-events"} 2`,
		`mari_ingest_events_total{outcome="accepted",topic="user-activity"} 1`,
	} {
		if !strings.Contains(string(exposed), "\n"+line+"\n") {
			t.Errorf("mari ingest's metrics lack %s", line)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("mari ingest: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("mari ingest did not stop within 20 s of its context ending")
	}
}

// Without brokers the command refuses to start, naming the variable, before it connects.
func TestIngestCommandWantsBrokers(t *testing.T) {
	// Nothing listens here: the command must stop at the missing setting, before connecting.
	t.Setenv("MARI_PG_URL", "postgres://nobody@127.0.0.1:1/none?sslmode=disable")
	t.Setenv("MARI_KAFKA_BROKERS", " , ")
	err := ingestCmd(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err == nil || !strings.Contains(err.Error(), "MARI_KAFKA_BROKERS") {
		t.Fatalf("ingestCmd without brokers = %v, want an error naming MARI_KAFKA_BROKERS", err)
	}
}
