package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"mari/bench"
	"mari/config"
)

// benchCmd measures dashboard server time on demo datasets of known size; see bench/.
func benchCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sizes := fs.String("sizes", "1,10", "comma-separated demo-data scales; each gets its own database pair mari_bench_s<scale>, loaded once and reused")
	pages := fs.String("pages", "/,/ops,/ops/data,/growth,/banks,/banks/BAO,/model/seed,/model/seed/actuals,/transactions,/api/v1/metrics/revenue?grain=month,/api/v1/banks,/api/v1/banks/BAO,/api/v1/cohorts,/api/v1/transactions", "comma-separated paths to measure: pages signed in as an executive, /api/ paths with an API key of every scope")
	requests := fs.Int("requests", 200, "measured requests per page")
	warmup := fs.Int("warmup", 20, "unmeasured warm-up requests per page")
	months := fs.Int("months", 18, "months of demo history when a dataset is first loaded")
	out := fs.String("out", "artifacts/bench.md", "markdown results file (empty for none)")
	what := fs.String("what", "pages,ingest", "what to measure: pages (dashboard server time), ingest (events in), or both")
	ingestEvents := fs.Int("ingest-events", 200000, "events per ingestion throughput run")
	ingestBatches := fs.String("ingest-batches", "100,1000,5000", "events per request for the HTTP throughput runs")
	kafkaBatches := fs.String("kafka-batches", "500,5000,20000", "records per transaction for the Kafka (kfake) throughput runs")
	ingestRates := fs.String("ingest-rates", "50,1000", "events per second for the post-to-screen latency")
	ingestFor := fs.Duration("ingest-for", 30*time.Second, "how long each latency rate runs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var scales []float64
	for _, s := range strings.Split(*sizes, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || v <= 0 || v > 100 {
			return fmt.Errorf("-sizes: %q is not a scale above 0 and at most 100", s)
		}
		scales = append(scales, v)
	}
	var paths []string
	for _, p := range strings.Split(*pages, ",") {
		if p = strings.TrimSpace(p); !strings.HasPrefix(p, "/") {
			return fmt.Errorf("-pages: %q is not a path starting with /", p)
		}
		paths = append(paths, p)
	}
	if *requests < 1 || *warmup < 0 {
		return errors.New("-requests must be at least 1 and -warmup at least 0")
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	admin := os.Getenv("MARI_TEST_PG_ADMIN_URL")
	if admin == "" {
		if admin, err = bench.AdminURL(cfg.PostgresURL); err != nil {
			return err
		}
	}
	if strings.Contains(*what, "pages") {
		if _, err = bench.Run(ctx, bench.Options{
			Scales: scales, Pages: paths, Requests: *requests, Warmup: *warmup, Months: *months, Seed: 42,
			Config: cfg, PGAdminURL: admin, Out: os.Stdout, Progress: os.Stderr, MarkdownPath: *out,
		}); err != nil {
			return err
		}
	}
	if strings.Contains(*what, "ingest") {
		batches, err := positiveInts(*ingestBatches)
		if err != nil {
			return fmt.Errorf("-ingest-batches: %w", err)
		}
		kafka, err := positiveInts(*kafkaBatches)
		if err != nil {
			return fmt.Errorf("-kafka-batches: %w", err)
		}
		rates, err := positiveInts(*ingestRates)
		if err != nil {
			return fmt.Errorf("-ingest-rates: %w", err)
		}
		if _, _, err := bench.RunIngest(ctx, bench.IngestOptions{
			Config: cfg, PGAdminURL: admin, Events: *ingestEvents, BatchSizes: batches, KafkaBatchSizes: kafka, Posters: 4,
			Rates: rates, RateFor: *ingestFor, Users: 20000, Out: os.Stdout, Progress: os.Stderr,
		}); err != nil {
			return err
		}
	}
	return nil
}

func positiveInts(list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive whole number", s)
		}
		out = append(out, n)
	}
	return out, nil
}
