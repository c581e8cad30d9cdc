package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"mari/config"
)

// freeAddr is a loopback address nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// The metrics listener answers GET /metrics with the exposition format and nothing else, and
// stops with its context.
func TestMetricsListenerServesOnlyMetrics(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tel, stop, err := startMetrics(ctx, config.Config{MetricsAddr: addr}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	tel.PanelTimedOut("revenue")

	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(string(body), "# TYPE mari_panel_timeouts_total counter") ||
		!strings.Contains(string(body), `mari_panel_timeouts_total{panel="revenue"} 1`) ||
		!strings.Contains(string(body), "go_goroutines") {
		t.Fatalf("GET /metrics: %s %s\n%.500s", res.Status, res.Header.Get("Content-Type"), body)
	}
	for method, target := range map[string]string{"GET": "/", "POST": "/metrics", "DELETE": "/metrics"} {
		req, _ := http.NewRequest(method, "http://"+addr+target, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %s, want 404 or 405", method, target, res.Status)
		}
	}

	cancel()
	stop()
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Error("the metrics listener still accepts connections after its context ended")
	}
}

// MARI_METRICS_ADDR=off: no listener and nil metrics, whose hooks count nothing.
func TestMetricsOff(t *testing.T) {
	tel, stop, err := startMetrics(context.Background(), config.Config{MetricsAddr: ""}, quiet())
	if err != nil || tel != nil {
		t.Fatalf("off: %v, %v", tel, err)
	}
	stop()
	if kafkaLag(tel) != nil {
		t.Error("with metrics off the consumer would still measure its lag")
	}
}

// An address already in use stops the command with a message naming the variable.
func TestMetricsAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, _, err = startMetrics(context.Background(), config.Config{MetricsAddr: ln.Addr().String()}, quiet())
	if err == nil || !strings.Contains(err.Error(), "MARI_METRICS_ADDR") || !strings.Contains(err.Error(), "off") {
		t.Fatalf("listening on a taken address: %v", err)
	}
}
