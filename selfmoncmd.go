package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5/pgxpool"

	"mari/selfmon"
)

// selfMonitorPing bounds each readiness ping of the heartbeat, as /readyz bounds its own.
const selfMonitorPing = 2 * time.Second

// startSelfMonitor starts this instance measuring itself for the data-quality page: the
// recorder the server times its requests into, and the monitor that writes them to PostgreSQL
// once a minute with a heartbeat for every minute the instance is ready (PostgreSQL and
// ClickHouse both answer, as /readyz requires). stop ends the monitor after writing what it
// holds; call it before the pools close.
func startSelfMonitor(ctx context.Context, pg *pgxpool.Pool, ch driver.Conn, log *slog.Logger) (rec *selfmon.Recorder, stop func()) {
	rec = selfmon.NewRecorder(nil)
	ready := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, selfMonitorPing)
		defer cancel()
		if err := pg.Ping(ctx); err != nil {
			return err
		}
		return ch.Ping(ctx)
	}
	m := selfmon.NewMonitor(rec, pg, ready, log)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); m.Run(ctx) }()
	return rec, func() { cancel(); <-done }
}
