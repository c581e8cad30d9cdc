package config

import (
	"strings"
	"testing"
)

// MARI_METRICS_ADDR: an address to listen on, or off; anything else stops the app with a
// message naming the variable.
func TestMetricsAddr(t *testing.T) {
	for value, want := range map[string]string{
		"":               "127.0.0.1:9464", // unset: the default, loopback only
		"off":            "",
		"0.0.0.0:9464":   "0.0.0.0:9464",
		":9464":          ":9464",
		"[::1]:9100":     "[::1]:9100",
		"metrics:9464":   "metrics:9464",
		"127.0.0.1:0":    "127.0.0.1:0", // any free port (tests)
		"127.0.0.1:9464": "127.0.0.1:9464",
	} {
		c, err := load(appSettings, env(map[string]string{"MARI_METRICS_ADDR": value}))
		if err != nil || c.MetricsAddr != want {
			t.Errorf("MARI_METRICS_ADDR=%q: %q, %v; want %q", value, c.MetricsAddr, err, want)
		}
	}
	for _, bad := range []string{"9464", "OFF", "no", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:-1", "127.0.0.1:http", "a:b:c"} {
		_, err := load(appSettings, env(map[string]string{"MARI_METRICS_ADDR": bad}))
		if err == nil || !strings.Contains(err.Error(), "MARI_METRICS_ADDR") || !strings.Contains(err.Error(), "or off") {
			t.Errorf("MARI_METRICS_ADDR=%q: %v; want an error naming the variable and what it wants", bad, err)
		}
	}
}
