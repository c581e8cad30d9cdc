package telemetry

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// families are the metrics as one scrape of the endpoint read them.
type families map[string]*dto.MetricFamily

// scrape reads tel's endpoint over HTTP, as Prometheus does, and parses the text it answers.
func scrape(t testing.TB, tel *Metrics) families {
	t.Helper()
	srv := httptest.NewServer(tel.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET metrics: %s\n%s", res.Status, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("the endpoint's answer does not parse: %v", err)
	}
	return fams
}

// find is the series of family name whose labels are exactly labels (nil when absent).
func (f families) find(t testing.TB, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	fam := f[name]
	if fam == nil {
		return nil
	}
	for _, m := range fam.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		match := true
		for _, l := range m.GetLabel() {
			if v, ok := labels[l.GetName()]; !ok || v != l.GetValue() {
				match = false
				break
			}
		}
		if match {
			return m
		}
	}
	return nil
}

// counter is a counter's value (0 when the series does not exist).
func (f families) counter(t testing.TB, name string, labels map[string]string) float64 {
	t.Helper()
	if m := f.find(t, name, labels); m != nil {
		return m.GetCounter().GetValue()
	}
	return 0
}

// gauge is a gauge's value, and whether the series exists.
func (f families) gauge(t testing.TB, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	if m := f.find(t, name, labels); m != nil {
		return m.GetGauge().GetValue(), true
	}
	return 0, false
}

// hist is one histogram series: its count, sum and cumulative bucket counts by upper bound.
type hist struct {
	Count   uint64
	Sum     float64
	Buckets map[float64]uint64
}

func (f families) histogram(t testing.TB, name string, labels map[string]string) hist {
	t.Helper()
	m := f.find(t, name, labels)
	if m == nil {
		return hist{}
	}
	h := hist{Count: m.GetHistogram().GetSampleCount(), Sum: m.GetHistogram().GetSampleSum(), Buckets: map[float64]uint64{}}
	for _, b := range m.GetHistogram().GetBucket() {
		h.Buckets[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	return h
}

// series lists a family's series as "k=v,k=v value" lines, sorted: for failure messages.
func (f families) series(name string) string {
	fam := f[name]
	if fam == nil {
		return "(none)"
	}
	var out []string
	for _, m := range fam.GetMetric() {
		var ls []string
		for _, l := range m.GetLabel() {
			ls = append(ls, l.GetName()+"="+l.GetValue())
		}
		v := m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
		out = append(out, fmt.Sprintf("%s %g", strings.Join(ls, ","), v))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func labels(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
