package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"mari/calendar"
	"mari/queries"
	"mari/views"
)

// OpsSource is what the operations dashboard reads; queries.Ops implements it over the
// ClickHouse pre-aggregations.
// Every panel but the newest event's age follows the bank/channel filter: the age says whether
// the event stream as a whole is flowing, and a quiet bank is not a stalled stream.
type OpsSource interface {
	InitiatedPerMinute(ctx context.Context, from, to time.Time, f queries.OpsFilter) ([]queries.MinuteCount, error)
	FinalEvents(ctx context.Context, from, to time.Time, f queries.OpsFilter) (queries.FinalEvents, error)
	ProcessingHourly(ctx context.Context, from, to time.Time, f queries.OpsFilter) ([]queries.HourLatency, error)
	MinuteVsWeek(ctx context.Context, minute time.Time, f queries.OpsFilter) (current, lastWeek uint64, err error)
	NewestMinute(ctx context.Context, now time.Time) (time.Time, bool, error)
}

// OpsStateSource is what the operations dashboard reads from PostgreSQL: the state of the
// business (open incidents, payments stuck in pending) rather than the event stream, so it
// keeps showing when ClickHouse is down. queries.OpsState implements it.
type OpsStateSource interface {
	OpenIncidents(ctx context.Context, now time.Time) (queries.OpenIncidents, error)
	StuckPending(ctx context.Context, before time.Time) (queries.StuckPending, error)
	Banks(ctx context.Context) ([]queries.BankOption, error)
}

// OpsOptions configure the operations dashboard.
type OpsOptions struct {
	PanelTimeout time.Duration    // each panel's own time limit
	Now          func() time.Time // the clock
	Log          *slog.Logger
}

// Ops serves the operations dashboard (/ops), its live data (/ops/data) and CSVs.
type Ops struct {
	src   OpsSource
	state OpsStateSource
	opts  OpsOptions
	cache opsCache
}

// NewOps returns the handler: src reads ClickHouse, state reads PostgreSQL.
func NewOps(src OpsSource, state OpsStateSource, opts OpsOptions) *Ops {
	panelDefaults(&opts.PanelTimeout, &opts.Now, &opts.Log)
	return &Ops{src: src, state: state, opts: opts}
}

// Freshness thresholds of the newest event: amber after one minute without new data, red
// after five.
const (
	opsAmberAfter = time.Minute
	opsRedAfter   = 5 * time.Minute
	opsMinutes    = 60
	opsHours      = 24
	// opsStuckAfter is how long a payment may stay pending before the wall screen counts it
	// as stuck: well past the 30-second SLA, short enough for ops to act on.
	opsStuckAfter = 10 * time.Minute
)

type weekData struct{ Current, LastWeek uint64 }

type newestData struct {
	Minute time.Time
	OK     bool
}

// opsData is everything the dashboard shows, one field per independently loaded panel.
type opsData struct {
	filter  queries.OpsFilter
	now     time.Time
	minute  time.Time // start of the current minute
	tpm     panel[[]queries.MinuteCount]
	final   panel[queries.FinalEvents]
	latency panel[[]queries.HourLatency]
	week    panel[weekData]
	newest  panel[newestData]

	incidents panel[queries.OpenIncidents] // PostgreSQL
	stuck     panel[queries.StuckPending]  // PostgreSQL
}

// opsWindows are the periods of the panels, all ending with the current minute (or hour).
func opsWindows(now time.Time) (minute, tpmFrom, dayFrom, end, hourFrom, hourEnd time.Time) {
	minute = now.Truncate(time.Minute) // SAST is a whole-hour offset: UTC truncation agrees
	end = minute.Add(time.Minute)
	tpmFrom = end.Add(-opsMinutes * time.Minute)
	dayFrom = end.Add(-24 * time.Hour)
	hourEnd = now.Truncate(time.Hour).Add(time.Hour)
	hourFrom = hourEnd.Add(-opsHours * time.Hour)
	return
}

func (h *Ops) load(ctx context.Context, f queries.OpsFilter) *opsData {
	now := h.opts.Now()
	minute, tpmFrom, dayFrom, end, hourFrom, hourEnd := opsWindows(now)
	d := &opsData{now: now, minute: minute, filter: f}
	l := &loader{ctx: ctx, timeout: h.opts.PanelTimeout, log: h.opts.Log}
	load(l, "ops per minute", dbCH, &d.tpm, func(ctx context.Context) ([]queries.MinuteCount, error) {
		rows, err := h.src.InitiatedPerMinute(ctx, tpmFrom, end, f)
		return fillMinutes(rows, tpmFrom, opsMinutes), err
	})
	load(l, "ops final events", dbCH, &d.final, func(ctx context.Context) (queries.FinalEvents, error) {
		return h.src.FinalEvents(ctx, dayFrom, end, f)
	})
	load(l, "ops processing time", dbCH, &d.latency, func(ctx context.Context) ([]queries.HourLatency, error) {
		return h.src.ProcessingHourly(ctx, hourFrom, hourEnd, f)
	})
	load(l, "ops minute vs week", dbCH, &d.week, func(ctx context.Context) (weekData, error) {
		c, w, err := h.src.MinuteVsWeek(ctx, minute, f)
		return weekData{Current: c, LastWeek: w}, err
	})
	load(l, "ops newest event", dbCH, &d.newest, func(ctx context.Context) (newestData, error) {
		m, ok, err := h.src.NewestMinute(ctx, now)
		return newestData{Minute: m, OK: ok}, err
	})
	load(l, "ops open incidents", dbPG, &d.incidents, func(ctx context.Context) (queries.OpenIncidents, error) {
		return h.state.OpenIncidents(ctx, now)
	})
	load(l, "ops stuck pending", dbPG, &d.stuck, func(ctx context.Context) (queries.StuckPending, error) {
		return h.state.StuckPending(ctx, now.Add(-opsStuckAfter))
	})
	l.wg.Wait()
	if d.latency.ok() {
		d.latency.V = fillHours(d.latency.V, hourFrom, opsHours)
	}
	return d
}

// opsCacheFor is how long one load of the dashboard serves every screen showing the same
// filter. Shorter than the 10-second poll, so each screen still sees new numbers at every poll.
const opsCacheFor = 5 * time.Second

// opsCache shares loads among viewers: ten wall screens and a few signed-in tabs polling every
// 10 s cost ClickHouse one set of queries per 5 s, not one per viewer (auto-refresh that
// re-runs every query for every viewer is how BI tools topple their databases). Concurrent
// requests for the same filter wait for the load already under way. A load in which any panel
// failed is not kept, so a recovered source shows at the next poll.
type opsCache struct {
	mu      sync.Mutex
	entries map[queries.OpsFilter]*opsCacheEntry
}

type opsCacheEntry struct {
	loaded time.Time     // wall clock of the load (not opts.Now, which tests pin)
	data   *opsData      // set before ready is closed
	ready  chan struct{} // closed when the load has finished
}

// shared returns a load of the dashboard no older than opsCacheFor, loading it if needed.
func (h *Ops) shared(ctx context.Context, f queries.OpsFilter) *opsData {
	h.cache.mu.Lock()
	if e, ok := h.cache.entries[f]; ok {
		h.cache.mu.Unlock()
		select {
		case <-e.ready:
			if time.Since(e.loaded) < opsCacheFor {
				return e.data
			}
		case <-ctx.Done():
			return h.load(ctx, f) // every panel reports the cancelled request
		}
		h.cache.mu.Lock()
		if h.cache.entries[f] == e {
			delete(h.cache.entries, f)
		}
		// Another request may have started a fresh load meanwhile: wait for that one.
		if e2, ok := h.cache.entries[f]; ok {
			h.cache.mu.Unlock()
			<-e2.ready
			return e2.data
		}
	}
	if h.cache.entries == nil {
		h.cache.entries = map[queries.OpsFilter]*opsCacheEntry{}
	}
	e := &opsCacheEntry{ready: make(chan struct{})}
	h.cache.entries[f] = e
	h.cache.mu.Unlock()

	e.data = h.load(ctx, f)
	e.loaded = time.Now()
	if !e.data.complete() {
		h.cache.mu.Lock()
		if h.cache.entries[f] == e {
			delete(h.cache.entries, f)
		}
		h.cache.mu.Unlock()
	}
	close(e.ready)
	return e.data
}

// complete reports whether every panel loaded.
func (d *opsData) complete() bool {
	for _, err := range []string{d.tpm.Err, d.final.Err, d.latency.Err, d.week.Err, d.newest.Err, d.incidents.Err, d.stuck.Err} {
		if err != "" {
			return false
		}
	}
	return true
}

// fillMinutes returns one row per minute from from, n minutes, with 0 where rows has none.
func fillMinutes(rows []queries.MinuteCount, from time.Time, n int) []queries.MinuteCount {
	by := map[int64]uint64{}
	for _, r := range rows {
		by[r.Minute.Unix()] += r.Events
	}
	out := make([]queries.MinuteCount, n)
	for i := range out {
		m := from.Add(time.Duration(i) * time.Minute)
		out[i] = queries.MinuteCount{Minute: m, Events: by[m.Unix()]}
	}
	return out
}

// fillHours returns one row per hour; an hour without final events has NaN quantiles (a gap
// in the chart, an empty CSV cell), never a made-up zero.
func fillHours(rows []queries.HourLatency, from time.Time, n int) []queries.HourLatency {
	by := map[int64]queries.HourLatency{}
	for _, r := range rows {
		by[r.Hour.Unix()] = r
	}
	out := make([]queries.HourLatency, n)
	for i := range out {
		hr := from.Add(time.Duration(i) * time.Hour)
		r, ok := by[hr.Unix()]
		if !ok {
			r = queries.HourLatency{P50: math.NaN(), P95: math.NaN()}
		}
		r.Hour = hr
		out[i] = r
	}
	return out
}

func sastClock(t time.Time, layout string) string { return t.In(calendar.SAST).Format(layout) }

// ratio is n/d, ok false when d is 0 (no final events: the rate is undefined, not 0 or 100%).
func ratio(n, d uint64) (float64, bool) {
	if d == 0 {
		return 0, false
	}
	return float64(n) / float64(d), true
}

// reasonRates are the error rates by failure reason, largest first, then by name.
type reasonRate struct {
	Reason string
	Failed uint64
	Rate   float64
}

func reasonRates(f queries.FinalEvents) []reasonRate {
	total := f.Completed + f.Failed
	var out []reasonRate
	for r, n := range f.ByReason {
		rate, _ := ratio(n, total)
		if r == "" {
			r = "(no reason given)"
		}
		out = append(out, reasonRate{Reason: r, Failed: n, Rate: rate})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Failed != out[j].Failed {
			return out[i].Failed > out[j].Failed
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}

// opsChannels are the channel filter's choices.
var opsChannels = []views.Option{{Value: "online", Label: "Online"}, {Value: "offline_sms", Label: "Offline (SMS)"}}

// parseFilter reads ?bank= and ?channel=. An unknown channel or bank is the user's mistake (a
// 400 that says so). The bank list comes from PostgreSQL; when it cannot be read, a
// well-formed code is accepted (an unknown one then simply shows no events) so the
// ClickHouse panels keep working through a PostgreSQL outage.
//
// The bank list is read only when the page shows the filter form or a bank is given: the
// wall screen's unfiltered poll stays free of it.
func (h *Ops) parseFilter(c echo.Context, forForm bool) (queries.OpsFilter, views.OpsFilterForm, error) {
	q := c.QueryParams()
	f := queries.OpsFilter{Bank: strings.TrimSpace(q.Get("bank")), Channel: strings.TrimSpace(q.Get("channel"))}
	form := views.OpsFilterForm{Bank: f.Bank, Channel: f.Channel, Channels: opsChannels}
	if len(q["bank"]) > 1 || len(q["channel"]) > 1 {
		return f, form, badRequest("Choose at most one bank and one channel.")
	}
	channelLabel, knownChannel := "", f.Channel == ""
	for _, ch := range opsChannels {
		if ch.Value == f.Channel {
			channelLabel, knownChannel = ch.Label, true
		}
	}
	if !knownChannel {
		return f, form, badRequest("Unknown channel %q: choose online or offline_sms.", f.Channel)
	}
	if f.Bank != "" && !bankCodePattern.MatchString(f.Bank) {
		return f, form, badRequest("%q is not a bank code.", f.Bank)
	}
	if !forForm && f.Bank == "" {
		return f, form, nil
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.opts.PanelTimeout)
	defer cancel()
	banks, err := h.state.Banks(ctx)
	if err != nil {
		h.opts.Log.Warn("ops: bank list unavailable", "err", err)
		if f.Bank != "" {
			form.Banks = []views.Option{{Value: f.Bank, Label: f.Bank}}
			form.Label = f.Bank
		}
	}
	known := f.Bank == "" || err != nil
	for _, b := range banks {
		form.Banks = append(form.Banks, views.Option{Value: b.Code, Label: b.Name})
		if b.Code == f.Bank {
			known, form.Label = true, b.Name
		}
	}
	if !known {
		return f, form, badRequest("Unknown bank code %q.", f.Bank)
	}
	if channelLabel != "" {
		form.Label = strings.TrimPrefix(form.Label+" · "+channelLabel, " · ")
	}
	return f, form, nil
}

// filterQuery is the filter as a query string ("" for none), to carry it into links.
func filterQuery(f queries.OpsFilter) string {
	v := url.Values{}
	if f.Bank != "" {
		v.Set("bank", f.Bank)
	}
	if f.Channel != "" {
		v.Set("channel", f.Channel)
	}
	return v.Encode()
}

func withQuery(path, q string, more ...string) string {
	parts := append([]string{}, more...)
	if q != "" {
		parts = append(parts, q)
	}
	if len(parts) == 0 {
		return path
	}
	return path + "?" + strings.Join(parts, "&")
}

// Page serves GET /ops (and /ops?wall=1, the wall screen), optionally for one bank and/or
// channel.
func (h *Ops) Page(c echo.Context) error {
	f, form, err := h.parseFilter(c, true)
	if err != nil {
		return err
	}
	d := h.shared(c.Request().Context(), f)
	wall := c.QueryParam("wall") == "1"
	fq := filterQuery(f)
	title := "Operations"
	if form.Label != "" {
		title += " · " + form.Label
	}
	v := buildOpsView(d, opsViewOptions{
		Wall: wall, DataURL: withQuery("/ops/data", fq), CSV: true, CSVQuery: fq,
		WallHref: withQuery("/ops", fq, "wall=1"), NormalHref: withQuery("/ops", fq), Title: title,
	})
	v.Filter = form
	return render(c, http.StatusOK, views.OpsPage(v))
}

// Data serves GET /ops/data: every panel's numbers for the page's 10-second refresh.
func (h *Ops) Data(c echo.Context) error {
	f, _, err := h.parseFilter(c, false)
	if err != nil {
		return err
	}
	d := h.shared(c.Request().Context(), f)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, buildOpsJSON(d))
}

// opsCSVs are the downloadable panels.
var opsCSVs = map[string]func(d *opsData) (panelErr string, t table){
	"tpm":     tpmTable,
	"success": successTable,
	"latency": latencyTable,
	"errors":  errorsTable,
	"week":    weekTable,
}

// CSV serves GET /ops/<panel>.csv: exactly the numbers the panel charts.
func (h *Ops) CSV(c echo.Context) error {
	name, ok := cutCSV(c.Param("file"))
	f, known := opsCSVs[name]
	if !ok || !known {
		return echo.ErrNotFound
	}
	filter, _, err := h.parseFilter(c, false)
	if err != nil {
		return err
	}
	d := h.shared(c.Request().Context(), filter)
	unavailable, t := f(d)
	if unavailable != "" {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "This panel's data is unavailable: "+unavailable+". Try again shortly.")
	}
	filename := fmt.Sprintf("mari-ops-%s-%s.csv", name, d.now.In(calendar.SAST).Format("2006-01-02T1504"))
	return writeCSV(c, filename, t)
}
