package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"
)

// Readiness: /healthz says the process is alive (it never touches a database, so a database
// outage does not get a healthy process restarted); /readyz says whether it can serve pages,
// which needs both PostgreSQL (sessions, accounts, rollups) and ClickHouse (the event panels).
// An orchestrator or load balancer polls it, possibly from many places at once, so it stays
// cheap: each database gets one short ping with its own time limit, concurrent calls share a
// single check, and a result is reused for a second.
const (
	readinessTimeout  = 2 * time.Second
	readinessCacheFor = time.Second
)

// readyReport is /readyz's body: one entry per dependency, "ok" or why not. The reasons name
// the kind of failure only, never an address, a user or a password.
type readyReport struct {
	Ready      bool   `json:"ready"`
	Postgres   string `json:"postgres"`
	ClickHouse string `json:"clickhouse"`
}

type readiness struct {
	pingPG, pingCH func(context.Context) error // nil when the dependency is not configured
	log            *slog.Logger
	timeout        time.Duration
	cacheFor       time.Duration

	group  singleflight.Group
	mu     sync.Mutex
	last   readyReport
	lastAt time.Time    // zero: nothing cached
	checks atomic.Int64 // checks actually run, for the tests
	// logged is the last report logged, so an outage is logged when it starts and ends, not
	// at every poll. Only check touches it, and the singleflight group runs one check at a time.
	logged readyReport
}

func newReadiness(d Deps) *readiness {
	r := &readiness{log: d.Log, timeout: readinessTimeout, cacheFor: readinessCacheFor}
	if r.log == nil {
		r.log = slog.Default()
	}
	if d.PG != nil {
		r.pingPG = d.PG.Ping
	}
	if d.CH != nil {
		r.pingCH = d.CH.Ping
	}
	return r
}

func (r *readiness) handle(c echo.Context) error {
	rep := r.report()
	c.Response().Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if !rep.Ready {
		status = http.StatusServiceUnavailable
	}
	return c.JSON(status, rep)
}

// report returns the cached result while it is fresh, and otherwise joins the check in flight
// or starts one. The check runs on its own context, not the caller's: it is shared, and one
// caller hanging up must not fail it for the others.
func (r *readiness) report() readyReport {
	r.mu.Lock()
	if !r.lastAt.IsZero() && time.Since(r.lastAt) < r.cacheFor {
		rep := r.last
		r.mu.Unlock()
		return rep
	}
	r.mu.Unlock()
	v, _, _ := r.group.Do("readyz", func() (any, error) {
		rep := r.check()
		r.mu.Lock()
		r.last, r.lastAt = rep, time.Now()
		r.mu.Unlock()
		return rep, nil
	})
	return v.(readyReport)
}

// check pings both databases at once, each within r.timeout.
func (r *readiness) check() readyReport {
	r.checks.Add(1)
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	var pgErr, chErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); pgErr = ping(ctx, r.pingPG) }()
	go func() { defer wg.Done(); chErr = ping(ctx, r.pingCH) }()
	wg.Wait()
	rep := readyReport{
		Ready:      pgErr == nil && chErr == nil,
		Postgres:   r.describe("PostgreSQL", pgErr),
		ClickHouse: r.describe("ClickHouse", chErr),
	}
	if rep != r.logged {
		r.logged = rep
		if rep.Ready {
			r.log.Info("readyz: ready")
		} else {
			r.log.Warn("readyz: not ready", "postgres", rep.Postgres, "clickhouse", rep.ClickHouse, "postgres_err", pgErr, "clickhouse_err", chErr)
		}
	}
	return rep
}

var errNotConfigured = errors.New("not configured")

func ping(ctx context.Context, f func(context.Context) error) error {
	if f == nil {
		return errNotConfigured
	}
	return f(ctx)
}

// describe says "ok" or "unavailable: <the kind of failure>". Driver errors carry host names,
// users and database names (pgx's connect errors do): those go to the log only.
func (r *readiness) describe(what string, err error) string {
	if err == nil {
		return "ok"
	}
	var pgErr *pgconn.PgError
	var chErr *clickhouse.Exception
	var netErr net.Error
	switch {
	case errors.Is(err, errNotConfigured):
		return "unavailable: not configured"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("unavailable: no answer within %s", r.timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "unavailable: connection refused"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "unavailable: connection closed by the server"
	case errors.As(err, &pgErr):
		return "unavailable: " + what + " error " + pgErr.Code
	case errors.As(err, &chErr):
		return fmt.Sprintf("unavailable: %s error %d", what, chErr.Code)
	}
	return "unavailable: cannot connect"
}
