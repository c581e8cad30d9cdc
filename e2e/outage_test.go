package e2e

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"mari/dbconn"
	"mari/dbtest"
	"mari/migrations"
	"mari/web"
)

// TestClickHouseOutageAndRecovery stops a real ClickHouse server under a running app, sees
// the ClickHouse panel turn "unavailable" while the PostgreSQL panels still render, starts
// the server again and sees the panel come back without restarting the app. The server is a
// throwaway instance of its own (own port, own data folder) so that the other tests, which
// share the main test server, are not disturbed.
func TestClickHouseOutageAndRecovery(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	dbctl := filepath.Join(filepath.Dir(file), "..", "scripts", "dbctl.sh")
	env := append(os.Environ(), "MARI_DATA_DIR="+t.TempDir(),
		"MARI_CH_PORT="+strconv.Itoa(freePort(t)), "MARI_CH_HTTP_PORT="+strconv.Itoa(freePort(t)))
	var chAddr string
	for _, kv := range env {
		if p, ok := strings.CutPrefix(kv, "MARI_CH_PORT="); ok {
			chAddr = "127.0.0.1:" + p
		}
	}
	run := func(cmd string) {
		t.Helper()
		// Output goes to a file, not a pipe: the server dbctl starts in the background must
		// not keep this test waiting for the pipe to close.
		out, err := os.CreateTemp(t.TempDir(), "dbctl-*.log")
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		c := exec.CommandContext(ctx, dbctl, cmd)
		c.Env, c.Stdout, c.Stderr = env, out, out
		if err := c.Run(); err != nil {
			log, _ := os.ReadFile(out.Name())
			t.Fatalf("dbctl %s: %v\n%s", cmd, err, log)
		}
	}
	run("start-clickhouse")
	t.Cleanup(func() { run("stop-clickhouse") })

	ctx := context.Background()
	ch, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{Addr: chAddr, Database: "default", User: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.Close() })
	if err := migrations.ClickHouse(ctx, ch); err != nil {
		t.Fatal(err)
	}
	// Three transactions initiated a minute ago: the live tile reads "3 initiated".
	batch, err := ch.PrepareBatch(ctx, `INSERT INTO transaction_events (event_id, transaction_id, user_id,
		event_type, timestamp, amount, currency, bank_id, device_type, channel, processing_time_ms,
		sentinel_score, failure_reason, error_code)`)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Minute)
	for i := 0; i < 3; i++ {
		if err := batch.Append(uuid.New(), uuid.New(), uuid.New(), "initiated", at,
			decimal.RequireFromString("10.00"), "ZAR", "BANKA", "android", "online", uint32(0), float32(0), "", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}

	db := dbtest.New(t)
	srv := httptest.NewServer(web.NewServer(web.Deps{
		Config: web.Config{PanelTimeout: 2 * time.Second}, PG: db.PG, CH: ch,
	}))
	t.Cleanup(srv.Close)
	client := SignedInClient(t, srv.URL, db.PG, "executive")
	page := func() string {
		t.Helper()
		res, err := client.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /: %d\n%s", res.StatusCode, body)
		}
		return string(body)
	}

	up := page()
	if !strings.Contains(up, "3 initiated") || strings.Contains(up, "unavailable —") {
		t.Fatalf("with ClickHouse up: want the live tile to say 3 initiated and no panel unavailable")
	}

	run("stop-clickhouse")
	down := page()
	if n := strings.Count(down, "unavailable — ClickHouse is unreachable"); n != 1 {
		t.Errorf("with ClickHouse stopped: %d panels say ClickHouse is unreachable; want exactly the live tile", n)
	}
	if strings.Contains(down, "unavailable — PostgreSQL") || !strings.Contains(down, "Total users") ||
		!strings.Contains(down, `data-echarts="chart-revenue"`) {
		t.Errorf("with ClickHouse stopped, the PostgreSQL panels should still render")
	}

	run("start-clickhouse")
	// No restart of the app: the next requests find the server again. Allow a few attempts
	// for connections the pool still held from before the outage.
	deadline := time.Now().Add(15 * time.Second)
	for attempt := 1; ; attempt++ {
		body := page()
		if strings.Contains(body, "3 initiated") && !strings.Contains(body, "unavailable —") {
			t.Logf("recovered on request %d after the restart", attempt)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ClickHouse is back but the live tile did not recover within 15s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
