package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
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
	Thresholds(ctx context.Context) (map[string]queries.OpsThreshold, error)
}

// OpsOptions configure the operations dashboard.
type OpsOptions struct {
	PanelTimeout time.Duration    // each panel's own time limit
	Now          func() time.Time // the clock
	Log          *slog.Logger
	// Landed counts the rows streamed into ClickHouse so far (the ingestion shipper's); when it
	// moves, shared results are refreshed sooner. Nil: nothing streams here.
	Landed func() uint64
	// Alerts reads the firing alert rules for the banner; nil: no banner.
	Alerts OpsAlertsSource
}

// Ops serves the operations dashboard (/ops), its live data (/ops/data) and CSVs; Display
// serves the same dashboard through display links. Each panel is one file (ops_*.go).
type Ops struct {
	src    OpsSource
	state  OpsStateSource
	opts   OpsOptions
	panels panels
	reads  opsReads // the statements behind the panels, shared by panels and viewers
	lastTh lastThresholds
}

// NewOps returns the handler: src reads ClickHouse, state reads PostgreSQL.
func NewOps(src OpsSource, state OpsStateSource, opts OpsOptions) *Ops {
	panelDefaults(&opts.PanelTimeout, &opts.Now, &opts.Log)
	return &Ops{src: src, state: state, opts: opts,
		panels: panels{timeout: opts.PanelTimeout, log: opts.Log},
		reads:  opsReads{timeout: opts.PanelTimeout, clock: time.Now, landed: opts.Landed}}
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

// opsIn is what every panel of the dashboard loads from: the filter, the instant, and whether
// the charts are drawn for the wall screen's dark background.
type opsIn struct {
	h      *Ops
	filter queries.OpsFilter
	now    time.Time
	wall   bool
}

// opsWindows are the periods of the panels, all ending with the current minute (or hour).
type opsWindows struct {
	minute   time.Time // start of the current minute
	end      time.Time // end of the current minute: the windows end here
	tpmFrom  time.Time // the last 60 minutes
	dayFrom  time.Time // the last 24 hours
	hourFrom time.Time // the 24 hours of the processing-time chart, ending with this hour
	hourEnd  time.Time
}

func (in opsIn) windows() opsWindows {
	var w opsWindows
	w.minute = in.now.Truncate(time.Minute) // SAST is a whole-hour offset: UTC truncation agrees
	w.end = w.minute.Add(time.Minute)
	w.tpmFrom = w.end.Add(-opsMinutes * time.Minute)
	w.dayFrom = w.end.Add(-24 * time.Hour)
	w.hourEnd = in.now.Truncate(time.Hour).Add(time.Hour)
	w.hourFrom = w.hourEnd.Add(-opsHours * time.Hour)
	return w
}

// key names what the panels' output depends on, so concurrent viewers of the same filter (and
// layout) share their panel loads: the windows move with the minute.
func (in opsIn) key() string {
	return fmt.Sprintf("%s|%s|wall=%t|%d", in.filter.Bank, in.filter.Channel, in.wall, in.windows().minute.Unix())
}

// The statements behind the panels, each shared (opsReads) by every panel and viewer asking for
// the same filter in the same minute: a page's tiles and charts that show the same numbers cost
// one query.

func (in opsIn) readKey(name string) string {
	return fmt.Sprintf("%s|%s|%s|%d", name, in.filter.Bank, in.filter.Channel, in.windows().minute.Unix())
}

// perMinute: initiated events in each of the last 60 minutes, 0 where there were none.
func (in opsIn) perMinute(ctx context.Context) ([]queries.MinuteCount, error) {
	w := in.windows()
	return read(ctx, &in.h.reads, in.readKey("per-minute"), func(ctx context.Context) ([]queries.MinuteCount, error) {
		rows, err := in.h.src.InitiatedPerMinute(ctx, w.tpmFrom, w.end, in.filter)
		return fillMinutes(rows, w.tpmFrom, opsMinutes), err
	})
}

// final: the completed and failed events of the last 24 hours.
func (in opsIn) final(ctx context.Context) (queries.FinalEvents, error) {
	w := in.windows()
	return read(ctx, &in.h.reads, in.readKey("final"), func(ctx context.Context) (queries.FinalEvents, error) {
		return in.h.src.FinalEvents(ctx, w.dayFrom, w.end, in.filter)
	})
}

// hourly: each of the last 24 hours' processing-time percentiles, hours without final events
// included (with none).
func (in opsIn) hourly(ctx context.Context) ([]queries.HourLatency, error) {
	w := in.windows()
	return read(ctx, &in.h.reads, in.readKey("hourly"), func(ctx context.Context) ([]queries.HourLatency, error) {
		rows, err := in.h.src.ProcessingHourly(ctx, w.hourFrom, w.hourEnd, in.filter)
		return fillHours(rows, w.hourFrom, opsHours), err
	})
}

// weekData is the last full minute's initiated events and the same minute's a week earlier.
// The current minute is not compared: a few seconds into it, it would read as a fall of
// nearly 100% against a whole minute last week.
type weekData struct {
	Minute            time.Time // start of the last full minute
	Current, LastWeek uint64
}

func (in opsIn) week(ctx context.Context) (weekData, error) {
	full := in.windows().minute.Add(-time.Minute)
	return read(ctx, &in.h.reads, in.readKey("week"), func(ctx context.Context) (weekData, error) {
		c, l, err := in.h.src.MinuteVsWeek(ctx, full, in.filter)
		return weekData{Minute: full, Current: c, LastWeek: l}, err
	})
}

// newestData is the newest minute with any event of the whole stream (OK false: none since
// yesterday).
type newestData struct {
	Minute time.Time
	OK     bool
}

func (in opsIn) newest(ctx context.Context) (newestData, error) {
	all := in
	all.filter = queries.OpsFilter{} // the stream as a whole, whatever the filter
	return read(ctx, &in.h.reads, all.readKey("newest"), func(ctx context.Context) (newestData, error) {
		m, ok, err := in.h.src.NewestMinute(ctx, in.now)
		return newestData{Minute: m, OK: ok}, err
	})
}

func (in opsIn) incidents(ctx context.Context) (queries.OpenIncidents, error) {
	all := in
	all.filter = queries.OpsFilter{} // incidents are not per bank or channel
	return read(ctx, &in.h.reads, all.readKey("incidents"), func(ctx context.Context) (queries.OpenIncidents, error) {
		return in.h.state.OpenIncidents(ctx, in.now)
	})
}

func (in opsIn) stuck(ctx context.Context) (queries.StuckPending, error) {
	all := in
	all.filter = queries.OpsFilter{}
	return read(ctx, &in.h.reads, all.readKey("stuck"), func(ctx context.Context) (queries.StuckPending, error) {
		return in.h.state.StuckPending(ctx, in.now.Add(-opsStuckAfter))
	})
}

// The dashboard's panels in the order the page shows them, after the status line's newest-event
// age (newestPanel): the headline figures, then the charts.
var (
	opsFigures = []opsTile{successRateTile, thisMinuteTile, lastWeekTile, lastHourTile, openIncidentsTile, stuckPaymentsTile}
	opsCharts  = []opsChart{perMinuteChart, successGaugeChart, processingTimeChart, errorRateChart}
)

// opsDownloads are the panels with a CSV (/ops/<name>.csv): the charts, and this minute against
// the same minute last week.
func opsDownloads() []panelSpec[opsIn] {
	out := []panelSpec[opsIn]{}
	for _, c := range opsCharts {
		out = append(out, c.panel)
	}
	return append(out, thisMinuteTile.panel)
}

// opsTile is a headline figure: its panel, and the data-ops-field names of its value and its
// line under it, which the wall screen's refresh rewrites.
type opsTile struct {
	panel         panelSpec[opsIn]
	field, detail string
}

// opsChart is a chart panel and its chart without data: what the page draws while the panel's
// source is unavailable, so that the refresh has a chart to fill when the source is back.
type opsChart struct {
	panel panelSpec[opsIn]
	empty func(wall bool) map[string]any
}

// opsLoad is one load of the dashboard for a filter: every panel's output.
type opsLoad struct {
	in      opsIn
	newest  panelOut
	figures []panelOut // as opsFigures
	charts  []panelOut // as opsCharts
	banner  *opsBannerJSON
	levels  opsThresholds // the figures' alarm levels
}

// load runs every panel of the dashboard concurrently, each on its own detached context with
// its own timeout: a viewer who leaves cancels nothing that others wait for.
func (h *Ops) load(ctx context.Context, f queries.OpsFilter, wall bool) opsLoad {
	in := opsIn{h: h, filter: f, now: h.opts.Now(), wall: wall}
	list := []panelSpec[opsIn]{newestPanel}
	for _, t := range opsFigures {
		list = append(list, t.panel)
	}
	for _, c := range opsCharts {
		list = append(list, c.panel)
	}
	banner := make(chan *opsBannerJSON, 1) // read beside the panels, from PostgreSQL
	levels := make(chan opsThresholds, 1)
	go func() { banner <- h.banner(ctx, in) }()
	go func() { levels <- h.thresholds(ctx, in) }()
	out := run(ctx, &h.panels, in.key(), list, in)
	return opsLoad{in: in, newest: out[0], figures: out[1 : 1+len(opsFigures)], charts: out[1+len(opsFigures):], banner: <-banner, levels: <-levels}
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

// fillHours returns one row per hour; an hour without final events has Events 0 and no
// percentiles (a gap in the chart, an empty CSV cell), never a made-up zero.
func fillHours(rows []queries.HourLatency, from time.Time, n int) []queries.HourLatency {
	by := map[int64]queries.HourLatency{}
	for _, r := range rows {
		by[r.Hour.Unix()] = r
	}
	out := make([]queries.HourLatency, n)
	for i := range out {
		hr := from.Add(time.Duration(i) * time.Hour)
		r := by[hr.Unix()]
		r.Hour = hr
		out[i] = r
	}
	return out
}

func sastClock(t time.Time, layout string) string { return t.In(calendar.SAST).Format(layout) }

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
	wall := c.QueryParam("wall") == "1"
	fq := filterQuery(f)
	title := "Operations"
	if form.Label != "" {
		title += " · " + form.Label
	}
	v := opsView(h.load(c.Request().Context(), f, wall), opsViewOptions{
		DataURL: withQuery("/ops/data", fq), CSV: true, CSVQuery: fq,
		WallHref: withQuery("/ops", fq, "wall=1"), NormalHref: withQuery("/ops", fq), Title: title,
	})
	v.Filter = form
	return render(c, http.StatusOK, views.OpsPage(v))
}

// Data serves GET /ops/data: every panel's numbers for the page's 5-second refresh.
func (h *Ops) Data(c echo.Context) error {
	f, _, err := h.parseFilter(c, false)
	if err != nil {
		return err
	}
	return h.writeJSON(c, f)
}

// writeJSON answers a refresh: the refresh of the wall screen and of the signed-in page is the
// same (its chart patches carry data only, never the colours of either layout).
func (h *Ops) writeJSON(c echo.Context, f queries.OpsFilter) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, opsData(h.load(c.Request().Context(), f, true)))
}

// CSV serves GET /ops/<panel>.csv: exactly the numbers the panel shows; <panel>.xlsx the same
// as a workbook.
func (h *Ops) CSV(c echo.Context) error {
	name, format, ok := downloadFile(c.Param("file"))
	p, known := findPanel(opsDownloads(), name)
	if !ok || !known {
		return echo.ErrNotFound
	}
	f, _, err := h.parseFilter(c, false)
	if err != nil {
		return err
	}
	in := opsIn{h: h, filter: f, now: h.opts.Now(), wall: true}
	o := runOne(c.Request().Context(), &h.panels, in.key(), p, in)
	if o.Chart.Unavailable != "" { // a failed panel, tile or chart, says why in both
		return echo.NewHTTPError(http.StatusServiceUnavailable, "This panel's data is unavailable: "+o.Chart.Unavailable+". Try again shortly.")
	}
	filename := fmt.Sprintf("mari-ops-%s-%s", name, in.now.In(calendar.SAST).Format("2006-01-02T1504"))
	return writeDownload(c, format, filename, o.Table)
}
