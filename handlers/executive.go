package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/catalogue"
	"mari/metrics"
	"mari/queries"
	"mari/views"
)

// ExecutiveSource is what the executive dashboard reads besides the metric catalogue;
// queries.Executive implements it over PostgreSQL and ClickHouse (the live tile).
type ExecutiveSource interface {
	MAUOn(ctx context.Context, d calendar.Date) (int64, bool, error)
	Milestones(ctx context.Context) ([]metrics.Milestone, error)
	FirstSignup(ctx context.Context) (time.Time, bool, error)
	LiveToday(ctx context.Context, d calendar.Date) (queries.LiveToday, error)
	RollupFreshness(ctx context.Context) (time.Time, bool, error)
}

// ExecutiveOptions configure the executive dashboard.
type ExecutiveOptions struct {
	LaunchMonth  calendar.Date    // zero: the month of the first sign-up
	PanelTimeout time.Duration    // each panel's own time limit
	Now          func() time.Time // the clock
	Log          *slog.Logger
}

// Executive serves the executive dashboard and its CSV downloads. Every figure is a metric of
// the catalogue; each panel (executive_*.go) loads and shows one.
type Executive struct {
	src     ExecutiveSource
	metrics *catalogue.Sources
	opts    ExecutiveOptions
	panels  panels
}

// NewExecutive returns the handler.
func NewExecutive(src ExecutiveSource, m *catalogue.Sources, opts ExecutiveOptions) *Executive {
	panelDefaults(&opts.PanelTimeout, &opts.Now, &opts.Log)
	return &Executive{src: src, metrics: m, opts: opts, panels: panels{timeout: opts.PanelTimeout, log: opts.Log}}
}

// execIn is what every executive panel loads from: the range and the clock.
type execIn struct {
	h     *Executive
	rc    rangeChoice
	now   time.Time
	today calendar.Date
	prev  calendar.Range
}

// ask loads a metric over r by g, as of the page's instant.
func (in execIn) ask(ctx context.Context, id string, r calendar.Range, g catalogue.Grain) (catalogue.Series, error) {
	return catalogue.Ask(ctx, in.h.metrics, catalogue.Must(id), catalogue.Query{Range: r, Grain: g, Now: in.now})
}

// total is a metric's total over the page's range and over the previous period.
func (in execIn) total(ctx context.Context, id string) (cur, prev catalogue.Value, err error) {
	s, err := in.ask(ctx, id, in.rc.Range, catalogue.Month)
	if err != nil {
		return cur, prev, err
	}
	p, err := in.ask(ctx, id, in.prev, catalogue.Month)
	return s.Total, p.Total, err
}

// key names the inputs that change the panels' data, so viewers of the same range share
// their loads.
func (in execIn) key() string { return in.rc.Range.String() + "@" + in.today.String() }

// executivePanels are the page's panels in the order it shows them.
var (
	executiveTiles  = []panelSpec[execIn]{totalUsersPanel, mauPanel, txPerUserPanel, volumePanel, revenuePanel, livePanel}
	executiveKPIs   = []panelSpec[execIn]{successRatePanel, fraudRatePanel, grossMarginPanel, transactionMarginPanel, ltvCACPanel, uptimePanel}
	executiveCharts = []panelSpec[execIn]{northStarChartPanel, revenueChartPanel, mauChartPanel, dailyChartPanel}
)

func (h *Executive) input(rc rangeChoice, now time.Time) execIn {
	return execIn{h: h, rc: rc, now: now, today: calendar.Today(now), prev: rc.Range.PreviousPeriod()}
}

// launchMonth is the configured launch month, else the month of the first sign-up.
func (h *Executive) launchMonth(ctx context.Context) (calendar.Date, bool, error) {
	return launchMonth(ctx, h.opts.LaunchMonth, h.src.FirstSignup)
}

// parse reads the range; the "all" preset asks the database for the launch month.
func (h *Executive) parse(c echo.Context, today calendar.Date) (rangeChoice, error) {
	return parseRange(c.QueryParams(), today,
		launchForAll(c.Request().Context(), h.opts.PanelTimeout, h.opts.Log, h.opts.LaunchMonth, h.src.FirstSignup))
}

// Page serves GET /.
func (h *Executive) Page(c echo.Context) error {
	now := h.opts.Now()
	today := calendar.Today(now)
	rc, err := h.parse(c, today)
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return render(c, http.StatusBadRequest, views.ExecutiveInvalid(h.form(rc, bad.msg)))
		}
		return err
	}
	return render(c, http.StatusOK, views.ExecutivePage(h.build(c.Request().Context(), rc, now)))
}

// build loads every panel of the page for rc as of now.
func (h *Executive) build(ctx context.Context, rc rangeChoice, now time.Time) views.Executive {
	in := h.input(rc, now)
	ctx = catalogue.WithMemo(ctx)
	h.preload(ctx, in)
	all := append(append(append([]panelSpec[execIn]{freshnessPanel}, executiveTiles...), executiveKPIs...), executiveCharts...)
	out := run(ctx, &h.panels, in.key(), all, in)
	page := views.Executive{
		Form:        h.form(rc, ""),
		Range:       rc.Range,
		Previous:    in.prev,
		GeneratedAt: now.In(calendar.SAST).Format("2 Jan 2006 15:04"),
		FiguresAsOf: out[0].Tile.Value,
	}
	if out[0].Tile.Unavailable != "" {
		page.FiguresAsOf = "rollup status unavailable: " + out[0].Tile.Unavailable
	}
	out = out[1:]
	for _, o := range out[:len(executiveTiles)] {
		page.Tiles = append(page.Tiles, o.Tile)
	}
	out = out[len(executiveTiles):]
	for _, o := range out[:len(executiveKPIs)] {
		page.KPIs = append(page.KPIs, o.Tile)
	}
	q := rangeQuery(rc.Range)
	for i, o := range out[len(executiveKPIs):] {
		o.Chart.CSVHref = "/executive/" + executiveCharts[i].Name + ".csv?" + q
		page.Charts = append(page.Charts, o.Chart)
	}
	return page

}

// CSV serves GET /executive/{chart}.csv?from=..&to=..: exactly the numbers of that chart
// (exact decimals, SAST dates) as an attachment; {chart}.xlsx the same as a workbook. An
// unknown chart is a 404.
func (h *Executive) CSV(c echo.Context) error {
	name, format, ok := downloadFile(c.Param("file"))
	p, known := findPanel(executiveCharts, name)
	if !ok || !known {
		return echo.ErrNotFound
	}
	now := h.opts.Now()
	rc, err := h.parse(c, calendar.Today(now))
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return echo.NewHTTPError(http.StatusBadRequest, bad.msg)
		}
		return err
	}
	in := h.input(rc, now)
	o := runOne(c.Request().Context(), &h.panels, in.key(), p, in)
	if o.Chart.Unavailable != "" {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "This chart's data is unavailable: "+o.Chart.Unavailable+". Try again shortly.")
	}
	return writeDownload(c, format, fmt.Sprintf("mari-%s-%s-to-%s", name, rc.Range.From, rc.Range.To), o.Table)
}

// preload reads, once, the daily facts every panel of the page cuts its range from: from the
// earliest day any panel asks for (the previous period, the month before the range's first,
// the launch month of the north star) through today. A failure here is no failure of the page:
// the panels then read their own and say what they could not.
func (h *Executive) preload(ctx context.Context, in execIn) {
	from := in.prev.From
	if m := in.rc.Range.From.MonthStart().AddMonths(-1); m.Before(from) {
		from = m
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.opts.PanelTimeout)
	defer cancel()
	if launch, ok, err := h.launchMonth(lctx); err == nil && ok && launch.Before(from) {
		from = launch
	}
	if from.After(in.today) {
		return
	}
	defer recordLoad(ctx, time.Now())
	if err := h.metrics.PreloadFacts(lctx, calendar.Range{From: from, To: in.today}); err != nil {
		h.opts.Log.Warn("preloading the executive page's facts", "err", err)
	}
}

// form is the range selector's state; msg is an input error to show.
func (h *Executive) form(rc rangeChoice, msg string) views.RangeForm {
	f := views.RangeForm{From: rc.From, To: rc.To, Error: msg, Preset: relativePreset(rc)}
	for _, p := range presets {
		f.Presets = append(f.Presets, views.PresetLink{
			Label: p.Label, Href: "/?preset=" + p.Key, Active: msg == "" && rc.Preset == p.Key,
		})
	}
	return f
}

// metricTile is a tile showing metric m's value v, formatted in its unit (compact money with
// the exact amount on hover).
func metricTile(m *catalogue.Metric, v catalogue.Value) views.Tile {
	t := views.Tile{Value: views.ValueShort(m.Unit, m.Decimals, v)}
	if m.Unit == catalogue.Rand && v.OK {
		t.Exact = views.Value(m.Unit, m.Decimals, v)
	}
	return t
}

// withDelta adds the change of cur against prev (the previous period, named against).
func withDelta(t views.Tile, cur, prev catalogue.Value, against string) views.Tile {
	switch {
	case !cur.OK:
	case !prev.OK:
		t.Delta, t.DeltaClass = "no comparison: n/a in "+against, "flat"
	default:
		t.Delta, t.DeltaClass = delta(cur.V, prev.V, against)
	}
	return t
}

// rangeTile is a panel showing a metric summed (or taken as a ratio) over the page's range,
// against the previous period; lines adds the tile's small print.
func rangeTile(name, id string, lines func(ctx context.Context, in execIn) ([]string, error)) panelSpec[execIn] {
	m := catalogue.Must(id)
	return panelSpec[execIn]{Name: name, Title: m.Name, Metric: id, DB: dbPG,
		Load: func(ctx context.Context, in execIn) (panelOut, error) {
			cur, prev, err := in.total(ctx, id)
			if err != nil {
				return panelOut{}, err
			}
			t := metricTile(m, cur)
			if lines != nil {
				if t.Lines, err = lines(ctx, in); err != nil {
					return panelOut{}, err
				}
			}
			// A rate's change is read as its previous value; an amount's as a growth rate.
			if m.Unit == catalogue.Ratio {
				if prev.OK {
					t.Lines = append(t.Lines, "previous period "+views.Value(m.Unit, m.Decimals, prev))
				}
			} else {
				t = withDelta(t, cur, prev, rangeLabel(in.prev))
			}
			if m.Target != "" {
				if err := withTarget(ctx, in, m, cur, &t); err != nil {
					return panelOut{}, err
				}
			}
			return panelOut{Tile: t}, nil
		}}
}

// withTarget adds the metric's target (from kpi_targets) and whether v meets it.
func withTarget(ctx context.Context, in execIn, m *catalogue.Metric, v catalogue.Value, t *views.Tile) error {
	targets, err := in.h.metrics.Targets(ctx)
	if err != nil {
		return err
	}
	target, found := targets[m.Target]
	if !found {
		return nil
	}
	op := "≥"
	if target.Comparison == metrics.AtMost {
		op = "≤"
	}
	t.Target = "target " + op + " " + views.Value(m.Unit, m.Decimals, catalogue.Of(target.Value))
	t.Status = target.Evaluate(v.V, v.OK).String()
	return nil
}

// monthlyHeadline picks, from a calendar-month series, the last month complete inside from's
// range (the headline: index into s.Points, -1 when none) and the last month after it that is
// not complete (the month still running, or one the range cuts; -1 when none).
func monthlyHeadline(s catalogue.Series, from calendar.Date) (complete, partial int) {
	complete, partial = -1, -1
	for i := len(s.Points) - 1; i >= 0; i-- {
		p := s.Points[i]
		if p.Complete && !p.Period.From.Before(from) {
			complete = i
			break
		}
		if partial < 0 && p.Value.OK {
			partial = i
		}
	}
	return complete, partial
}

// partialMonthLabel names a month that is not complete in the range: the month still running
// ("Dec 2026 to date (1 day)") or one the range cuts ("Oct 2026 (1–20)").
func partialMonthLabel(p calendar.Range, today calendar.Date) string {
	if p.To.Before(today) {
		return catalogue.PeriodLabel(p, catalogue.Month)
	}
	days := "days"
	if p.To.Day() == 1 {
		days = "day"
	}
	return fmt.Sprintf("%s to date (%d %s)", p.From.MonthLabel(), p.To.Day(), days)
}

// decimalOf is a count as a decimal.
func decimalOf(n int64) decimal.Decimal { return decimal.NewFromInt(n) }

// notAfter is d, or limit when d is later.
func notAfter(d, limit calendar.Date) calendar.Date {
	if d.After(limit) {
		return limit
	}
	return d
}
