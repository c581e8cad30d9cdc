package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"mari/config"
	"mari/telemetry"
)

// startMetrics makes this process's metrics and serves them, GET /metrics, on
// MARI_METRICS_ADDR until ctx ends or stop is called. The listener is the metrics' own, never
// the app's port: what Prometheus reads (pool sizes, routes, lag) is for operators, and the
// public server has no /metrics at all. With MARI_METRICS_ADDR=off it returns nil metrics,
// whose hooks count nothing. An address it cannot listen on stops the command, naming the
// variable: metrics that silently never appear would be worse.
func startMetrics(ctx context.Context, cfg config.Config, log *slog.Logger) (tel *telemetry.Metrics, stop func(), err error) {
	if cfg.MetricsAddr == "" {
		log.Info("metrics are off (MARI_METRICS_ADDR=off)")
		return nil, func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("MARI_METRICS_ADDR: %w (choose another address, or off)", err)
	}
	tel = telemetry.New()
	srv := metricsServer(tel)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "addr", cfg.MetricsAddr, "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		<-ctx.Done()
		shutdown, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("metrics for Prometheus", "url", "http://"+ln.Addr().String()+"/metrics")
	return tel, func() { cancel(); wg.Wait() }, nil
}

// metricsServer answers GET /metrics and nothing else.
func metricsServer(tel *telemetry.Metrics) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", tel.Handler())
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
}

// kafkaLag is tel's consumer-lag hook, nil when metrics are off, so that no lag is measured
// for nobody.
func kafkaLag(tel *telemetry.Metrics) func(topic string, lag int64) {
	if tel == nil {
		return nil
	}
	return tel.ConsumerLag
}
