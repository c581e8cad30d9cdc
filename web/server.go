package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"mari/auth"
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
}

// NewServer assembles the echo instance: middleware and every route (routes.go).
func NewServer(d Deps) *echo.Echo {
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
	s := newSecurity(d)
	registerMiddleware(e, d, s)
	registerRoutes(e, d, s)
	return e
}

// Serve runs the server until ctx is cancelled, then shuts down gracefully.
func Serve(ctx context.Context, e *echo.Echo, addr string) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           e,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
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
