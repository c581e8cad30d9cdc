package web

import (
	"strings"
	"testing"
	"time"
)

// The database time limits have their defaults, take a valid duration, and refuse a malformed
// or too small one with a message naming the variable.
func TestDatabaseLimitsConfig(t *testing.T) {
	c, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if c.PGStatementTimeout != 30*time.Second || c.PGIdleTxTimeout != time.Minute || c.RollupJobTimeout != 5*time.Minute {
		t.Errorf("defaults: statement %s, idle in transaction %s, rollup job %s; want 30s, 1m, 5m",
			c.PGStatementTimeout, c.PGIdleTxTimeout, c.RollupJobTimeout)
	}
	t.Setenv("MARI_PG_STATEMENT_TIMEOUT", "45s")
	t.Setenv("MARI_PG_IDLE_TX_TIMEOUT", "90s")
	t.Setenv("MARI_ROLLUP_JOB_TIMEOUT", "20m")
	if c, err = LoadConfig(); err != nil || c.PGStatementTimeout != 45*time.Second || c.PGIdleTxTimeout != 90*time.Second || c.RollupJobTimeout != 20*time.Minute {
		t.Errorf("set: %s, %s, %s (%v)", c.PGStatementTimeout, c.PGIdleTxTimeout, c.RollupJobTimeout, err)
	}
	for _, name := range []string{"MARI_PG_STATEMENT_TIMEOUT", "MARI_PG_IDLE_TX_TIMEOUT", "MARI_ROLLUP_JOB_TIMEOUT"} {
		for _, bad := range []string{"soon", "500ms", "-1m", "30"} {
			t.Run(name+"="+bad, func(t *testing.T) {
				t.Setenv(name, bad)
				if _, err := LoadConfig(); err == nil || !strings.HasPrefix(err.Error(), name+": ") {
					t.Errorf("%s=%s: %v; want an error naming %s", name, bad, err, name)
				}
			})
		}
	}
}
