package config

import (
	"net"
	"strconv"
)

// MetricsOff is the MARI_METRICS_ADDR that serves no metrics.
const MetricsOff = "off"

// metricsAddr reads MARI_METRICS_ADDR: "off", or a host:port to listen on (an empty host is
// every interface, as in compose, where Prometheus scrapes the app over the compose network).
// Config.MetricsAddr is then "" for off.
func metricsAddr(c *Config, v string) error {
	if v == MetricsOff {
		c.MetricsAddr = ""
		return nil
	}
	_, port, err := net.SplitHostPort(v)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		return wantError("host:port (a port from 0 to 65535) or off")
	}
	c.MetricsAddr = v
	return nil
}
