package handlers

import (
	"math"
	"strconv"
	"strings"
)

func cutCSV(file string) (string, bool) { return strings.CutSuffix(file, ".csv") }

func u64(n uint64) string { return strconv.FormatUint(n, 10) }

// ms is a processing time in whole-ish milliseconds; "" for an hour without data.
func ms(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// frac is a ratio with 6 decimals (enough for a percentage to 4).
func frac(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

func tpmTable(d *opsData) (string, table) {
	t := table{Header: []string{"minute_sast", "initiated"}}
	for _, m := range d.tpm.V {
		t.Rows = append(t.Rows, []string{sastClock(m.Minute, "2006-01-02 15:04"), u64(m.Events)})
	}
	return d.tpm.Err, t
}

func successTable(d *opsData) (string, table) {
	f := d.final.V
	rate, ok := ratio(f.Completed, f.Completed+f.Failed)
	cell := ""
	if ok {
		cell = frac(rate)
	}
	return d.final.Err, table{Header: []string{"window_sast", "completed", "failed", "success_rate"},
		Rows: [][]string{{windowLabel(d), u64(f.Completed), u64(f.Failed), cell}}}
}

func windowLabel(d *opsData) string {
	_, _, from, end, _, _ := opsWindows(d.now)
	return sastClock(from, "2006-01-02 15:04") + " to " + sastClock(end, "2006-01-02 15:04")
}

func latencyTable(d *opsData) (string, table) {
	t := table{Header: []string{"hour_sast", "p50_ms", "p95_ms"}}
	for _, h := range d.latency.V {
		t.Rows = append(t.Rows, []string{sastClock(h.Hour, "2006-01-02 15:04"), ms(h.P50), ms(h.P95)})
	}
	return d.latency.Err, t
}

func errorsTable(d *opsData) (string, table) {
	t := table{Header: []string{"failure_reason", "failed", "final_events", "error_rate"}}
	total := d.final.V.Completed + d.final.V.Failed
	for _, r := range reasonRates(d.final.V) {
		t.Rows = append(t.Rows, []string{r.Reason, u64(r.Failed), u64(total), frac(r.Rate)})
	}
	return d.final.Err, t
}

func weekTable(d *opsData) (string, table) {
	return d.week.Err, table{Header: []string{"minute_sast", "initiated", "same_minute_last_week_sast", "initiated_last_week"},
		Rows: [][]string{{sastClock(d.minute, "2006-01-02 15:04"), u64(d.week.V.Current),
			sastClock(d.minute.AddDate(0, 0, -7), "2006-01-02 15:04"), u64(d.week.V.LastWeek)}}}
}
