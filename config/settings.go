package config

import (
	"time"

	"mari/calendar"
)

// The private development servers' ports. scripts/dbctl.sh starts PostgreSQL and ClickHouse on
// them, and the app's and the tests' default addresses below are built from them, so each port
// is written here once (scripts_test.go holds the scripts and the Makefile to them).
const (
	devPGPort     = "55432"
	devCHPort     = "59000"
	devCHHTTPPort = "58123"
)

// appSettings are the variables every `mari` command reads, in the README's order.
var appSettings = []Setting[Config]{
	{Name: "MARI_LISTEN_ADDR", Default: ":8080",
		Meaning: "address the server listens on",
		set:     text(func(c *Config) *string { return &c.ListenAddr })},
	{Name: "MARI_METRICS_ADDR", Default: "127.0.0.1:9464",
		Meaning: "address of the Prometheus metrics (`GET /metrics`) of `mari serve` and `mari ingest`, on a listener of its own, " +
			"never the app's port (see \"Metrics for Grafana\"); `off` serves none",
		set: metricsAddr},
	{Name: "MARI_PG_URL", Default: "postgres://mari@127.0.0.1:" + devPGPort + "/mari?sslmode=disable",
		Meaning: "PostgreSQL connection URL; in deployment it carries the password, so set it from a secret",
		set:     text(func(c *Config) *string { return &c.PostgresURL })},
	{Name: "MARI_PG_STATEMENT_TIMEOUT", Default: "30s",
		Meaning: "PostgreSQL cancels any statement of `serve`'s requests (and of `mari admin`) that runs longer (at least `1s`); " +
			"`migrate`, `demo` and `rollup backfill` run without a limit, as their long statements are the point",
		set: duration(func(c *Config) *time.Duration { return &c.PGStatementTimeout }, time.Second, 0)},
	{Name: "MARI_PG_IDLE_TX_TIMEOUT", Default: "1m",
		Meaning: "PostgreSQL ends a `serve` or `admin` session left this long inside an open transaction, releasing its locks " +
			"(at least `1s`; the batch commands use 10 minutes)",
		set: duration(func(c *Config) *time.Duration { return &c.PGIdleTxTimeout }, time.Second, 0)},
	{Name: "MARI_CH_ADDR", Default: "127.0.0.1:" + devCHPort,
		Meaning: "ClickHouse `host:port` of the native protocol (not HTTP)",
		set:     text(func(c *Config) *string { return &c.ClickHouseAddr })},
	{Name: "MARI_CH_DATABASE", Default: "mari",
		Meaning: "ClickHouse database",
		set:     text(func(c *Config) *string { return &c.ClickHouseDatabase })},
	{Name: "MARI_CH_USER", Default: "default",
		Meaning: "ClickHouse user",
		set:     text(func(c *Config) *string { return &c.ClickHouseUser })},
	{Name: "MARI_CH_PASSWORD",
		Meaning: "ClickHouse password",
		set:     text(func(c *Config) *string { return &c.ClickHousePassword })},
	{Name: "MARI_LAUNCH_MONTH", Shown: "(empty: the month of the first signup)",
		Meaning: `launch month, ` + "`YYYY-MM`" + `, for "since launch" figures`,
		set:     month(func(c *Config) *calendar.Date { return &c.LaunchMonth })},
	{Name: "MARI_ROLLUP_SCHEDULER", Default: "true",
		Meaning: "run the rollup jobs inside `mari serve`",
		set:     boolean(func(c *Config) *bool { return &c.Scheduler })},
	{Name: "MARI_ROLLUP_REFRESH", Default: "5m",
		Meaning: "how often today's partial figures are recomputed (at least `1s`)",
		set:     duration(func(c *Config) *time.Duration { return &c.RefreshInterval }, time.Second, 0)},
	{Name: "MARI_ROLLUP_JOB_TIMEOUT", Default: "5m",
		Meaning: "deadline of each rollup job run (one job, one day or month) of the scheduler in `serve`, and the statement limit " +
			`of its connections; a round of the scheduler as a whole gets one lease period (see "Several instances" below) (at least ` + "`1s`)",
		set: duration(func(c *Config) *time.Duration { return &c.RollupJobTimeout }, time.Second, 0)},
	{Name: "MARI_PANEL_TIMEOUT", Default: "3s",
		Meaning: `each dashboard panel's own time limit; a slow panel says "unavailable", the rest of the page still shows`,
		set:     duration(func(c *Config) *time.Duration { return &c.PanelTimeout }, time.Nanosecond, 0)},
	{Name: "MARI_COOKIE_SECURE", Default: "false",
		Meaning: "mark the session cookie `Secure` (HTTPS only); `false` suits local http, set `true` behind HTTPS (docker-compose does)",
		set:     boolean(func(c *Config) *bool { return &c.CookieSecure })},
	{Name: "MARI_SESSION_IDLE", Default: "2h",
		Meaning: "a session unused this long ends (at least `1m`)",
		set:     duration(func(c *Config) *time.Duration { return &c.SessionIdle }, time.Minute, 0)},
	{Name: "MARI_SESSION_LIFETIME", Default: "12h",
		Meaning: "a session ends this long after sign-in however much it is used (at least `MARI_SESSION_IDLE`)",
		set:     sessionLifetime},
	{Name: "MARI_BEHIND_PROXY", Default: "false",
		Meaning: "take the client address from `X-Forwarded-For` (only behind a proxy that sets it; the sign-in rate limits and the audit log use the address)",
		set:     boolean(func(c *Config) *bool { return &c.BehindProxy })},
	{Name: "MARI_PASSWORD_HASH_CONCURRENCY", Default: "2",
		Meaning: "password hashes (argon2id, 64 MiB each) computed at once, 1 to 64; more sign-ins wait their turn",
		set:     wholeNumber(func(c *Config) *int { return &c.PasswordHashConcurrency }, 1, 64)},
	{Name: "MARI_PASSWORD_HASH_WAIT", Default: "2s",
		Meaning: "how long a sign-in waits for a hashing turn before it answers 503 with `Retry-After` (`1ms` to `1m`)",
		set:     duration(func(c *Config) *time.Duration { return &c.PasswordHashWait }, time.Millisecond, time.Minute)},
	{Name: "MARI_KAFKA_BROKERS", Shown: "(empty: no Kafka; events arrive over HTTP only)",
		Meaning: "comma-separated Kafka `host:port` seed brokers; when set, `mari serve` also consumes the three event topics (as `mari ingest` does alone)",
		set:     text(func(c *Config) *string { return &c.KafkaBrokers })},
	{Name: "MARI_KAFKA_GROUP", Default: "mari-bi",
		Meaning: "Kafka consumer group of the event consumers; every instance in it shares the partitions",
		set:     text(func(c *Config) *string { return &c.KafkaGroup })},
	{Name: "MARI_INGEST_MAX_BODY", Default: "8388608",
		Meaning: "largest body, in bytes, `POST /ingest/v1/{topic}` reads; a larger one gets 413 (64 KiB to 256 MiB)",
		set:     wholeNumber(func(c *Config) *int { return &c.IngestMaxBody }, 64<<10, 256<<20)},
	{Name: "MARI_API_RATE_LIMIT", Default: "120",
		Meaning: "rate limit, in requests per minute, given to a new key of the JSON API (`/api/v1`) made without its own (1 to 10000); " +
			"each key keeps its rate, counted in PostgreSQL so that every instance shares it",
		set: wholeNumber(func(c *Config) *int { return &c.APIRatePerMinute }, 1, 10000)},
	{Name: "MARI_ALERT_EVALUATE_EVERY", Default: "30s",
		Meaning: "how often `mari serve` evaluates the alert rules (`/alerts`; one instance at a time, under a lease) (`1s` to `1h`)",
		set:     duration(func(c *Config) *time.Duration { return &c.AlertEvery }, time.Second, time.Hour)},
	{Name: "MARI_ALERT_BASE_URL", Default: "http://localhost:8080",
		Meaning: "the address people open Mari BI at, for the links in alert notifications (`generatorURL`, the email's link); http or https",
		set:     alertBaseURL},
	{Name: "MARI_ALERT_WEBHOOK_SECRET",
		Meaning: "key of the alert webhooks' signature (HMAC-SHA256 of the body, header `X-Mari-Signature: sha256=<hex>`), at least 16 characters; " +
			"a secret, with no default: without it no alert rule can have a webhook",
		set: alertWebhookSecret},
	{Name: "MARI_SMTP_ADDR", Shown: "(empty: no email)",
		Meaning: "`host:port` of the SMTP relay that alert emails go through (with STARTTLS when it offers it); without it no alert rule can email",
		set:     smtpAddr},
	{Name: "MARI_SMTP_FROM",
		Meaning: "sender address of the alert emails; required with `MARI_SMTP_ADDR`",
		set:     smtpFrom},
	{Name: "MARI_SMTP_USERNAME", Shown: "(empty: no sign-in)",
		Meaning: "user name at the SMTP relay",
		set:     text(func(c *Config) *string { return &c.SMTPUsername })},
	{Name: "MARI_SMTP_PASSWORD",
		Meaning: "password at the SMTP relay (a secret; sent only over TLS, or to a relay on this host)",
		set:     text(func(c *Config) *string { return &c.SMTPPassword })},
}

// sessionLifetime must not be shorter than the idle timeout read just above it: a session
// would otherwise end by its lifetime while still in use, before it could ever go idle.
func sessionLifetime(c *Config, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < c.SessionIdle {
		return wantError("a duration no shorter than MARI_SESSION_IDLE")
	}
	c.SessionLifetime = d
	return nil
}

// testSettings are read by package dbtest.
var testSettings = []Setting[TestDatabases]{
	{Name: "MARI_TEST_PG_ADMIN_URL", Default: "postgres://postgres@127.0.0.1:" + devPGPort + "/postgres?sslmode=disable",
		Meaning: "PostgreSQL superuser URL used to create and drop `mari_test_*` databases",
		set:     text(func(t *TestDatabases) *string { return &t.PGAdminURL })},
	{Name: "MARI_TEST_CH_ADDR", Default: "127.0.0.1:" + devCHPort,
		Meaning: "ClickHouse `host:port` for the test databases",
		set:     text(func(t *TestDatabases) *string { return &t.CHAddr })},
	{Name: "MARI_TEST_KEEP_DB",
		Meaning: "set to anything to keep each test's databases after it ends, for a look",
		set: func(t *TestDatabases, v string) error {
			t.KeepDB = v != ""
			return nil
		}},
}

// devServerSettings are read by scripts/dbctl.sh (and the ports by the Makefile).
var devServerSettings = []Setting[DevServers]{
	{Name: "MARI_DATA_DIR", Shown: "`.data` in the repository",
		Meaning: "where the private PostgreSQL and ClickHouse keep their data (see below for a private checkout)",
		set:     text(func(s *DevServers) *string { return &s.DataDir })},
	{Name: "MARI_PG_PORT", Default: devPGPort,
		Meaning: "PostgreSQL port on 127.0.0.1",
		set:     wholeNumber(func(s *DevServers) *int { return &s.PGPort }, 1, 65535)},
	{Name: "MARI_CH_PORT", Default: devCHPort,
		Meaning: "ClickHouse native-protocol port on 127.0.0.1",
		set:     wholeNumber(func(s *DevServers) *int { return &s.CHPort }, 1, 65535)},
	{Name: "MARI_CH_HTTP_PORT", Default: devCHHTTPPort,
		Meaning: "ClickHouse HTTP port on 127.0.0.1 (the app does not use it)",
		set:     wholeNumber(func(s *DevServers) *int { return &s.CHHTTPPort }, 1, 65535)},
}
