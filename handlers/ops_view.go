package handlers

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"mari/metrics"
	"mari/views"
)

// The page and its JSON refresh are built from the same functions: a panel's chart update is
// its data series, and the page's initial chart is the panel's base options plus that update,
// so the wall screen after a refresh shows exactly what a reload would.

// opsPanelJSON is one panel in GET /ops/data.
type opsPanelJSON struct {
	Unavailable string         `json:"unavailable,omitempty"` // why the panel has no data now
	Update      map[string]any `json:"update,omitempty"`      // ECharts setOption patch (data only)
}

// opsJSON is GET /ops/data.
type opsJSON struct {
	ServerTime    time.Time               `json:"serverTime"`
	UpdatedSAST   string                  `json:"updatedSast"` // hh:mm:ss
	NewestMinute  string                  `json:"newestMinuteSast,omitempty"`
	NewestAgeSec  *int64                  `json:"newestAgeSeconds"` // null when unknown
	Freshness     string                  `json:"freshness"`        // fresh, amber, red, unknown
	Unavailable   []string                `json:"unavailable"`      // panels that failed
	SourceMessage string                  `json:"sourceMessage,omitempty"`
	Panels        map[string]opsPanelJSON `json:"panels"`
	Text          map[string]string       `json:"text"` // numerals, by data-ops-field
	Numbers       opsNumbers              `json:"numbers"`
}

// opsNumbers are the raw numbers (for machines and tests); Text has them formatted.
type opsNumbers struct {
	PerMinute      []uint64   `json:"perMinute"`
	Minutes        []string   `json:"minutesSast"`
	Completed24h   uint64     `json:"completed24h"`
	Failed24h      uint64     `json:"failed24h"`
	SuccessRate    *float64   `json:"successRate"`
	Hours          []string   `json:"hoursSast"`
	P50            []*float64 `json:"p50Ms"`
	P95            []*float64 `json:"p95Ms"`
	ErrorReasons   []string   `json:"errorReasons"`
	ErrorRates     []float64  `json:"errorRates"`
	MinuteNow      uint64     `json:"currentMinute"`
	MinuteLastWeek uint64     `json:"sameMinuteLastWeek"`
	OpenIncidents  int64      `json:"openIncidents"` // PostgreSQL
	StuckPending   int64      `json:"stuckPending"`  // PostgreSQL: pending over 10 minutes
}

func optFloat(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

// newestAge is how long ago the newest event was, measured from the end of its minute (the
// pre-aggregation's resolution), never negative.
func newestAge(d *opsData) (time.Duration, bool) {
	if !d.newest.ok() || !d.newest.V.OK {
		return 0, false
	}
	age := d.now.Sub(d.newest.V.Minute.Add(time.Minute))
	if age < 0 {
		age = 0
	}
	return age, true
}

func freshnessOf(d *opsData) string {
	age, ok := newestAge(d)
	switch {
	case !ok:
		return "unknown"
	case age >= opsRedAfter:
		return "red"
	case age >= opsAmberAfter:
		return "amber"
	}
	return "fresh"
}

func buildOpsJSON(d *opsData) opsJSON {
	j := opsJSON{ServerTime: d.now.UTC(), UpdatedSAST: sastClock(d.now, "15:04:05"), Freshness: freshnessOf(d),
		Unavailable: []string{}, Panels: map[string]opsPanelJSON{}, Text: opsText(d)}
	if age, ok := newestAge(d); ok {
		s := int64(age / time.Second)
		j.NewestAgeSec = &s
		j.NewestMinute = sastClock(d.newest.V.Minute, "15:04")
	}
	for _, p := range opsCharts {
		pj := opsPanelJSON{Unavailable: p.err(d)}
		if pj.Unavailable == "" {
			pj.Update = p.update(d)
		} else {
			j.Unavailable = append(j.Unavailable, p.id)
			j.SourceMessage = pj.Unavailable
		}
		j.Panels[p.id] = pj
	}
	for _, f := range []struct {
		id, err string
	}{{"week", d.week.Err}, {"newest", d.newest.Err}, {"incidents", d.incidents.Err}, {"pending", d.stuck.Err}} {
		if f.err != "" {
			j.Unavailable = append(j.Unavailable, f.id)
			j.SourceMessage = f.err
		}
	}
	j.Numbers.OpenIncidents, j.Numbers.StuckPending = d.incidents.V.Count, d.stuck.V.Count
	n := &j.Numbers
	for _, m := range d.tpm.V {
		n.PerMinute = append(n.PerMinute, m.Events)
		n.Minutes = append(n.Minutes, sastClock(m.Minute, "15:04"))
	}
	n.Completed24h, n.Failed24h = d.final.V.Completed, d.final.V.Failed
	if r, ok := ratio(n.Completed24h, n.Completed24h+n.Failed24h); ok && d.final.ok() {
		n.SuccessRate = &r
	}
	for _, h := range d.latency.V {
		n.Hours = append(n.Hours, sastClock(h.Hour, "15:04"))
		n.P50, n.P95 = append(n.P50, optFloat(h.P50)), append(n.P95, optFloat(h.P95))
	}
	for _, r := range reasonRates(d.final.V) {
		n.ErrorReasons, n.ErrorRates = append(n.ErrorReasons, r.Reason), append(n.ErrorRates, r.Rate)
	}
	n.MinuteNow, n.MinuteLastWeek = d.week.V.Current, d.week.V.LastWeek
	return j
}

const dash = "—"

// opsText are the dashboard's numerals, keyed by the data-ops-field of their element.
func opsText(d *opsData) map[string]string {
	t := map[string]string{}
	set := func(ok bool, key, v string) {
		if !ok {
			v = dash
		}
		t[key] = v
	}
	var total, last uint64
	for _, m := range d.tpm.V {
		total += m.Events
	}
	if n := len(d.tpm.V); n > 0 {
		last = d.tpm.V[n-1].Events
	}
	set(d.tpm.ok(), "tpm.total", views.Count(total))
	set(d.tpm.ok(), "tpm.avg", strconv.FormatFloat(float64(total)/opsMinutes, 'f', 1, 64)+" per minute on average")
	set(d.tpm.ok(), "tpm.last", views.Count(last))
	f := d.final.V
	rate, ok := ratio(f.Completed, f.Completed+f.Failed)
	set(d.final.ok() && ok, "success.rate", strconv.FormatFloat(rate*100, 'f', 2, 64)+"%")
	set(d.final.ok(), "success.detail", fmt.Sprintf("%s completed · %s failed", views.Count(f.Completed), views.Count(f.Failed)))
	set(d.week.ok(), "week.current", views.Count(d.week.V.Current))
	set(d.week.ok(), "week.lastWeek", views.Count(d.week.V.LastWeek))
	change := "n/a (none last week)"
	if d.week.V.LastWeek > 0 {
		c := (float64(d.week.V.Current) - float64(d.week.V.LastWeek)) / float64(d.week.V.LastWeek) * 100
		change = fmt.Sprintf("%+.1f%% vs last week", c)
	}
	set(d.week.ok(), "week.change", change)
	set(d.week.ok(), "week.minute", sastClock(d.minute, "15:04"))
	age, ok := newestAge(d)
	set(ok, "newest.age", humanAge(age))
	set(ok, "newest.minute", sastClock(d.newest.V.Minute, "15:04"))
	inc := d.incidents.V
	set(d.incidents.ok(), "incidents.open", views.Count(uint64(inc.Count)))
	switch {
	case !d.incidents.ok():
		t["incidents.detail"] = "unavailable — " + d.incidents.Err
	case inc.Count == 0:
		t["incidents.detail"] = "none open"
	default:
		more := ""
		if inc.Count > 1 {
			more = fmt.Sprintf(" (+%d more)", inc.Count-1)
		}
		t["incidents.detail"] = fmt.Sprintf("%s: %s, since %s%s", inc.Severity, inc.Title, sastClock(inc.Since, "15:04"), more)
	}
	st := d.stuck.V
	set(d.stuck.ok(), "pending.stuck", views.Count(uint64(st.Count)))
	switch {
	case !d.stuck.ok():
		t["pending.detail"] = "unavailable — " + d.stuck.Err
	case st.Count == 0:
		t["pending.detail"] = "none pending over 10 min"
	default:
		t["pending.detail"] = "oldest started " + humanAge(d.now.Sub(st.Oldest))
	}
	t["updated"] = sastClock(d.now, "15:04:05")
	return t
}

func humanAge(a time.Duration) string {
	s := int64(a / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds ago", s)
	case s < 3600:
		return fmt.Sprintf("%dm %02ds ago", s/60, s%60)
	}
	return fmt.Sprintf("%dh %02dm ago", s/3600, (s%3600)/60)
}

// opsChart is one chart panel of the dashboard.
type opsChart struct {
	id, title, metric string
	err               func(d *opsData) string
	base              func(wall bool) map[string]any // options without data
	update            func(d *opsData) map[string]any
}

var opsCharts = []opsChart{
	{id: "tpm", title: "Transactions initiated per minute, last 60 minutes", metric: metrics.IDOpsPerMinute,
		err: func(d *opsData) string { return d.tpm.Err }, base: tpmBase, update: tpmUpdate},
	{id: "success", title: "Success rate, last 24 hours", metric: metrics.IDOpsSuccessRate,
		err: func(d *opsData) string { return d.final.Err }, base: successBase, update: successUpdate},
	{id: "latency", title: "Processing time per hour (p50, p95), last 24 hours", metric: metrics.IDOpsProcessingTime,
		err: func(d *opsData) string { return d.latency.Err }, base: latencyBase, update: latencyUpdate},
	{id: "errors", title: "Error rate by failure reason, last 24 hours", metric: metrics.IDOpsErrorRate,
		err: func(d *opsData) string { return d.final.Err }, base: errorsBase, update: errorsUpdate},
}

// theme colours the axes and text for the page's background.
func opsTheme(wall bool, o map[string]any) map[string]any {
	text, line := "#334155", "#cbd5e1"
	if wall {
		text, line = "#e6edf3", "#475569"
	}
	o["backgroundColor"] = "transparent"
	o["animationDuration"] = 300
	o["animationDurationUpdate"] = 300
	o["textStyle"] = map[string]any{"color": text, "fontSize": fontSize(wall)}
	o["color"] = []string{"#38bdf8", "#f59e0b", "#ef4444", "#22c55e"}
	axis := func(extra map[string]any) map[string]any {
		a := map[string]any{"axisLine": map[string]any{"lineStyle": map[string]any{"color": line}},
			"axisLabel": map[string]any{"color": text, "fontSize": fontSize(wall)},
			"splitLine": map[string]any{"lineStyle": map[string]any{"color": line, "opacity": 0.4}}}
		for k, v := range extra {
			if m, ok := v.(map[string]any); ok {
				if base, ok := a[k].(map[string]any); ok {
					for mk, mv := range m {
						base[mk] = mv
					}
					continue
				}
			}
			a[k] = v
		}
		return a
	}
	if x, ok := o["xAxis"].(map[string]any); ok {
		o["xAxis"] = axis(x)
	}
	if y, ok := o["yAxis"].(map[string]any); ok {
		o["yAxis"] = axis(y)
	}
	return o
}

func fontSize(wall bool) int {
	if wall {
		return 16
	}
	return 12
}

func grid() map[string]any {
	return map[string]any{"left": 12, "right": 24, "top": 36, "bottom": 8, "containLabel": true}
}

func tpmBase(wall bool) map[string]any {
	return opsTheme(wall, map[string]any{
		"grid":    grid(),
		"tooltip": map[string]any{"trigger": "axis", "confine": true},
		"xAxis":   map[string]any{"type": "category", "boundaryGap": false, "data": []string{}},
		"yAxis":   map[string]any{"type": "value", "minInterval": 1, "name": "per minute", "nameTextStyle": map[string]any{"align": "left"}},
		"series": []any{map[string]any{"name": "Initiated", "type": "line", "showSymbol": false,
			"areaStyle": map[string]any{"opacity": 0.25}, "data": []uint64{}}},
	})
}

func tpmUpdate(d *opsData) map[string]any {
	labels, values := []string{}, []uint64{}
	for _, m := range d.tpm.V {
		labels = append(labels, sastClock(m.Minute, "15:04"))
		values = append(values, m.Events)
	}
	return map[string]any{"xAxis": map[string]any{"data": labels}, "series": []any{map[string]any{"data": values}}}
}

func successBase(wall bool) map[string]any {
	text := "#334155"
	if wall {
		text = "#e6edf3"
	}
	size := 28
	if wall {
		size = 44
	}
	return opsTheme(wall, map[string]any{
		"series": []any{map[string]any{"name": "Success rate", "type": "gauge", "min": 0, "max": 100,
			"startAngle": 200, "endAngle": -20, "splitNumber": 10, "radius": "95%", "center": []string{"50%", "60%"},
			"axisLine": map[string]any{"lineStyle": map[string]any{"width": 18,
				"color": []any{[]any{0.9, "#ef4444"}, []any{0.97, "#f59e0b"}, []any{1, "#22c55e"}}}},
			"pointer":   map[string]any{"itemStyle": map[string]any{"color": "auto"}},
			"axisLabel": map[string]any{"color": text, "fontSize": fontSize(wall), "formatter": "{value}%"},
			"detail":    map[string]any{"valueAnimation": true, "formatter": "fmt:gaugePercent", "color": text, "fontSize": size, "offsetCenter": []string{"0", "45%"}},
			"data":      []any{map[string]any{"value": nil, "name": ""}}}},
	})
}

// successUpdate puts the rate (percent, 2 decimals) on the gauge: red below 90%, amber below
// 97%, green above.
func successUpdate(d *opsData) map[string]any {
	var v any
	if r, ok := ratio(d.final.V.Completed, d.final.V.Completed+d.final.V.Failed); ok {
		v = math.Round(r*10000) / 100
	}
	return map[string]any{"series": []any{map[string]any{"data": []any{map[string]any{"value": v, "name": ""}}}}}
}

func latencyBase(wall bool) map[string]any {
	return opsTheme(wall, map[string]any{
		"grid":    grid(),
		"legend":  map[string]any{"top": 0, "textStyle": map[string]any{"color": map[bool]string{true: "#e6edf3", false: "#334155"}[wall], "fontSize": fontSize(wall)}},
		"tooltip": map[string]any{"trigger": "axis", "confine": true},
		"xAxis":   map[string]any{"type": "category", "data": []string{}},
		"yAxis":   map[string]any{"type": "value", "name": "ms", "nameTextStyle": map[string]any{"align": "left"}},
		"series": []any{
			map[string]any{"name": "p50", "type": "line", "connectNulls": false, "data": []any{}},
			map[string]any{"name": "p95", "type": "line", "connectNulls": false, "data": []any{}},
		},
	})
}

func latencyUpdate(d *opsData) map[string]any {
	labels, p50, p95 := []string{}, []any{}, []any{}
	for _, h := range d.latency.V {
		labels = append(labels, sastClock(h.Hour, "15:04"))
		p50, p95 = append(p50, roundMS(h.P50)), append(p95, roundMS(h.P95))
	}
	return map[string]any{"xAxis": map[string]any{"data": labels},
		"series": []any{map[string]any{"data": p50}, map[string]any{"data": p95}}}
}

func roundMS(v float64) any {
	if math.IsNaN(v) {
		return nil // a gap: no final events that hour
	}
	return math.Round(v*10) / 10
}

func errorsBase(wall bool) map[string]any {
	return opsTheme(wall, map[string]any{
		"grid":    grid(),
		"tooltip": map[string]any{"trigger": "axis", "confine": true, "valueFormatter": "fmt:percent"},
		"xAxis":   map[string]any{"type": "value", "axisLabel": map[string]any{"formatter": "fmt:percent"}},
		"yAxis":   map[string]any{"type": "category", "inverse": true, "data": []string{}},
		"series":  []any{map[string]any{"name": "Error rate", "type": "bar", "color": "#ef4444", "barMaxWidth": 48, "data": []float64{}}},
	})
}

func errorsUpdate(d *opsData) map[string]any {
	reasons, rates := []string{}, []float64{}
	for _, r := range reasonRates(d.final.V) {
		reasons, rates = append(reasons, r.Reason), append(rates, math.Round(r.Rate*1e6)/1e6)
	}
	return map[string]any{"yAxis": map[string]any{"data": reasons}, "series": []any{map[string]any{"data": rates}}}
}

// mergeOptions applies an update patch onto base options the way ECharts' setOption merges:
// objects by key, series arrays element by element.
func mergeOptions(base, patch map[string]any) map[string]any {
	for k, pv := range patch {
		switch p := pv.(type) {
		case map[string]any:
			if b, ok := base[k].(map[string]any); ok {
				base[k] = mergeOptions(b, p)
				continue
			}
		case []any:
			if b, ok := base[k].([]any); ok && len(b) == len(p) {
				for i := range p {
					bm, ok1 := b[i].(map[string]any)
					pm, ok2 := p[i].(map[string]any)
					if ok1 && ok2 {
						b[i] = mergeOptions(bm, pm)
					} else {
						b[i] = p[i]
					}
				}
				continue
			}
		}
		base[k] = pv
	}
	return base
}

// opsViewOptions are how a page shows the dashboard: signed in, or through a display link.
type opsViewOptions struct {
	Wall                 bool
	DataURL              string
	CSV                  bool
	CSVQuery             string // the filter, carried into the CSV links
	WallHref, NormalHref string
	Title                string
}

func buildOpsView(d *opsData, o opsViewOptions) views.Ops {
	j := buildOpsJSON(d)
	v := views.Ops{Wall: o.Wall, DataURL: o.DataURL, Updated: j.UpdatedSAST, Freshness: j.Freshness,
		Text: j.Text, WallHref: o.WallHref, NormalHref: o.NormalHref, Title: o.Title, SourceMessage: j.SourceMessage}
	if j.NewestAgeSec != nil {
		v.AgeSeconds = strconv.FormatInt(*j.NewestAgeSec, 10)
	}
	if v.Title == "" {
		v.Title = "Operations"
	}
	for _, c := range opsCharts {
		opts := c.base(o.Wall)
		if u := j.Panels[c.id].Update; u != nil {
			opts = mergeOptions(opts, u)
		}
		p := views.OpsChart{ID: c.id, Title: c.title, MetricID: c.metric, Options: opts, Unavailable: j.Panels[c.id].Unavailable}
		if o.CSV {
			p.CSVHref = withQuery("/ops/"+c.id+".csv", o.CSVQuery)
		}
		v.Charts = append(v.Charts, p)
	}
	if o.CSV {
		v.WeekCSV = withQuery("/ops/week.csv", o.CSVQuery)
	}
	v.WeekUnavailable = d.week.Err
	v.SuccessUnavailable = d.final.Err
	return v
}
