package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"

	"mari/calendar"
	"mari/catalogue"
	"mari/queries"
	"mari/views"
)

// GrowthSource is what the growth dashboard reads besides the metric catalogue: its page-only
// panels and its dates. queries.Growth implements it over PostgreSQL.
type GrowthSource interface {
	CohortRetention(ctx context.Context, from, to calendar.Date) ([]queries.CohortCell, error)
	TopReferrers(ctx context.Context, r calendar.Range, knownThrough calendar.Date, limit int) ([]queries.Referrer, int64, error)
	FirstSignup(ctx context.Context) (time.Time, bool, error)
	RollupFreshness(ctx context.Context) (time.Time, bool, error)
}

// GrowthOptions configure the growth dashboard.
type GrowthOptions struct {
	LaunchMonth  calendar.Date    // zero: the month of the first sign-up
	PanelTimeout time.Duration    // each panel's own time limit
	Now          func() time.Time // the clock
	Log          *slog.Logger
}

// Growth serves the growth dashboard (sign-ups, activation, retention cohorts, referrals) and
// its CSV downloads. Its figures are the catalogue's growth metrics; each panel
// (growth_*.go) loads and shows one.
type Growth struct {
	src     GrowthSource
	metrics *catalogue.Sources
	opts    GrowthOptions
	panels  panels
	// The referrals tile and the top-referrers table read the same query at the same time.
	referrers singleflight.Group
}

// NewGrowth returns the handler.
func NewGrowth(src GrowthSource, m *catalogue.Sources, opts GrowthOptions) *Growth {
	panelDefaults(&opts.PanelTimeout, &opts.Now, &opts.Log)
	return &Growth{src: src, metrics: m, opts: opts, panels: panels{timeout: opts.PanelTimeout, log: opts.Log}}
}

// Signup sources in the order the page shows them, with their labels.
var signupSourceLabels = map[string]string{"organic": "Organic", "referral": "Referral", "bank_promotion": "Bank promotion"}

func sourceLabel(key string) string {
	if l, ok := signupSourceLabels[key]; ok {
		return l
	}
	return key
}

// sourceColours: each signup source keeps its colour on every chart.
var sourceColours = map[string]string{"organic": green, "referral": amber, "bank_promotion": blue}

// maxDailyBuckets is the longest range shown day by day: beyond a year a bar per day is noise.
const maxDailyBuckets = 366

// growthFilter is the validated state of the page's URL.
type growthFilter struct {
	rc       rangeChoice
	Source   string          // "" for every source
	By       catalogue.Grain // the cohort period
	ByChosen bool            // by was in the URL (else chosen from the range's length)
}

// autoBy picks the period for a range: days up to two months, ISO weeks up to a year, months
// beyond.
func autoBy(r calendar.Range) catalogue.Grain {
	switch n := r.Days(); {
	case n <= 62:
		return catalogue.Day
	case n <= 366:
		return catalogue.Week
	}
	return catalogue.Month
}

// parseGrowthFilter reads from, to, preset, source and by. Each may be given once.
func parseGrowthFilter(q url.Values, today calendar.Date, launch func() calendar.Date) (growthFilter, error) {
	f := growthFilter{Source: q.Get("source"), By: catalogue.Grain(q.Get("by"))}
	for _, k := range []string{"from", "to", "preset", "source", "by"} {
		if len(q[k]) > 1 {
			f.rc = rangeChoice{From: q.Get("from"), To: q.Get("to")}
			return f, badf("The filter %q is given %d times; give it once.", k, len(q[k]))
		}
	}
	rc, err := parseRange(q, today, launch)
	f.rc = rc
	if err != nil {
		return f, err
	}
	if f.Source != "" {
		if _, known := signupSourceLabels[f.Source]; !known {
			return f, badf("Unknown signup source %q: choose one of %s, or all sources.", f.Source, strings.Join(catalogue.SignupSources, ", "))
		}
	}
	switch f.By {
	case "":
		f.By = autoBy(rc.Range)
	case catalogue.Day, catalogue.Week, catalogue.Month:
		f.ByChosen = true
	default:
		return f, badf("Cannot group sign-ups by %q: choose day, week or month.", f.By)
	}
	if f.By == catalogue.Day && rc.Range.Days() > maxDailyBuckets {
		return f, badf("The range is %d days long: group by day shows at most %d days. Group by week or month, or choose a shorter range.", rc.Range.Days(), maxDailyBuckets)
	}
	return f, nil
}

// query is the filter as URL parameters: the range as dates, the source and the period.
func (f growthFilter) query() url.Values {
	q := url.Values{"from": {f.rc.Range.From.String()}, "to": {f.rc.Range.To.String()}, "by": {string(f.By)}}
	if f.Source != "" {
		q.Set("source", f.Source)
	}
	return q
}

// keep is what a preset link carries besides the preset: the source, and the period only when
// it was chosen (otherwise it follows the new range's length).
func (f growthFilter) keep() url.Values {
	q := url.Values{}
	if f.Source != "" {
		q.Set("source", f.Source)
	}
	if f.ByChosen {
		q.Set("by", string(f.By))
	}
	return q
}

func (h *Growth) parse(c echo.Context, today calendar.Date) (growthFilter, error) {
	return parseGrowthFilter(c.QueryParams(), today,
		launchForAll(c.Request().Context(), h.opts.PanelTimeout, h.opts.Log, h.opts.LaunchMonth, h.src.FirstSignup))
}

// growthIn is what every growth panel loads from: the filters and the clock.
type growthIn struct {
	h     *Growth
	f     growthFilter
	now   time.Time
	today calendar.Date
	prev  calendar.Range
}

func (h *Growth) input(f growthFilter, now time.Time) growthIn {
	return growthIn{h: h, f: f, now: now, today: calendar.Today(now), prev: f.rc.Range.PreviousPeriod()}
}

// key names the inputs that change the panels' data, so viewers of the same filters share
// their loads.
func (in growthIn) key() string {
	return in.f.rc.Range.String() + "/" + in.f.Source + "/" + string(in.f.By) + "@" + in.today.String()
}

// query asks for the range r by g, of source ("" for all), as of the page's instant.
func (in growthIn) query(r calendar.Range, g catalogue.Grain, source string) catalogue.Query {
	return catalogue.Query{Range: r, Grain: g, Filters: catalogue.Filters{Source: source}, Now: in.now}
}

// ask loads a growth metric over r by g, of source.
func (in growthIn) ask(ctx context.Context, id string, r calendar.Range, g catalogue.Grain, source string) (catalogue.Series, error) {
	return catalogue.Ask(ctx, in.h.metrics, catalogue.Must(id), in.query(r, g, source))
}

// cohorts are the signup cohorts of the page's range by its period, of source, and their
// total: the counts the growth metrics are computed from.
func (in growthIn) cohorts(ctx context.Context, source string) ([]catalogue.Cohort, catalogue.CohortCounts, error) {
	return catalogue.Cohorts(ctx, in.h.metrics, in.query(in.f.rc.Range, in.f.By, source))
}

// withCounts is a growth rate over the page's range, of its source, with the counts it is
// computed from, for a tile to show beside it.
func (in growthIn) withCounts(ctx context.Context, id string) (s catalogue.Series, c catalogue.CohortCounts, err error) {
	err = atOnce(ctx,
		func(ctx context.Context) (err error) {
			s, err = in.ask(ctx, id, in.f.rc.Range, in.f.By, in.f.Source)
			return err
		},
		func(ctx context.Context) (err error) {
			_, c, err = in.cohorts(ctx, in.f.Source)
			return err
		})
	return s, c, err
}

// atOnce runs a panel's loads concurrently, so that loads of the same rows share one query:
// every growth metric over the page's range reads the same growth_daily rows, and the
// catalogue shares a read among the callers waiting for it at the same moment. It returns
// every error, joined.
func atOnce(ctx context.Context, loads ...func(ctx context.Context) error) error {
	errs := make([]error, len(loads))
	var wg sync.WaitGroup
	for i, load := range loads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = load(ctx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// topReferrers reads the page's top referrers, once for the panels that show them.
func (in growthIn) topReferrers(ctx context.Context) (referrersData, error) {
	known := catalogue.ActivationKnownThrough(in.today)
	v, err, _ := in.h.referrers.Do(in.f.rc.Range.String()+"@"+known.String(), func() (any, error) {
		top, total, err := in.h.src.TopReferrers(ctx, in.f.rc.Range, known, topReferrersShown)
		return referrersData{Top: top, Total: total, KnownThrough: known}, err
	})
	if err != nil {
		return referrersData{}, err
	}
	return v.(referrersData), nil
}

type referrersData struct {
	Top          []queries.Referrer
	Total        int64
	KnownThrough calendar.Date
}

// topReferrersShown is the length of the top-referrers table.
const topReferrersShown = 20

// The page's panels in the order it shows them; growthDownloads are those with a CSV.
var (
	growthTiles     = []panelSpec[growthIn]{signupsTilePanel, activationTilePanel, retentionTilePanels[0], retentionTilePanels[1], retentionTilePanels[2]}
	growthDownloads = []panelSpec[growthIn]{signupsChartPanel, cohortsChartPanel, heatmapChartPanel, sourcesChartPanel, referrersTablePanel}
)

// Page serves GET /growth.
func (h *Growth) Page(c echo.Context) error {
	now := h.opts.Now()
	f, err := h.parse(c, calendar.Today(now))
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return render(c, http.StatusBadRequest, views.GrowthInvalid(growthForm(f, bad.msg)))
		}
		return err
	}
	return render(c, http.StatusOK, views.GrowthPage(h.build(c.Request().Context(), f, now)))
}

// build loads every panel of the page for f as of now.
func (h *Growth) build(ctx context.Context, f growthFilter, now time.Time) views.Growth {
	in := h.input(f, now)
	all := append(append([]panelSpec[growthIn]{growthFreshnessPanel, referralsTilePanel}, growthTiles...), growthDownloads...)
	out := run(ctx, &h.panels, in.key(), all, in)
	g := views.Growth{
		Form:        growthForm(f, ""),
		Range:       f.rc.Range,
		Previous:    in.prev,
		Filters:     sourceFilterLabel(f.Source) + " · by " + byLabel(f.By),
		GeneratedAt: now.In(calendar.SAST).Format("2 Jan 2006 15:04"),
		FiguresAsOf: out[0].Tile.Value,
	}
	if out[0].Tile.Unavailable != "" {
		g.FiguresAsOf = "rollup status unavailable: " + out[0].Tile.Unavailable
	}
	referrals := out[1].Tile
	out = out[2:]
	for _, o := range out[:len(growthTiles)] {
		g.Tiles = append(g.Tiles, o.Tile)
	}
	out = out[len(growthTiles):]
	charts := map[string]views.Chart{}
	tables := map[string]Table{}
	q := f.query().Encode()
	for i, o := range out {
		name := growthDownloads[i].Name
		o.Chart.CSVHref = "/growth/" + name + ".csv?" + q
		charts[name], tables[name] = o.Chart, o.Table
	}
	g.Sections = []views.GrowthSection{
		{ID: "signups", Title: "Sign-ups", HelpID: catalogue.IDGrowthSignups, Charts: []views.Chart{charts["signups"]}},
		{ID: "cohorts", Title: "Activation and retention by signup cohort", HelpID: catalogue.IDGrowthCohort,
			Note:   "Cohorts are the sign-ups of each " + byLabel(f.By) + ". Rates count only the users for whom they are known today; n/a means nobody in the cohort is eligible yet.",
			Charts: []views.Chart{charts["cohorts"]}, Tables: []views.BankTable{cohortsTable(charts["cohorts"], tables["cohorts"], f.By)}},
		{ID: "heatmap", Title: "Monthly cohort retention", HelpID: catalogue.IDGrowthCohortHeatmap, Charts: []views.Chart{charts["retention-heatmap"]}},
		{ID: "referrals", Title: "Referral programme", HelpID: catalogue.IDGrowthReferrals,
			Note:   "The referral panels compare the signup sources, so they always cover every source.",
			Tiles:  []views.Tile{referrals},
			Charts: []views.Chart{charts["sources"]},
			Tables: []views.BankTable{sourcesTable(charts["sources"], tables["sources"]), referrersTable(charts["referrers"], tables["referrers"])}},
	}
	return g
}

// CSV serves GET /growth/{panel}.csv with the page's filters: exactly the numbers of that
// panel; {panel}.xlsx the same as a workbook. An unknown panel is a 404.
func (h *Growth) CSV(c echo.Context) error {
	name, format, ok := downloadFile(c.Param("file"))
	p, known := findPanel(growthDownloads, name)
	if !ok || !known {
		return echo.ErrNotFound
	}
	now := h.opts.Now()
	f, err := h.parse(c, calendar.Today(now))
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return echo.NewHTTPError(http.StatusBadRequest, bad.msg)
		}
		return err
	}
	in := h.input(f, now)
	o := runOne(c.Request().Context(), &h.panels, in.key(), p, in)
	if o.Chart.Unavailable != "" {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "This panel's data is unavailable: "+o.Chart.Unavailable+". Try again shortly.")
	}
	src := "all-sources"
	if f.Source != "" {
		src = f.Source
	}
	return writeDownload(c, format, fmt.Sprintf("mari-growth-%s-%s-%s-to-%s", name, src, f.rc.Range.From, f.rc.Range.To), o.Table)
}

// growthForm is the filter form's state; msg is an input error to show.
func growthForm(f growthFilter, msg string) views.GrowthForm {
	gf := views.GrowthForm{Range: views.RangeForm{From: f.rc.From, To: f.rc.To, Error: msg, Preset: relativePreset(f.rc)}, Source: f.Source, By: string(f.By)}
	if !f.ByChosen && msg == "" {
		gf.By = "" // "automatic": the period follows the range
	}
	keep := f.keep()
	for _, p := range presets {
		q := url.Values{"preset": {p.Key}}
		for k, v := range keep {
			q[k] = v
		}
		gf.Range.Presets = append(gf.Range.Presets, views.PresetLink{
			Label: p.Label, Href: "/growth?" + q.Encode(), Active: msg == "" && f.rc.Preset == p.Key,
		})
	}
	gf.Sources = append(gf.Sources, views.Option{Value: "", Label: "All sources"})
	for _, s := range catalogue.SignupSources {
		gf.Sources = append(gf.Sources, views.Option{Value: s, Label: sourceLabel(s)})
	}
	gf.Periods = []views.Option{{Value: "", Label: "Automatic"}, {Value: string(catalogue.Day), Label: "Day"},
		{Value: string(catalogue.Week), Label: "Week (ISO)"}, {Value: string(catalogue.Month), Label: "Month"}}
	return gf
}

func sourceFilterLabel(source string) string {
	if source == "" {
		return "all signup sources"
	}
	return sourceLabel(source) + " sign-ups only"
}

func byLabel(by catalogue.Grain) string {
	switch by {
	case catalogue.Week:
		return "ISO week (Monday to Sunday)"
	case catalogue.Month:
		return "calendar month"
	}
	return "day"
}

// cutByRange reports whether the range cuts p's whole period of g (a week or month that starts
// before the range or ends after it).
func cutByRange(p calendar.Range, g catalogue.Grain) bool {
	switch g {
	case catalogue.Week:
		return !p.From.Equal(p.From.WeekStart()) || !p.To.Equal(p.To.WeekStart().AddDays(6))
	case catalogue.Month:
		return !p.From.Equal(p.From.MonthStart()) || !p.To.Equal(p.To.MonthEnd())
	}
	return false
}

// cohortLabel names a period of the page's "by" choice on axes and tables: "2026-03-02",
// "week of 2026-03-02", "Mar 2026", marked "(partial)" when the range cuts it.
func cohortLabel(p calendar.Range, g catalogue.Grain) string {
	switch g {
	case catalogue.Week:
		return withPartial("week of "+p.From.WeekStart().String(), cutByRange(p, g))
	case catalogue.Month:
		return withPartial(p.From.MonthLabel(), cutByRange(p, g))
	}
	return p.From.String()
}

func withPartial(label string, partial bool) string {
	if partial {
		return label + " (partial)"
	}
	return label
}

// fraction is a rate in a growth CSV: six decimal places, empty when n/a (the table prints a
// cell through its String method).
type fraction catalogue.Value

func (f fraction) String() string {
	if !f.OK {
		return ""
	}
	return f.V.StringFixed(6)
}

// rateCell is "42.0% (21 / 50)", or "n/a" when nobody is eligible.
func rateCell(v catalogue.Value, num, den int64) string {
	if !v.OK {
		return views.NA
	}
	return views.Percent(v.V, 1) + " (" + views.Count(num) + " / " + views.Count(den) + ")"
}

// rateDrawn is a rate as a chart draws it: a percentage with one decimal, nil (a gap) when n/a.
func rateDrawn(v catalogue.Value) any {
	if !v.OK {
		return nil
	}
	return drawn(v.V.Mul(decimalOf(100)).Round(1))
}

// rateYAxis is the axis of rates drawn in percent.
func rateYAxis() opts.YAxis {
	return opts.YAxis{Type: "value", Name: "rate (%)", Min: 0, Max: 100}
}

// rateSeries: a rate's tooltip shows the percentage drawn, with its sign ("75.0%").
func rateSeries() charts.SeriesOpts {
	return charts.WithSeriesTooltipOpts(opts.SeriesTooltip{ValueFormatter: types.FuncStr("fmt:percentDrawn")})
}

// tableCells reads a panel's typed table back by column name, to lay it out as a page table:
// the page and the CSV show the same typed values.
type tableCells struct {
	t   Table
	col map[string]int
}

func cellsOf(t Table) tableCells {
	c := tableCells{t: t, col: map[string]int{}}
	for i, col := range t.Columns {
		c.col[col.Name] = i
	}
	return c
}

func (c tableCells) get(row []any, name string) any {
	i, ok := c.col[name]
	if !ok {
		panic("growth table has no column " + name)
	}
	return row[i]
}

func (c tableCells) count(row []any, name string) int64 { n, _ := c.get(row, name).(int64); return n }
func (c tableCells) rate(row []any, name string) catalogue.Value {
	f, _ := c.get(row, name).(fraction)
	return catalogue.Value(f)
}

// pageTable is a table panel's frame on the page: its title, help and what its chart says when
// it has nothing to show.
func pageTable(title, helpID string, chart views.Chart) views.BankTable {
	return views.BankTable{Title: title, HelpID: helpID, CSVHref: chart.CSVHref, Unavailable: chart.Unavailable, Empty: chart.Empty}
}
