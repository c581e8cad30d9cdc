package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"sync"

	"mari/config"
	"mari/ingest"
	"mari/kafkaingest"
)

// ingestCmd consumes the event topics from Kafka into PostgreSQL and ships the outbox to
// ClickHouse, without serving pages: an ingestion-only instance, scaled apart from the web
// app. Instances with the same MARI_KAFKA_GROUP share the partitions.
func ingestCmd(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	batchRecords := fs.Int("batch", 5000, "most records applied in one PostgreSQL transaction")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New("usage: mari ingest [-batch N]")
	}
	if *batchRecords < 1 || *batchRecords > 100000 {
		return errors.New("-batch must be between 1 and 100000")
	}
	// Checked before connecting: a missing setting is reported without touching a database.
	if cfg, err := config.Load(); err != nil {
		return err
	} else if len(kafkaingest.Brokers(cfg.KafkaBrokers)) == 0 {
		return errors.New("no Kafka brokers: set MARI_KAFKA_BROKERS (comma-separated host:port)")
	}
	cfg, pg, ch, err := connect(ctx, interactive)
	if err != nil {
		return err
	}
	defer pg.Close()
	defer ch.Close()
	tel, stopMetrics, err := startMetrics(ctx, cfg, log) // nil when MARI_METRICS_ADDR=off: counts nothing
	if err != nil {
		return err
	}
	defer stopMetrics()
	tel.WatchPool("app", pg)
	brokers := kafkaingest.Brokers(cfg.KafkaBrokers)

	// Each batch the consumer stores wakes the shipper rather than waiting for its next look.
	shipper := ingest.NewShipper(pg, ch, log)
	shipper.Store.Tallied = tel.CountIngest

	consumer, err := kafkaingest.New(shipper.Store, kafkaingest.Options{
		Brokers: brokers, Group: cfg.KafkaGroup, BatchRecords: *batchRecords, Lag: kafkaLag(tel),
	}, log)
	if err != nil {
		return err
	}
	log.Info("mari ingest: consuming Kafka", "brokers", brokers, "group", cfg.KafkaGroup, "batch", *batchRecords)

	// The shipper outlives the consumer by nothing: both stop when ctx ends, and whatever is
	// left in the outbox ships at the next start.
	shipCtx, stopShipper := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); shipper.Run(shipCtx) }()
	defer func() { stopShipper(); wg.Wait() }()

	err = consumer.Run(ctx)
	st := consumer.Stats()
	log.Info("mari ingest: stopped", "consumed", st.Consumed, "applied", st.Applied, "duplicates", st.Duplicates,
		"held", st.Held, "released", st.Released, "rejected", st.Rejected, "batches", st.Batches,
		"commit_errors", st.CommitErrors)
	return err
}
