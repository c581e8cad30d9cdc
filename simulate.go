package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"mari/config"
	"mari/dbconn"
	"mari/simulate"
)

// simulateCmd is `mari simulate`: a live demo stream of sign-ups, payments and app activity,
// continuing the database's users, into the ingest endpoint or Kafka.
func simulateCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	rate := fs.Float64("rate", 20, "events per second over all topics, on average (at most 5000)")
	to := fs.String("to", "http", "where events go: http (the ingest endpoint) or kafka")
	url := fs.String("url", "http://127.0.0.1:8080", "the app's base URL, for -to http")
	tokenFile := fs.String("token-file", "", "read the ingest token from this file (default: MARI_INGEST_TOKEN)")
	brokers := fs.String("brokers", os.Getenv("MARI_KAFKA_BROKERS"), "comma-separated Kafka brokers, for -to kafka (default: MARI_KAFKA_BROKERS)")
	duration := fs.Duration("duration", 0, "stop after this long (0: until Ctrl-C)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: mari simulate [flags]

Streams realistic events in real time: sign-ups, payments through their life
(initiated, seal captured, submitted, completed or failed) and app activity,
between the database's active users, with the demo data's distributions.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// Payments are drawn 15 minutes ahead (the logins before them must come out in their own
	// time): the generator holds about 0.17 MiB per event a second, 850 MiB at 5000.
	if !(*rate > 0) || *rate > 5000 {
		return errors.New("-rate must be above 0 and at most 5000 events per second")
	}
	if *duration < 0 {
		return errors.New("-duration must not be negative")
	}
	if *to != "http" && *to != "kafka" {
		return fmt.Errorf("-to %q: want http or kafka", *to)
	}

	// Check where events go before reading the database: a missing token is the likelier slip.
	var token string
	var brokerList []string
	switch *to {
	case "http":
		token = os.Getenv("MARI_INGEST_TOKEN")
		if *tokenFile != "" {
			b, err := os.ReadFile(*tokenFile)
			if err != nil {
				return fmt.Errorf("-token-file: %w", err)
			}
			token = strings.TrimSpace(string(b))
		}
		if token == "" {
			return errors.New("no ingest token: set MARI_INGEST_TOKEN or pass -token-file")
		}
	case "kafka":
		for _, b := range strings.Split(*brokers, ",") {
			if b = strings.TrimSpace(b); b != "" {
				brokerList = append(brokerList, b)
			}
		}
		if len(brokerList) == 0 {
			return errors.New("no Kafka brokers: pass -brokers or set MARI_KAFKA_BROKERS")
		}
	}

	cfg, err := config.Load()
	if err != nil {
		return err
	}
	pg, err := dbconn.PostgresWith(ctx, cfg.PostgresURL, dbconn.Batch)
	if err != nil {
		return err
	}
	start := time.Now()
	pop, err := simulate.LoadPopulation(ctx, pg, start)
	pg.Close() // the population is read once; the stream itself never touches the database
	if err != nil {
		return err
	}

	log := slog.Default()
	var sink simulate.Sink
	switch *to {
	case "http":
		sink, err = simulate.NewHTTPSink(simulate.HTTPOptions{BaseURL: *url, Token: token, Log: log})
	case "kafka":
		sink, err = simulate.NewKafkaSink(ctx, brokerList, log)
	}
	if err != nil {
		return err
	}
	gen, err := simulate.New(simulate.Options{Rate: *rate, Start: time.Now(), Population: pop})
	if err != nil {
		_ = sink.Close(ctx)
		return err
	}
	dest := *url
	if *to == "kafka" {
		dest = "Kafka " + strings.Join(brokerList, ",")
	}
	fmt.Fprintf(os.Stderr, "simulate: %d users, banks %s; %.4g events/s to %s (Ctrl-C stops)\n",
		len(pop.Users), strings.Join(pop.Banks, " "), *rate, dest)
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	return simulate.Run(ctx, gen, sink, os.Stderr, 10*time.Second, 30*time.Second)
}
