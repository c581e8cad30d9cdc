// Command mari is Mari BI: the web app and its maintenance subcommands.
//
//	mari serve                     serve the app (and run the rollup scheduler)
//	mari migrate                   apply PostgreSQL and ClickHouse migrations
//	mari demo [flags]              load the demo dataset (and roll it up)
//	mari rollup backfill [flags]   recompute rollups for a date range
//	mari bench [flags]             measure dashboard server time
//	mari admin create|demo-account staff accounts from the command line
//	mari ingest-token create|list|revoke  bearer tokens of POST /ingest/v1/{topic}
//	mari api-key create|list|revoke       keys of the JSON API /api/v1
//	mari simulate [flags]          a live demo stream of events, over HTTP or into Kafka
//	mari ingest [-batch N]         consume the event topics from Kafka (no web server)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5/pgxpool"

	"mari/auth"
	"mari/calendar"
	"mari/config"
	"mari/dbconn"
	"mari/demodata"
	"mari/ingest"
	"mari/kafkaingest"
	"mari/migrations"
	"mari/queries"
	"mari/rollup"
	"mari/web"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, log)
	case "migrate":
		err = migrate(ctx)
	case "demo":
		err = demo(ctx, args)
	case "rollup":
		err = rollupCmd(ctx, log, args)
	case "bench":
		err = benchCmd(ctx, args)
	case "admin":
		err = adminCmd(ctx, args)
	case "ingest-token":
		err = ingestTokenCmd(ctx, args)
	case "api-key":
		err = apiKeyCmd(ctx, args, os.Stdout, os.Stderr)
	case "simulate":
		err = simulateCmd(ctx, args)
	case "ingest":
		err = ingestCmd(ctx, log, args)
	case "help", "-h", "--help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "mari: unknown command %q\n\n", cmd)
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "mari %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: mari <command> [flags]

commands:
  serve                    serve the app on MARI_LISTEN_ADDR and run the rollup scheduler
  migrate                  apply PostgreSQL and ClickHouse migrations (idempotent)
  demo                     load the demo dataset and roll it up (see mari demo -h)
  rollup backfill          recompute rollups for a date range (see mari rollup backfill -h)
  bench                    measure dashboard server time (see mari bench -h)
  admin create -email E -role R [-name N]
                           create a staff account and print its one-time password, once
  admin demo-account       ensure demo@mari.example (executive) exists; print a new password
  ingest-token create -name N | list | revoke -id ID
                           bearer tokens of POST /ingest/v1/{topic}; create prints the token
                           on its last line, once
  api-key create|list|revoke  keys of the JSON API (/api/v1); create prints the key last, once
  ingest [-batch 5000]     consume the event topics from Kafka (MARI_KAFKA_BROKERS) into
                           both databases, without serving pages
  simulate [-rate 20] [-to http|kafka] [-url U] [-duration D]
                           produce a live demo stream of events (see mari simulate -h)

Configuration comes from the environment; see README.md.
`)
}

// interactive are the PostgreSQL session limits of `serve` (requests: no statement of a page
// or a form should run anywhere near 30 s, and its client has given up by then) and `admin`.
func interactive(cfg config.Config) dbconn.Settings {
	return dbconn.Settings{StatementTimeout: cfg.PGStatementTimeout, IdleInTransactionTimeout: cfg.PGIdleTxTimeout}
}

// batch are the limits of migrate, demo and rollup backfill, which run long statements on
// purpose (a COPY of millions of rows, a month's rollup at scale) at a terminal.
func batch(config.Config) dbconn.Settings { return dbconn.Batch }

// connect opens both databases from the environment's configuration, PostgreSQL with the
// session limits that limits chooses for the command.
func connect(ctx context.Context, limits func(config.Config) dbconn.Settings) (config.Config, *pgxpool.Pool, driver.Conn, error) {
	cfg, err := config.Load()
	if err != nil {
		return cfg, nil, nil, err
	}
	pg, err := dbconn.PostgresWith(ctx, cfg.PostgresURL, limits(cfg))
	if err != nil {
		return cfg, nil, nil, err
	}
	ch, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{
		Addr: cfg.ClickHouseAddr, Database: cfg.ClickHouseDatabase,
		User: cfg.ClickHouseUser, Password: cfg.ClickHousePassword,
	})
	if err != nil {
		pg.Close()
		return cfg, nil, nil, err
	}
	return cfg, pg, ch, nil
}

func migrate(ctx context.Context) error {
	_, pg, ch, err := connect(ctx, batch)
	if err != nil {
		return err
	}
	defer pg.Close()
	defer ch.Close()
	if err := migrations.Postgres(ctx, pg); err != nil {
		return err
	}
	if err := migrations.ClickHouse(ctx, ch); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "migrations applied (PostgreSQL and ClickHouse)")
	return nil
}

func serve(ctx context.Context, log *slog.Logger) error {
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
	if cfg.Scheduler {
		// The scheduler has its own small pool: its statements may run up to a job's deadline,
		// beyond what a request may, and however busy it is, requests keep their connections.
		jobs, err := dbconn.PostgresWith(ctx, cfg.PostgresURL, dbconn.Settings{
			StatementTimeout:         cfg.RollupJobTimeout,
			IdleInTransactionTimeout: cfg.PGIdleTxTimeout,
			MaxConns:                 4,
		})
		if err != nil {
			return err
		}
		defer jobs.Close()
		r := rollup.New(jobs, log, nil)
		r.JobTimeout = cfg.RollupJobTimeout
		r.Ran = tel.RollupRan
		tel.WatchPool("rollup", jobs)
		// Other instances on the same database run the same scheduler; the lease makes one of
		// them do each round (and the catch-up of rollups added by a newer release).
		s := rollup.NewScheduler(r, cfg.RefreshInterval)
		s.Progress = os.Stderr
		schedCtx, stopScheduler := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); s.Run(schedCtx) }()
		// Runs before the pools close, so the lease is handed on while the database is
		// reachable, and also when serving fails (a port in use) rather than ctx ending.
		defer func() { stopScheduler(); <-done }()
		log.Info("rollup scheduler", "holder", s.Holder, "refresh", s.Refresh, "lease", s.LeaseTTL, "job_timeout", r.JobTimeout)
	}
	// Events posted to /ingest/v1 are stored in PostgreSQL by the request; the shipper moves
	// them on to ClickHouse, woken by each stored batch, and applies held events whose user or
	// payment has arrived. Several instances share the work through a lease.
	shipper := ingest.NewShipper(pg, ch, log)
	shipper.Store.Tallied = tel.CountIngest
	shipCtx, stopShipper := context.WithCancel(ctx)
	var ingestion sync.WaitGroup
	ingestion.Add(1)
	go func() { defer ingestion.Done(); shipper.Run(shipCtx) }()
	// With MARI_KAFKA_BROKERS set, this instance also consumes the event topics (a group
	// shared with every other instance and `mari ingest`).
	if cfg.KafkaBrokers != "" {
		ingestion.Add(1)
		go func() {
			defer ingestion.Done()
			if err := kafkaingest.RunKafka(shipCtx, cfg, shipper.Store, kafkaLag(tel), log); err != nil && shipCtx.Err() == nil {
				log.Error("Kafka consumer stopped; events arrive over HTTP only until a restart", "err", err)
			}
		}()
	}
	defer func() { stopShipper(); ingestion.Wait() }()
	// The alert rules are evaluated, and their notifications sent, beside the server (alertscmd.go).
	defer startAlerts(ctx, cfg, pg, log)()
	requests, stopSelfMonitor := startSelfMonitor(ctx, pg, ch, log) // selfmoncmd.go: server time and uptime for /quality
	defer stopSelfMonitor()
	e := web.NewServer(web.Deps{Config: cfg, PG: pg, CH: ch, Log: log, IngestCommitted: shipper.Wake, Landed: shipper.Landed, Telemetry: tel,
		Requests: requests})
	log.Info("Mari BI is serving", "addr", cfg.ListenAddr)
	return web.Serve(ctx, e, cfg.ListenAddr)
}

func demo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	seed := fs.Int64("seed", 42, "random seed: the same seed, end and scale give the same dataset")
	scale := fs.Float64("scale", 1, "dataset size: 1 is the default (~1.5M events), 10 gives ~15M events")
	months := fs.Int("months", 18, "months of history")
	end := fs.String("end", "", "generate up to this SAST day, YYYY-MM-DD (default: now)")
	ifEmpty := fs.Bool("if-empty", false, "do nothing when the database already has users")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scale <= 0 || *scale > 100 {
		return errors.New("-scale must be above 0 and at most 100")
	}
	if *months < 1 || *months > 60 {
		return errors.New("-months must be between 1 and 60")
	}
	endAt := time.Now()
	if *end != "" {
		d, err := calendar.ParseDate(*end)
		if err != nil {
			return fmt.Errorf("-end: %w", err)
		}
		endAt = d.End()
	}
	_, pg, ch, err := connect(ctx, batch)
	if err != nil {
		return err
	}
	defer pg.Close()
	defer ch.Close()
	empty, err := queries.IsEmpty(ctx, pg)
	if err != nil {
		return err
	}
	if !empty {
		if *ifEmpty {
			fmt.Fprintln(os.Stderr, "demo data: the database already has data; leaving it as it is")
			return nil
		}
		return errors.New("the database already has users; demo data goes only into an empty database")
	}
	start := time.Now()
	sum, err := demodata.Generate(ctx, pg, ch, demodata.Options{
		Seed: *seed, Scale: *scale, Months: *months, End: endAt, Progress: os.Stderr,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "demo data: %d banks, %d users, %d transactions, %d events, %d activity rows in %s\n",
		sum.Banks, sum.Users, sum.Transactions, sum.Events, sum.Activity, time.Since(start).Round(time.Millisecond))
	today := calendar.Today(time.Now())
	from := calendar.DateOf(endAt).AddMonths(-*months).MonthStart()
	rstart := time.Now()
	if err := rollup.New(pg, slog.Default(), nil).Backfill(ctx, from, today, os.Stderr); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "rollups: %s to %s in %s\n", from, today, time.Since(rstart).Round(time.Millisecond))
	return nil
}

func rollupCmd(ctx context.Context, log *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] != "backfill" {
		return errors.New("usage: mari rollup backfill -from YYYY-MM-DD [-to YYYY-MM-DD]")
	}
	fs := flag.NewFlagSet("rollup backfill", flag.ContinueOnError)
	fromS := fs.String("from", "", "first SAST day to recompute, YYYY-MM-DD (required)")
	toS := fs.String("to", "", "last SAST day to recompute, YYYY-MM-DD (default: today)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	from, err := calendar.ParseDate(*fromS)
	if err != nil {
		return fmt.Errorf("-from: %w", err)
	}
	to := calendar.Today(time.Now())
	if *toS != "" {
		if to, err = calendar.ParseDate(*toS); err != nil {
			return fmt.Errorf("-to: %w", err)
		}
	}
	if to.Before(from) {
		return fmt.Errorf("-to %s is before -from %s", to, from)
	}
	_, pg, ch, err := connect(ctx, batch)
	if err != nil {
		return err
	}
	defer pg.Close()
	defer ch.Close()
	return rollup.New(pg, log, nil).Backfill(ctx, from, to, os.Stderr)
}

// adminCmd manages staff accounts without the web app: the first admin is made this way.
func adminCmd(ctx context.Context, args []string) error {
	usageErr := errors.New("usage: mari admin create -email E -role admin|executive|ops|partnerships [-name N]\n" +
		"       mari admin demo-account")
	if len(args) == 0 {
		return usageErr
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	cli := auth.Actor{Email: "command line (mari admin)"}
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
		email := fs.String("email", "", "the account's email (required)")
		role := fs.String("role", "", "admin, executive, ops or partnerships (required)")
		name := fs.String("name", "", "the person's name, as the app shows it")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		r, err := auth.ParseRole(*role)
		if err != nil {
			return err
		}
		pg, err := dbconn.PostgresWith(ctx, cfg.PostgresURL, interactive(cfg))
		if err != nil {
			return err
		}
		defer pg.Close()
		a, pw, err := auth.NewService(pg).Create(ctx, cli, *email, *name, r)
		if err != nil {
			return err
		}
		fmt.Printf("created %s (%s)\none-time password: %s\n", a.Email, a.Role, pw)
		fmt.Fprintln(os.Stderr, "This password is shown only now; it must be changed at the first sign-in.")
		return nil
	case "demo-account":
		if len(args) > 1 {
			return usageErr
		}
		pg, err := dbconn.PostgresWith(ctx, cfg.PostgresURL, interactive(cfg))
		if err != nil {
			return err
		}
		defer pg.Close()
		pw, err := auth.NewService(pg).EnsureDemoAccount(ctx, cli)
		if err != nil {
			return err
		}
		fmt.Printf("email:    %s\npassword: %s\n", auth.DemoEmail, pw)
		return nil
	}
	return usageErr
}
