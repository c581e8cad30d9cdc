// Package config is Mari BI's configuration: every setting read from the environment, each
// written once in the tables of settings.go with its variable, its default, what it means and
// how its value is checked. The Go code takes its defaults from here; the README's tables are
// rendered from the same rows (readme_test.go), and a test holds the shell scripts' and the
// Makefile's defaults to them (scripts_test.go).
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"mari/calendar"
)

// Config is the whole configuration of the app (every `mari` command reads it). Defaults point
// at the private development databases that `make run` starts; secrets have no default.
type Config struct {
	ListenAddr         string        // MARI_LISTEN_ADDR
	MetricsAddr        string        // MARI_METRICS_ADDR: the Prometheus metrics' own listener; "" = off
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
	KafkaBrokers     string // MARI_KAFKA_BROKERS: comma-separated seed brokers; empty = no Kafka
	KafkaGroup       string // MARI_KAFKA_GROUP: the consumers' group
	IngestMaxBody    int    // MARI_INGEST_MAX_BODY: bytes one ingestion request may carry
	// MARI_API_RATE_LIMIT: requests per minute of an API key made without its own rate
	APIRatePerMinute int
	// The alerts (package alerts): MARI_ALERT_EVALUATE_EVERY, MARI_ALERT_BASE_URL,
	// MARI_ALERT_WEBHOOK_SECRET (a secret) and the SMTP relay of their emails (MARI_SMTP_*).
	AlertEvery         time.Duration
	AlertBaseURL       string
	AlertWebhookSecret string
	SMTPAddr           string
	SMTPFrom           string
	SMTPUsername       string
	SMTPPassword       string
}

// TestDatabases says where the tests make their databases (package dbtest).
type TestDatabases struct {
	PGAdminURL string // MARI_TEST_PG_ADMIN_URL: a superuser URL, to create and drop mari_test_*
	CHAddr     string // MARI_TEST_CH_ADDR
	KeepDB     bool   // MARI_TEST_KEEP_DB: keep each test's databases, for a look
}

// DevServers are the settings of the private database servers. scripts/dbctl.sh and the
// Makefile read them; the Go code only builds its default URLs from the same ports.
type DevServers struct {
	DataDir    string // MARI_DATA_DIR; empty = .data in the repository
	PGPort     int    // MARI_PG_PORT
	CHPort     int    // MARI_CH_PORT
	CHHTTPPort int    // MARI_CH_HTTP_PORT
}

// Setting is one environment variable.
type Setting[T any] struct {
	Name string
	// Default is the value used when the variable is unset or empty, written as one would set
	// it. It goes through the same check as a value from the environment.
	Default string
	// Shown is how the README shows the default when the value alone would not say enough;
	// empty means Default itself (or "(empty)").
	Shown string
	// Meaning is the README's description, in markdown.
	Meaning string
	// set checks value and stores it in the configuration. Its error says what was wanted; the
	// loader adds the variable's name (and, for a wantError, the default as an example).
	set func(into *T, value string) error
}

// Load reads the app's configuration from the environment. It fails on a malformed value,
// with a message naming the variable, instead of guessing.
func Load() (Config, error) { return load(appSettings, os.Getenv) }

// LoadTests reads where the tests' databases are.
func LoadTests() (TestDatabases, error) { return load(testSettings, os.Getenv) }

// LoadDevServers reads the private database servers' settings, as scripts/dbctl.sh would.
func LoadDevServers() (DevServers, error) { return load(devServerSettings, os.Getenv) }

// Default is the configuration with no variable set. Code that is handed a zero setting (a
// test's partial Config, a handler built without options) falls back to these values.
func Default() Config { return defaults() }

var defaults = sync.OnceValue(func() Config {
	c, err := load(appSettings, func(string) string { return "" })
	if err != nil {
		panic("config: a default does not pass its own check: " + err.Error())
	}
	return c
})

// load applies every setting in table order, so a check may rely on the settings above it
// (MARI_SESSION_LIFETIME on MARI_SESSION_IDLE).
func load[T any](settings []Setting[T], getenv func(string) string) (T, error) {
	var into T
	for _, s := range settings {
		v := getenv(s.Name)
		if v == "" {
			v = s.Default
		}
		if err := s.set(&into, v); err != nil {
			var want wantError
			if errors.As(err, &want) && s.Default != "" {
				return into, fmt.Errorf("%s: want %s, such as %s", s.Name, string(want), s.Default)
			}
			return into, fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	return into, nil
}

// wantError names what a malformed value should have been ("a duration of at least 1s").
type wantError string

func (w wantError) Error() string { return "want " + string(w) }

// The parsers below each read one kind of value into a field.

func text[T any](field func(*T) *string) func(*T, string) error {
	return func(into *T, v string) error {
		*field(into) = v
		return nil
	}
}

func boolean[T any](field func(*T) *bool) func(*T, string) error {
	return func(into *T, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		*field(into) = b
		return nil
	}
}

// duration accepts a Go duration from least to most (most 0: no upper bound).
func duration[T any](field func(*T) *time.Duration, least, most time.Duration) func(*T, string) error {
	want := wantError("a duration of at least " + shortDuration(least))
	switch {
	case most > 0:
		want = wantError("a duration from " + shortDuration(least) + " to " + shortDuration(most))
	case least == time.Nanosecond:
		want = "a positive duration"
	}
	return func(into *T, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < least || (most > 0 && d > most) {
			return want
		}
		*field(into) = d
		return nil
	}
}

func wholeNumber[T any](field func(*T) *int, least, most int) func(*T, string) error {
	want := wantError(fmt.Sprintf("a whole number from %d to %d", least, most))
	return func(into *T, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < least || n > most {
			return want
		}
		*field(into) = n
		return nil
	}
}

func month[T any](field func(*T) *calendar.Date) func(*T, string) error {
	return func(into *T, v string) error {
		if v == "" {
			*field(into) = calendar.Date{}
			return nil
		}
		m, err := calendar.ParseMonth(v)
		if err != nil {
			return err
		}
		*field(into) = m
		return nil
	}
}

// shortDuration writes a duration as one would type it: 1m rather than 1m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
