package telemetry

import (
	"sort"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// WatchPool exports the statistics of a PostgreSQL connection pool under the label pool=name
// ("app" for requests, "rollup" for the scheduler's own pool). They are read from the pool at
// each scrape, so they cost nothing in between.
func (m *Metrics) WatchPool(name string, pool *pgxpool.Pool) {
	if m == nil || pool == nil {
		return
	}
	m.pools.mu.Lock()
	defer m.pools.mu.Unlock()
	m.pools.pools[name] = pool
}

// poolCollector reads pgxpool.Pool.Stat() of every watched pool when scraped.
type poolCollector struct {
	mu    sync.Mutex
	pools map[string]*pgxpool.Pool

	total, idle, acquired, max          *prometheus.Desc
	acquires, acquireWait, emptyAcquire *prometheus.Desc
}

func newPoolCollector() *poolCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"pool"}, nil)
	}
	return &poolCollector{
		pools:    map[string]*pgxpool.Pool{},
		total:    desc("mari_pg_pool_total_conns", "PostgreSQL connections the pool holds now (idle, in use and being opened)."),
		idle:     desc("mari_pg_pool_idle_conns", "PostgreSQL connections of the pool idle now."),
		acquired: desc("mari_pg_pool_acquired_conns", "PostgreSQL connections of the pool in use now."),
		max:      desc("mari_pg_pool_max_conns", "Most PostgreSQL connections the pool may hold."),
		acquires: desc("mari_pg_pool_acquires_total", "Connections acquired from the pool successfully."),
		acquireWait: desc("mari_pg_pool_acquire_wait_seconds_total",
			"Time spent acquiring connections from the pool, summed over successful acquires; its rate against mari_pg_pool_acquires_total is the average wait."),
		emptyAcquire: desc("mari_pg_pool_empty_acquires_total",
			"Successful acquires that had to wait for a connection because none was idle: a pool too small for its load."),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.total, c.idle, c.acquired, c.max, c.acquires, c.acquireWait, c.emptyAcquire} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	names := make([]string, 0, len(c.pools))
	for n := range c.pools {
		names = append(names, n)
	}
	pools := make([]*pgxpool.Pool, len(names))
	sort.Strings(names)
	for i, n := range names {
		pools[i] = c.pools[n]
	}
	c.mu.Unlock()
	for i, p := range pools {
		s, name := p.Stat(), names[i]
		gauge := func(d *prometheus.Desc, v int32) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), name)
		}
		counter := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, name)
		}
		gauge(c.total, s.TotalConns())
		gauge(c.idle, s.IdleConns())
		gauge(c.acquired, s.AcquiredConns())
		gauge(c.max, s.MaxConns())
		counter(c.acquires, float64(s.AcquireCount()))
		counter(c.acquireWait, s.AcquireDuration().Seconds())
		counter(c.emptyAcquire, float64(s.EmptyAcquireCount()))
	}
}
