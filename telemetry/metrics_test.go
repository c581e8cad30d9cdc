package telemetry

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"

	"mari/dbtest"
	"mari/events"
	"mari/ingest"
	"mari/rollup"
)

// exported is every metric of the app: its type and its help, as the endpoint must say them.
var exported = map[string]struct {
	Type dto.MetricType
	Help string
}{
	"mari_transactions_total": {dto.MetricType_COUNTER,
		"Payments created (status pending) and finalised (completed, failed), each step counted once, when the ingestion batch that applied it committed in this process."},
	"mari_transaction_duration_seconds": {dto.MetricType_HISTOGRAM,
		"Processing time of final (completed or failed) payments, from their processing_time_ms, by bank."},
	"mari_ingest_events_total": {dto.MetricType_COUNTER,
		"Events received, by topic and outcome on arrival (accepted, duplicate, held, rejected); released counts held events applied later."},
	"mari_ingest_dead_letters_total": {dto.MetricType_COUNTER,
		"Events sent to the dead letters: rejected on arrival or when judged again after being held, or held longer than the hold limit."},
	"mari_ingest_consumer_lag": {dto.MetricType_GAUGE,
		"Kafka records past the committed offset of the partitions this instance's consumer is assigned, summed over them."},
	"mari_ingest_newest_event_timestamp_seconds": {dto.MetricType_GAUGE,
		"Event time, in Unix seconds, of the newest event this process applied."},
	"mari_http_request_duration_seconds": {dto.MetricType_HISTOGRAM,
		"Time to answer HTTP requests of the public server, by route template, method and status."},
	"mari_panel_timeouts_total": {dto.MetricType_COUNTER,
		"Dashboard panel loads that ran out of their time limit (MARI_PANEL_TIMEOUT) and showed as unavailable; a load shared by several viewers counts once."},
	"mari_rollup_run_duration_seconds": {dto.MetricType_HISTOGRAM,
		"Time rollup job runs took, by job and mode (final, partial, backfill), failed runs included."},
	"mari_rollup_run_failures_total": {dto.MetricType_COUNTER,
		"Rollup job runs that failed (their error is in rollup_runs and the log), by job."},
	"mari_pg_pool_total_conns":    {dto.MetricType_GAUGE, "PostgreSQL connections the pool holds now (idle, in use and being opened)."},
	"mari_pg_pool_idle_conns":     {dto.MetricType_GAUGE, "PostgreSQL connections of the pool idle now."},
	"mari_pg_pool_acquired_conns": {dto.MetricType_GAUGE, "PostgreSQL connections of the pool in use now."},
	"mari_pg_pool_max_conns":      {dto.MetricType_GAUGE, "Most PostgreSQL connections the pool may hold."},
	"mari_pg_pool_acquires_total": {dto.MetricType_COUNTER, "Connections acquired from the pool successfully."},
	"mari_pg_pool_acquire_wait_seconds_total": {dto.MetricType_COUNTER,
		"Time spent acquiring connections from the pool, summed over successful acquires; its rate against mari_pg_pool_acquires_total is the average wait."},
	"mari_pg_pool_empty_acquires_total": {dto.MetricType_COUNTER,
		"Successful acquires that had to wait for a connection because none was idle: a pool too small for its load."},
}

// touchAll gives every metric of tel at least one series: what a busy instance exports.
func touchAll(t testing.TB, tel *Metrics) {
	t.Helper()
	db := dbtest.New(t)
	tel.WatchPool("app", db.PG)
	tel.CountIngest(ingest.Tally{
		Topics: map[events.Topic]*ingest.TopicTally{events.TransactionEvents: {Accepted: 2, Newest: time.Now()}},
		Payments: []ingest.PaymentStep{
			{Status: ingest.PaymentPending, Bank: "BANKA", Channel: "online"},
			{Status: ingest.PaymentCompleted, Bank: "BANKA", Channel: "online", Processing: 1200 * time.Millisecond},
		},
	})
	tel.ConsumerLag(string(events.TransactionEvents), 3)
	tel.ObserveRequest("/banks/:code", "GET", 200, 30*time.Millisecond)
	tel.PanelTimedOut("revenue")
	tel.RollupRan(rollup.RunOutcome{Job: rollup.JobDailyMetrics, Mode: rollup.ModePartial, Started: true,
		Took: time.Second, Err: errors.New("boom")})
}

// The endpoint exports every metric of the app under its name, with its type and help, beside
// the Go runtime's and the process's; nothing else of the mari_ namespace, and nothing that
// Prometheus's own naming rules object to.
func TestEveryMetricIsExportedWithItsTypeAndHelp(t *testing.T) {
	tel := New()
	touchAll(t, tel)
	fams := scrape(t, tel)
	for name, want := range exported {
		f := fams[name]
		if f == nil {
			t.Errorf("%s is not exported", name)
			continue
		}
		if f.GetType() != want.Type {
			t.Errorf("%s is a %s, want a %s", name, f.GetType(), want.Type)
		}
		if f.GetHelp() != want.Help {
			t.Errorf("%s help:\n got %q\nwant %q", name, f.GetHelp(), want.Help)
		}
	}
	var names []string
	for name := range fams {
		names = append(names, name)
		if strings.HasPrefix(name, "mari_") {
			if _, ok := exported[name]; !ok {
				t.Errorf("%s is exported but not listed here (nor, likely, in the README)", name)
			}
		}
	}
	sort.Strings(names)
	for _, runtime := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total", "process_resident_memory_bytes"} {
		if !slices.Contains(names, runtime) {
			t.Errorf("%s is not exported (the Go and process collectors): %v", runtime, names)
		}
	}

	var mari []*dto.MetricFamily
	for name, f := range fams {
		if strings.HasPrefix(name, "mari_") {
			mari = append(mari, f)
		}
	}
	problems, err := promlint.NewWithMetricFamilies(mari).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// Labels stay bounded: a payment without a bank is "none", not an empty label, and the
// counters never carry an id.
func TestPaymentWithoutBankIsNone(t *testing.T) {
	tel := New()
	tel.CountIngest(ingest.Tally{Payments: []ingest.PaymentStep{
		{Status: ingest.PaymentFailed, Channel: "online", Processing: 500 * time.Millisecond},
	}})
	f := scrape(t, tel)
	if v := f.counter(t, "mari_transactions_total", labels("status", "failed", "bank", NoBank, "channel", "online")); v != 1 {
		t.Errorf("failed none online = %g, want 1:\n%s", v, f.series("mari_transactions_total"))
	}
	if h := f.histogram(t, "mari_transaction_duration_seconds", labels("bank", NoBank)); h.Count != 1 || h.Sum != 0.5 {
		t.Errorf("duration of bank none: %+v", h)
	}
}

// A nil *Metrics is what serve and ingest hand out as hooks with MARI_METRICS_ADDR=off: every
// method takes its call without panicking (there is no registry to count into).
func TestNilMetricsCountNothing(t *testing.T) {
	var tel *Metrics
	tel.CountIngest(ingest.Tally{Payments: []ingest.PaymentStep{{Status: ingest.PaymentPending}}})
	tel.ConsumerLag("transaction-events", 1)
	tel.ObserveRequest("/", "GET", 200, time.Millisecond)
	tel.PanelTimedOut("x")
	tel.RollupRan(rollup.RunOutcome{Job: "x", Started: true})
	tel.WatchPool("app", nil)
}
