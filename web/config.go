package web

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"mari/auth"
	"mari/calendar"
)

// Config is the whole configuration of the app, read from the environment only. Defaults
// point at the private development databases that `make run` starts; secrets have no default.
type Config struct {
	ListenAddr         string        // MARI_LISTEN_ADDR
	PostgresURL        string        // MARI_PG_URL (may carry the password; set it from a secret)
	ClickHouseAddr     string        // MARI_CH_ADDR, host:port of the native protocol
	ClickHouseDatabase string        // MARI_CH_DATABASE
	ClickHouseUser     string        // MARI_CH_USER
	ClickHousePassword string        // MARI_CH_PASSWORD
	LaunchMonth        calendar.Date // MARI_LAUNCH_MONTH (YYYY-MM); zero = month of the first signup
	Scheduler          bool          // MARI_ROLLUP_SCHEDULER: run rollups in-process
	RefreshInterval    time.Duration // MARI_ROLLUP_REFRESH: how often today's partial figures refresh
	PanelTimeout       time.Duration // MARI_PANEL_TIMEOUT: each dashboard panel's own time limit
	CookieSecure       bool          // MARI_COOKIE_SECURE: session and CSRF cookies only over HTTPS
	SessionIdle        time.Duration // MARI_SESSION_IDLE: a session unused this long ends
	SessionLifetime    time.Duration // MARI_SESSION_LIFETIME: a session ends this long after sign-in, used or not
	BehindProxy        bool          // MARI_BEHIND_PROXY: take the client address from X-Forwarded-For
	// MARI_PASSWORD_HASH_CONCURRENCY: password hashes computed at once (64 MiB each)
	PasswordHashConcurrency int
	// MARI_PASSWORD_HASH_WAIT: how long a sign-in waits for a hashing turn before a 503
	PasswordHashWait time.Duration
	// MARI_PG_STATEMENT_TIMEOUT: PostgreSQL cancels a statement of `serve` (requests) or `admin`
	// running longer; migrate, demo and rollup backfill run without one
	PGStatementTimeout time.Duration
	// MARI_PG_IDLE_TX_TIMEOUT: PostgreSQL ends a `serve` or `admin` session left this long inside
	// an open transaction, releasing its locks
	PGIdleTxTimeout time.Duration
	// MARI_ROLLUP_JOB_TIMEOUT: deadline of each rollup job run of the scheduler in `serve`
	// (and the statement_timeout of its connections)
	RollupJobTimeout time.Duration
}

// LoadConfig reads the environment. It fails on malformed values instead of guessing.
func LoadConfig() (Config, error) {
	c := Config{
		ListenAddr:         env("MARI_LISTEN_ADDR", ":8080"),
		PostgresURL:        env("MARI_PG_URL", "postgres://mari@127.0.0.1:55432/mari?sslmode=disable"),
		ClickHouseAddr:     env("MARI_CH_ADDR", "127.0.0.1:59000"),
		ClickHouseDatabase: env("MARI_CH_DATABASE", "mari"),
		ClickHouseUser:     env("MARI_CH_USER", "default"),
		ClickHousePassword: os.Getenv("MARI_CH_PASSWORD"),
	}
	var err error
	if v := os.Getenv("MARI_LAUNCH_MONTH"); v != "" {
		if c.LaunchMonth, err = calendar.ParseMonth(v); err != nil {
			return c, fmt.Errorf("MARI_LAUNCH_MONTH: %w", err)
		}
	}
	if c.Scheduler, err = strconv.ParseBool(env("MARI_ROLLUP_SCHEDULER", "true")); err != nil {
		return c, fmt.Errorf("MARI_ROLLUP_SCHEDULER: %w", err)
	}
	if c.RefreshInterval, err = time.ParseDuration(env("MARI_ROLLUP_REFRESH", "5m")); err != nil || c.RefreshInterval < time.Second {
		return c, fmt.Errorf("MARI_ROLLUP_REFRESH: want a duration of at least 1s, such as 5m")
	}
	if c.PanelTimeout, err = time.ParseDuration(env("MARI_PANEL_TIMEOUT", "3s")); err != nil || c.PanelTimeout <= 0 {
		return c, fmt.Errorf("MARI_PANEL_TIMEOUT: want a positive duration, such as 3s")
	}
	if c.CookieSecure, err = strconv.ParseBool(env("MARI_COOKIE_SECURE", "false")); err != nil {
		return c, fmt.Errorf("MARI_COOKIE_SECURE: want true or false")
	}
	if c.BehindProxy, err = strconv.ParseBool(env("MARI_BEHIND_PROXY", "false")); err != nil {
		return c, fmt.Errorf("MARI_BEHIND_PROXY: want true or false")
	}
	if c.PasswordHashConcurrency, err = strconv.Atoi(env("MARI_PASSWORD_HASH_CONCURRENCY", strconv.Itoa(auth.DefaultHashConcurrency))); err != nil ||
		c.PasswordHashConcurrency < 1 || c.PasswordHashConcurrency > 64 {
		return c, fmt.Errorf("MARI_PASSWORD_HASH_CONCURRENCY: want a whole number from 1 to 64, such as 2")
	}
	if c.PasswordHashWait, err = time.ParseDuration(env("MARI_PASSWORD_HASH_WAIT", auth.DefaultHashWait.String())); err != nil ||
		c.PasswordHashWait <= 0 || c.PasswordHashWait > time.Minute {
		return c, fmt.Errorf("MARI_PASSWORD_HASH_WAIT: want a duration from 1ms to 1m, such as 2s")
	}
	if c.SessionIdle, err = time.ParseDuration(env("MARI_SESSION_IDLE", "2h")); err != nil || c.SessionIdle < time.Minute {
		return c, fmt.Errorf("MARI_SESSION_IDLE: want a duration of at least 1m, such as 2h")
	}
	if c.SessionLifetime, err = time.ParseDuration(env("MARI_SESSION_LIFETIME", "12h")); err != nil || c.SessionLifetime < c.SessionIdle {
		return c, fmt.Errorf("MARI_SESSION_LIFETIME: want a duration no shorter than MARI_SESSION_IDLE, such as 12h")
	}
	if c.PGStatementTimeout, err = time.ParseDuration(env("MARI_PG_STATEMENT_TIMEOUT", "30s")); err != nil || c.PGStatementTimeout < time.Second {
		return c, fmt.Errorf("MARI_PG_STATEMENT_TIMEOUT: want a duration of at least 1s, such as 30s")
	}
	if c.PGIdleTxTimeout, err = time.ParseDuration(env("MARI_PG_IDLE_TX_TIMEOUT", "1m")); err != nil || c.PGIdleTxTimeout < time.Second {
		return c, fmt.Errorf("MARI_PG_IDLE_TX_TIMEOUT: want a duration of at least 1s, such as 1m")
	}
	if c.RollupJobTimeout, err = time.ParseDuration(env("MARI_ROLLUP_JOB_TIMEOUT", "5m")); err != nil || c.RollupJobTimeout < time.Second {
		return c, fmt.Errorf("MARI_ROLLUP_JOB_TIMEOUT: want a duration of at least 1s, such as 5m")
	}
	return c, nil
}

func env(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
