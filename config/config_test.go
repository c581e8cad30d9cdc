package config

import (
	"strings"
	"testing"
	"time"

	"mari/calendar"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// With nothing set, every setting takes its default, each as the README shows it.
func TestDefaults(t *testing.T) {
	c, err := load(appSettings, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		ListenAddr:              ":8080",
		MetricsAddr:             "127.0.0.1:9464",
		PostgresURL:             "postgres://mari@127.0.0.1:55432/mari?sslmode=disable",
		ClickHouseAddr:          "127.0.0.1:59000",
		ClickHouseDatabase:      "mari",
		ClickHouseUser:          "default",
		Scheduler:               true,
		RefreshInterval:         5 * time.Minute,
		PanelTimeout:            3 * time.Second,
		SessionIdle:             2 * time.Hour,
		SessionLifetime:         12 * time.Hour,
		PasswordHashConcurrency: 2,
		PasswordHashWait:        2 * time.Second,
		PGStatementTimeout:      30 * time.Second,
		PGIdleTxTimeout:         time.Minute,
		RollupJobTimeout:        5 * time.Minute,
		KafkaGroup:              "mari-bi",
		IngestMaxBody:           8 << 20,
		APIRatePerMinute:        120,
		AlertEvery:              30 * time.Second,
		AlertBaseURL:            "http://localhost:8080",
	}
	if c != want {
		t.Errorf("defaults:\n got %+v\nwant %+v", c, want)
	}
	if Default() != want {
		t.Errorf("Default() = %+v", Default())
	}
	tests, err := load(testSettings, env(nil))
	if err != nil || tests != (TestDatabases{PGAdminURL: "postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable", CHAddr: "127.0.0.1:59000"}) {
		t.Errorf("test defaults: %+v (%v)", tests, err)
	}
	servers, err := load(devServerSettings, env(nil))
	if err != nil || servers != (DevServers{PGPort: 55432, CHPort: 59000, CHHTTPPort: 58123}) {
		t.Errorf("dev server defaults: %+v (%v)", servers, err)
	}
}

// A value from the environment replaces the default; an empty one is the same as none.
func TestValuesFromTheEnvironment(t *testing.T) {
	c, err := load(appSettings, env(map[string]string{
		"MARI_LISTEN_ADDR": "127.0.0.1:9999", "MARI_CH_PASSWORD": "s3cret", "MARI_LAUNCH_MONTH": "2024-03",
		"MARI_ROLLUP_SCHEDULER": "false", "MARI_COOKIE_SECURE": "true", "MARI_BEHIND_PROXY": "1",
		"MARI_PANEL_TIMEOUT": "750ms", "MARI_SESSION_IDLE": "30m", "MARI_SESSION_LIFETIME": "30m",
		"MARI_PASSWORD_HASH_CONCURRENCY": "64", "MARI_PASSWORD_HASH_WAIT": "1m",
		"MARI_PG_STATEMENT_TIMEOUT": "45s", "MARI_PG_IDLE_TX_TIMEOUT": "90s", "MARI_ROLLUP_JOB_TIMEOUT": "20m",
		"MARI_CH_USER": "", "MARI_API_RATE_LIMIT": "600",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ListenAddr != "127.0.0.1:9999" || c.ClickHousePassword != "s3cret" || c.LaunchMonth != calendar.NewDate(2024, 3, 1) ||
		c.Scheduler || !c.CookieSecure || !c.BehindProxy || c.PanelTimeout != 750*time.Millisecond ||
		c.SessionIdle != 30*time.Minute || c.SessionLifetime != 30*time.Minute ||
		c.PasswordHashConcurrency != 64 || c.PasswordHashWait != time.Minute ||
		c.PGStatementTimeout != 45*time.Second || c.PGIdleTxTimeout != 90*time.Second || c.RollupJobTimeout != 20*time.Minute ||
		c.ClickHouseUser != "default" || c.APIRatePerMinute != 600 {
		t.Errorf("%+v", c)
	}
	tests, err := load(testSettings, env(map[string]string{"MARI_TEST_KEEP_DB": "yes", "MARI_TEST_CH_ADDR": "db:9000"}))
	if err != nil || !tests.KeepDB || tests.CHAddr != "db:9000" {
		t.Errorf("tests: %+v (%v)", tests, err)
	}
}

// A malformed value stops the app with a message that names the variable and says what it
// wants, with the default as an example.
func TestMalformedValuesNameTheVariable(t *testing.T) {
	for _, c := range []struct{ name, value, message string }{
		{"MARI_LAUNCH_MONTH", "March", `MARI_LAUNCH_MONTH: "March" is not a month of the form YYYY-MM`},
		{"MARI_LAUNCH_MONTH", "1999-12", "MARI_LAUNCH_MONTH: 1999-12-01 is outside the dates Mari BI works with"},
		{"MARI_ROLLUP_SCHEDULER", "yes", "MARI_ROLLUP_SCHEDULER: want true or false"},
		{"MARI_ROLLUP_REFRESH", "500ms", "MARI_ROLLUP_REFRESH: want a duration of at least 1s, such as 5m"},
		{"MARI_ROLLUP_JOB_TIMEOUT", "soon", "MARI_ROLLUP_JOB_TIMEOUT: want a duration of at least 1s, such as 5m"},
		{"MARI_PANEL_TIMEOUT", "0s", "MARI_PANEL_TIMEOUT: want a positive duration, such as 3s"},
		{"MARI_PANEL_TIMEOUT", "3", "MARI_PANEL_TIMEOUT: want a positive duration, such as 3s"},
		{"MARI_COOKIE_SECURE", "on", "MARI_COOKIE_SECURE: want true or false"},
		{"MARI_BEHIND_PROXY", "maybe", "MARI_BEHIND_PROXY: want true or false"},
		{"MARI_SESSION_IDLE", "59s", "MARI_SESSION_IDLE: want a duration of at least 1m, such as 2h"},
		{"MARI_SESSION_LIFETIME", "1h", "MARI_SESSION_LIFETIME: want a duration no shorter than MARI_SESSION_IDLE, such as 12h"},
		{"MARI_PASSWORD_HASH_CONCURRENCY", "0", "MARI_PASSWORD_HASH_CONCURRENCY: want a whole number from 1 to 64, such as 2"},
		{"MARI_PASSWORD_HASH_CONCURRENCY", "65", "MARI_PASSWORD_HASH_CONCURRENCY: want a whole number from 1 to 64, such as 2"},
		{"MARI_PASSWORD_HASH_WAIT", "2m", "MARI_PASSWORD_HASH_WAIT: want a duration from 1ms to 1m, such as 2s"},
		{"MARI_PASSWORD_HASH_WAIT", "-1s", "MARI_PASSWORD_HASH_WAIT: want a duration from 1ms to 1m, such as 2s"},
		{"MARI_PG_STATEMENT_TIMEOUT", "500ms", "MARI_PG_STATEMENT_TIMEOUT: want a duration of at least 1s, such as 30s"},
		{"MARI_PG_STATEMENT_TIMEOUT", "-1m", "MARI_PG_STATEMENT_TIMEOUT: want a duration of at least 1s, such as 30s"},
		{"MARI_PG_IDLE_TX_TIMEOUT", "30", "MARI_PG_IDLE_TX_TIMEOUT: want a duration of at least 1s, such as 1m"},
		{"MARI_API_RATE_LIMIT", "0", "MARI_API_RATE_LIMIT: want a whole number from 1 to 10000, such as 120"},
		{"MARI_API_RATE_LIMIT", "10001", "MARI_API_RATE_LIMIT: want a whole number from 1 to 10000, such as 120"},
		{"MARI_API_RATE_LIMIT", "60/min", "MARI_API_RATE_LIMIT: want a whole number from 1 to 10000, such as 120"},
	} {
		_, err := load(appSettings, env(map[string]string{c.name: c.value}))
		if err == nil || !strings.HasPrefix(err.Error(), c.message) {
			t.Errorf("%s=%q: %v; want %q", c.name, c.value, err, c.message)
		}
	}
	// The database time limits refuse anything that is not a duration of at least a second.
	for _, name := range []string{"MARI_PG_STATEMENT_TIMEOUT", "MARI_PG_IDLE_TX_TIMEOUT", "MARI_ROLLUP_JOB_TIMEOUT"} {
		for _, bad := range []string{"soon", "500ms", "-1m", "30"} {
			if _, err := load(appSettings, env(map[string]string{name: bad})); err == nil || !strings.HasPrefix(err.Error(), name+": want a duration of at least 1s") {
				t.Errorf("%s=%s: %v; want an error naming %s", name, bad, err, name)
			}
		}
	}
	if _, err := load(devServerSettings, env(map[string]string{"MARI_PG_PORT": "70000"})); err == nil ||
		err.Error() != "MARI_PG_PORT: want a whole number from 1 to 65535, such as 55432" {
		t.Errorf("MARI_PG_PORT=70000: %v", err)
	}
}

// Load reads the process's environment.
func TestLoadReadsTheEnvironment(t *testing.T) {
	t.Setenv("MARI_PG_STATEMENT_TIMEOUT", "45s")
	t.Setenv("MARI_TEST_KEEP_DB", "1")
	t.Setenv("MARI_CH_HTTP_PORT", "18123")
	if c, err := Load(); err != nil || c.PGStatementTimeout != 45*time.Second {
		t.Errorf("Load: %s (%v)", c.PGStatementTimeout, err)
	}
	if tests, err := LoadTests(); err != nil || !tests.KeepDB {
		t.Errorf("LoadTests: %+v (%v)", tests, err)
	}
	if s, err := LoadDevServers(); err != nil || s.CHHTTPPort != 18123 {
		t.Errorf("LoadDevServers: %+v (%v)", s, err)
	}
	t.Setenv("MARI_SESSION_IDLE", "forever")
	if _, err := Load(); err == nil || !strings.HasPrefix(err.Error(), "MARI_SESSION_IDLE: ") {
		t.Errorf("Load with a malformed MARI_SESSION_IDLE: %v", err)
	}
}

// Every setting is listed once, has a description, and its default passes its own check (an
// empty default is "not set").
func TestEverySettingIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, name := range settingNames() {
		if seen[name] || !strings.HasPrefix(name, "MARI_") {
			t.Errorf("setting %q: listed twice or not a MARI_ variable", name)
		}
		seen[name] = true
	}
	check := func(name, meaning string, hasSet bool) {
		if strings.TrimSpace(meaning) == "" || !hasSet {
			t.Errorf("%s: no description or no parser", name)
		}
	}
	for _, s := range appSettings {
		check(s.Name, s.Meaning, s.set != nil)
	}
	for _, s := range testSettings {
		check(s.Name, s.Meaning, s.set != nil)
	}
	for _, s := range devServerSettings {
		check(s.Name, s.Meaning, s.set != nil)
	}
}
