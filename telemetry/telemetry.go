// Package telemetry is Mari BI's Prometheus metrics, for Grafana: payments as the ingestion
// pipeline commits them, the pipeline itself (outcomes, dead letters, Kafka lag, freshness),
// HTTP request times, dashboard panels that ran out of time, rollup runs and the PostgreSQL
// connection pools, beside the Go runtime's and the process's own.
//
// The metrics live on a registry of their own, never the global default, so nothing a library
// registers by itself is exported, and tests make as many as they like. The packages that
// produce the numbers know nothing of Prometheus: each has a small hook (ingest.Store.Tallied,
// rollup.Runner.Ran, kafkaingest.Options.Lag, handlers.PanelObserver, the web server's
// request observer), and Metrics has the methods that fit them. Labels stay few and bounded
// (topics, banks, channels, statuses, route templates, panel and job names); never a user,
// a payment or a raw path.
package telemetry

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"mari/events"
	"mari/ingest"
	"mari/rollup"
)

// Outcomes of mari_ingest_events_total.
const (
	OutcomeAccepted  = "accepted"
	OutcomeDuplicate = "duplicate"
	OutcomeHeld      = "held"
	OutcomeRejected  = "rejected"
	OutcomeReleased  = "released"
)

// Outcomes lists every outcome of mari_ingest_events_total.
var Outcomes = []string{OutcomeAccepted, OutcomeDuplicate, OutcomeHeld, OutcomeRejected, OutcomeReleased}

// NoBank is the bank label of a payment without a bank_id.
const NoBank = "none"

// Bucket bounds, in seconds.
var (
	// Payment processing: around the banks' SLAs (most settle within 1-3 s; 5 s is a slow
	// bank; 30 s is a timeout).
	paymentBuckets = []float64{.25, .5, .75, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 30}
	// Requests: pages answer in tens of milliseconds, a request is cut off at 25 s.
	httpBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 25}
	// Rollup jobs: a refresh of today takes a second or less, a month at scale minutes; a
	// job's deadline is MARI_ROLLUP_JOB_TIMEOUT (5 minutes by default).
	rollupBuckets = []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}
)

// Metrics are the app's metrics and the registry that exports them. The zero value is not
// usable; make one with New. A nil *Metrics counts nothing: its methods may be handed out as
// hooks whether or not metrics are on.
type Metrics struct {
	reg *prometheus.Registry

	transactions   *prometheus.CounterVec
	paymentTime    *prometheus.HistogramVec
	ingestEvents   *prometheus.CounterVec
	deadLetters    *prometheus.CounterVec
	consumerLag    *prometheus.GaugeVec
	newestEvent    *prometheus.GaugeVec
	httpTime       *prometheus.HistogramVec
	panelTimeouts  *prometheus.CounterVec
	rollupTime     *prometheus.HistogramVec
	rollupFailures *prometheus.CounterVec
	pools          *poolCollector

	mu     sync.Mutex
	newest map[events.Topic]time.Time // per topic, the newest event time set so far
}

// New makes the metrics on a registry of their own, with the Go runtime's and the process's
// collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		transactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mari_transactions_total",
			Help: "Payments created (status pending) and finalised (completed, failed), each step counted once, when the ingestion batch that applied it committed in this process.",
		}, []string{"status", "bank", "channel"}),
		paymentTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mari_transaction_duration_seconds",
			Help:    "Processing time of final (completed or failed) payments, from their processing_time_ms, by bank.",
			Buckets: paymentBuckets,
		}, []string{"bank"}),
		ingestEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mari_ingest_events_total",
			Help: "Events received, by topic and outcome on arrival (accepted, duplicate, held, rejected); released counts held events applied later.",
		}, []string{"topic", "outcome"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mari_ingest_dead_letters_total",
			Help: "Events sent to the dead letters: rejected on arrival or when judged again after being held, or held longer than the hold limit.",
		}, []string{"topic"}),
		consumerLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mari_ingest_consumer_lag",
			Help: "Kafka records past the committed offset of the partitions this instance's consumer is assigned, summed over them.",
		}, []string{"topic"}),
		newestEvent: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mari_ingest_newest_event_timestamp_seconds",
			Help: "Event time, in Unix seconds, of the newest event this process applied.",
		}, []string{"topic"}),
		httpTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mari_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests of the public server, by route template, method and status.",
			Buckets: httpBuckets,
		}, []string{"route", "method", "status"}),
		panelTimeouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mari_panel_timeouts_total",
			Help: "Dashboard panel loads that ran out of their time limit (MARI_PANEL_TIMEOUT) and showed as unavailable; a load shared by several viewers counts once.",
		}, []string{"panel"}),
		rollupTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mari_rollup_run_duration_seconds",
			Help:    "Time rollup job runs took, by job and mode (final, partial, backfill), failed runs included.",
			Buckets: rollupBuckets,
		}, []string{"job", "mode"}),
		rollupFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mari_rollup_run_failures_total",
			Help: "Rollup job runs that failed (their error is in rollup_runs and the log), by job.",
		}, []string{"job"}),
		pools:  newPoolCollector(),
		newest: map[events.Topic]time.Time{},
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.transactions, m.paymentTime, m.ingestEvents, m.deadLetters, m.consumerLag, m.newestEvent,
		m.httpTime, m.panelTimeouts, m.rollupTime, m.rollupFailures, m.pools,
	)
	// Every topic's counters exist from the start at 0, so a rate over them is defined before
	// the first event and a dashboard shows 0 rather than "no data".
	for _, t := range events.Topics {
		for _, o := range Outcomes {
			m.ingestEvents.WithLabelValues(string(t), o)
		}
		m.deadLetters.WithLabelValues(string(t))
	}
	return m
}

// Registry is where the metrics are registered: what /metrics exports.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// CountIngest counts what a committed ingestion batch did (ingest.Store.Tallied).
func (m *Metrics) CountIngest(t ingest.Tally) {
	if m == nil {
		return
	}
	for topic, tt := range t.Topics {
		tp := string(topic)
		for outcome, n := range map[string]int{
			OutcomeAccepted: tt.Accepted, OutcomeDuplicate: tt.Duplicates, OutcomeHeld: tt.Held,
			OutcomeRejected: tt.Rejected, OutcomeReleased: tt.Released,
		} {
			if n > 0 {
				m.ingestEvents.WithLabelValues(tp, outcome).Add(float64(n))
			}
		}
		if tt.DeadLetters > 0 {
			m.deadLetters.WithLabelValues(tp).Add(float64(tt.DeadLetters))
		}
		if !tt.Newest.IsZero() {
			m.sawEvent(topic, tt.Newest)
		}
	}
	for _, p := range t.Payments {
		bank := p.Bank
		if bank == "" {
			bank = NoBank
		}
		m.transactions.WithLabelValues(p.Status, bank, p.Channel).Inc()
		if p.Status != ingest.PaymentPending {
			m.paymentTime.WithLabelValues(bank).Observe(p.Processing.Seconds())
		}
	}
}

// sawEvent moves the topic's newest event time forward to at; an older event (a late one, a
// held one released) leaves it.
func (m *Metrics) sawEvent(topic events.Topic, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if at.After(m.newest[topic]) {
		m.newest[topic] = at
		m.newestEvent.WithLabelValues(string(topic)).Set(float64(at.UnixNano()) / 1e9)
	}
}

// ConsumerLag sets a topic's Kafka consumer lag (kafkaingest.Options.Lag).
func (m *Metrics) ConsumerLag(topic string, lag int64) {
	if m == nil {
		return
	}
	m.consumerLag.WithLabelValues(topic).Set(float64(lag))
}

// ObserveRequest counts one answered HTTP request: route is the route's template
// ("/banks/:code"), never the path itself.
func (m *Metrics) ObserveRequest(route, method string, status int, took time.Duration) {
	if m == nil {
		return
	}
	m.httpTime.WithLabelValues(route, method, strconv.Itoa(status)).Observe(took.Seconds())
}

// PanelTimedOut counts a dashboard panel load that ran out of time (handlers.PanelObserver).
func (m *Metrics) PanelTimedOut(panel string) {
	if m == nil {
		return
	}
	m.panelTimeouts.WithLabelValues(panel).Inc()
}

// RollupRan counts one rollup job run (rollup.Runner.Ran). The job's failure counter exists
// from its first run on, at 0 while it has never failed, so an alert on its increase works.
func (m *Metrics) RollupRan(o rollup.RunOutcome) {
	if m == nil {
		return
	}
	failures := m.rollupFailures.WithLabelValues(o.Job)
	if o.Err != nil {
		failures.Inc()
	}
	if o.Started {
		m.rollupTime.WithLabelValues(o.Job, o.Mode).Observe(o.Took.Seconds())
	}
}
