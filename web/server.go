package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/selfmon"
	"mari/telemetry"
)

// Deps are the long-lived dependencies every handler may draw from.
type Deps struct {
	Config Config
	PG     *pgxpool.Pool
	CH     driver.Conn
	Log    *slog.Logger
	Now    func() time.Time // the clock; tests pin it
	// PasswordParams are the argon2id costs of new password hashes; nil = the defaults.
	// Tests lower them.
	PasswordParams *auth.HashParams
	// HashGate bounds concurrent password hashing; nil = one made from the configuration.
	// Tests pass their own to watch it.
	HashGate *auth.HashGate
	// RequestTimeout is each request's deadline; zero = requestTimeout. Tests shorten it.
	RequestTimeout time.Duration
	// IngestCommitted, when set, is called after an ingestion request stored events: serve
	// wakes the ClickHouse shipper with it.
	IngestCommitted func()
	// Landed counts the streamed rows written to ClickHouse (the shipper's); the operations
	// dashboard refreshes its shared results sooner when it moves.
	Landed func() uint64
	// Telemetry, when set, is where the server's metrics go (request times, panel timeouts,
	// ingested events); they are served on a listener of their own, never here. nil: none.
	Telemetry *telemetry.Metrics
	// Requests, when set, counts each request's server time for the data-quality page (package
	// selfmon; serve writes it to PostgreSQL once a minute). nil: not measured.
	Requests *selfmon.Recorder
}

// writeTimeout is how long the server gives a response; a handler still running then is cut
// off from its client. requestTimeout, a little shorter, is the deadline of every request's
// context: a handler still working when it passes has its statements cancelled and its
// transaction rolled back, so a request the client will never see answered writes nothing,
// and the seconds left are enough to send the error page that says so.
const (
	writeTimeout   = 30 * time.Second
	requestTimeout = writeTimeout - 5*time.Second
)

// withDeadline gives the request's context a deadline of limit. Registered innermost (inside
// the session middleware), so the session is read and saved, and an error page rendered,
// outside it. A handler that fails once the deadline has passed gets the 503 that says why.
func withDeadline(limit time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			outer := c.Request()
			ctx, cancel := context.WithTimeout(outer.Context(), limit)
			defer func() {
				c.SetRequest(outer) // the error page (of an error or a panic) renders without the deadline
				cancel()
			}()
			c.SetRequest(outer.WithContext(ctx))
			err := next(c)
			if err != nil && ctx.Err() != nil && outer.Context().Err() == nil {
				return echo.NewHTTPError(http.StatusServiceUnavailable, fmt.Sprintf(
					"This took longer than %s and was stopped; whatever it had not finished was not saved. Reload the page to see where things stand, then try again.",
					limit)).SetInternal(err)
			}
			return err
		}
	}
}

// NewServer assembles the echo instance: middleware and every page of the registry (pages.go).
func NewServer(d Deps) *echo.Echo {
	e, _ := newServer(d)
	return e
}

// newServer is NewServer, also returning the page registry the server was built from.
func newServer(d Deps) (*echo.Echo, *registry) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	// The client address feeds the sign-in rate limits and the audit log, so X-Forwarded-For
	// is believed only behind a proxy that sets it.
	e.IPExtractor = echo.ExtractIPDirect()
	if d.Config.BehindProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	var api http.Handler
	var apiDoc *huma.OpenAPI
	if d.PG != nil {
		var described huma.API
		api, described = newAPI(d)
		apiDoc = described.OpenAPI()
	}
	if d.Telemetry != nil {
		e.Pre(observeRequests(d.Telemetry, e)) // outermost: the machine routes below are timed too
	}
	e.Pre(selfmon.Measure(d.Requests)) // before the machine routes, so the API and ingestion are timed too
	e.Pre(serveMachineRoutes(machineRoutes(d, api), d))
	s := newSecurity(d)
	s.pages = newPages(d, s, apiDoc)
	registerMiddleware(e, d, s)
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = requestTimeout
	}
	e.Use(withDeadline(d.RequestTimeout)) // after every middleware registerMiddleware adds: innermost
	s.pages.register(e)
	return e, s.pages
}

// Serve runs the server until ctx is cancelled, then shuts down gracefully.
func Serve(ctx context.Context, e *echo.Echo, addr string) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           e,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := srv.Shutdown(shutdown)
		if e := <-errc; err == nil && !errors.Is(e, http.ErrServerClosed) {
			err = e
		}
		return err
	}
}
