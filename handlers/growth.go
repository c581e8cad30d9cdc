package handlers

import (
	"context"
	"errors"
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

// GrowthOptions configure the growth dashboard.
type GrowthOptions struct {
	LaunchMonth  calendar.Date    // zero: the month of the first sign-up
	PanelTimeout time.Duration    // each panel's own time limit
	Now          func() time.Time // the clock
	Log          *slog.Logger
}

// Growth serves the growth dashboard (sign-ups, activation, retention cohorts, referrals) and
// its CSV downloads. Every figure comes from the growth rollups and cohort_retention.
type Growth struct {
	db   queries.Querier
	opts GrowthOptions
}

// NewGrowth returns the handler.
func NewGrowth(db queries.Querier, opts GrowthOptions) *Growth {
	panelDefaults(&opts.PanelTimeout, &opts.Now, &opts.Log)
	return &Growth{db: db, opts: opts}
}

// Signup sources, as stored in users.signup_source, in the order the page shows them.
var signupSources = []struct{ Key, Label string }{
	{"organic", "Organic"},
	{"referral", "Referral"},
	{"bank_promotion", "Bank promotion"},
}

func sourceLabel(key string) string {
	for _, s := range signupSources {
		if s.Key == key {
			return s.Label
		}
	}
	return key
}

// Period lengths of the "by" choice: how sign-ups are bucketed and cohorts are formed.
const (
	byDay   = "day"
	byWeek  = "week"
	byMonth = "month"
)

// maxDailyBuckets is the longest range shown day by day: beyond a year a bar per day is noise.
const maxDailyBuckets = 366

// growthFilter is the validated state of the page's URL.
type growthFilter struct {
	rc       rangeChoice
	Source   string // "" for every source
	By       string // day, week or month
	ByChosen bool   // by was in the URL (else chosen from the range's length)
}

// autoBy picks the period for a range: days up to two months, ISO weeks up to a year, months
// beyond.
func autoBy(r calendar.Range) string {
	switch n := r.Days(); {
	case n <= 62:
		return byDay
	case n <= 366:
		return byWeek
	}
	return byMonth
}

// parseGrowthFilter reads from, to, preset, source and by. Each may be given once.
func parseGrowthFilter(q url.Values, today calendar.Date, launch func() calendar.Date) (growthFilter, error) {
	f := growthFilter{Source: q.Get("source"), By: q.Get("by")}
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
		known := false
		var keys []string
		for _, s := range signupSources {
			known = known || s.Key == f.Source
			keys = append(keys, s.Key)
		}
		if !known {
			return f, badf("Unknown signup source %q: choose one of %s, or all sources.", f.Source, strings.Join(keys, ", "))
		}
	}
	switch f.By {
	case "":
		f.By = autoBy(rc.Range)
	case byDay, byWeek, byMonth:
		f.ByChosen = true
	default:
		return f, badf("Cannot group sign-ups by %q: choose day, week or month.", f.By)
	}
	if f.By == byDay && rc.Range.Days() > maxDailyBuckets {
		return f, badf("The range is %d days long: group by day shows at most %d days. Group by week or month, or choose a shorter range.", rc.Range.Days(), maxDailyBuckets)
	}
	return f, nil
}

// query is the filter as URL parameters: the range as dates, the source and the period.
func (f growthFilter) query() url.Values {
	q := url.Values{"from": {f.rc.Range.From.String()}, "to": {f.rc.Range.To.String()}, "by": {f.By}}
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
		q.Set("by", f.By)
	}
	return q
}

func (h *Growth) parse(c echo.Context, today calendar.Date) (growthFilter, error) {
	return parseGrowthFilter(c.QueryParams(), today,
		launchForAll(c.Request().Context(), h.opts.PanelTimeout, h.opts.Log, h.opts.LaunchMonth, firstSignupIn(h.db)))
}

// growthData is what the page's panels read, one loader per source of numbers.
type growthData struct {
	f     growthFilter
	now   time.Time
	today calendar.Date
	prev  calendar.Range
	days  panel[[]queries.GrowthDay] // the range, of the chosen source
	prevP panel[[]queries.GrowthDay] // the previous period, of the chosen source
	all   panel[[]queries.GrowthDay] // the range, every source (the source comparison and referrals)
	heat  panel[heatData]
	refs  panel[referrersData]
	fresh panel[freshness]
}

type heatData struct {
	Cohorts []calendar.Date // the cohort months shown, oldest first
	Cells   []queries.CohortCell
	Capped  bool // the range had more cohort months than the heatmap shows
}

type referrersData struct {
	Top          []queries.Referrer
	Total        int64
	KnownThrough calendar.Date
}

// Heatmap size: at least 12 cohorts by 12 months, at most 36 cohorts.
const (
	minHeatCohorts = 12
	maxHeatCohorts = 36
	topReferrers   = 20
)

// heatCohorts are the cohort months of the heatmap: the months of the range, at least the 12
// ending with the range's last month, at most the latest 36.
func heatCohorts(r calendar.Range) ([]calendar.Date, bool) {
	last := r.To.MonthStart()
	n := r.From.MonthsUntil(r.To) + 1
	capped := n > maxHeatCohorts
	n = min(max(n, minHeatCohorts), maxHeatCohorts)
	out := make([]calendar.Date, n)
	for i := range out {
		out[i] = last.AddMonths(i - n + 1)
	}
	return out, capped
}

// growthLoads name the loaders a request needs (a CSV download loads only its panel's).
type growthLoads map[string]bool

var allGrowthLoads = growthLoads{"days": true, "prev": true, "all": true, "heat": true, "refs": true, "fresh": true}

func (h *Growth) loadAll(ctx context.Context, f growthFilter, now time.Time, want growthLoads) *growthData {
	r := f.rc.Range
	d := &growthData{f: f, now: now, today: calendar.Today(now), prev: r.PreviousPeriod()}
	l := &loader{ctx: ctx, timeout: h.opts.PanelTimeout, log: h.opts.Log}
	db := h.db
	if want["days"] {
		load(l, "growth days", dbPG, &d.days, func(ctx context.Context) ([]queries.GrowthDay, error) {
			return queries.GrowthDaily(ctx, db, r, f.Source)
		})
	}
	if want["prev"] {
		load(l, "growth previous period", dbPG, &d.prevP, func(ctx context.Context) ([]queries.GrowthDay, error) {
			return queries.GrowthDaily(ctx, db, d.prev, f.Source)
		})
	}
	if want["all"] {
		load(l, "growth by source", dbPG, &d.all, func(ctx context.Context) ([]queries.GrowthDay, error) {
			return queries.GrowthDaily(ctx, db, r, "")
		})
	}
	if want["heat"] {
		load(l, "cohort heatmap", dbPG, &d.heat, func(ctx context.Context) (heatData, error) {
			cohorts, capped := heatCohorts(r)
			cells, err := queries.GrowthCohortRetention(ctx, db, cohorts[0], cohorts[len(cohorts)-1])
			return heatData{Cohorts: cohorts, Cells: cells, Capped: capped}, err
		})
	}
	if want["refs"] {
		load(l, "top referrers", dbPG, &d.refs, func(ctx context.Context) (referrersData, error) {
			known := lastKnownActivationDay(d.today)
			top, total, err := queries.GrowthTopReferrers(ctx, db, r, known, topReferrers)
			return referrersData{Top: top, Total: total, KnownThrough: known}, err
		})
	}
	if want["fresh"] {
		load(l, "growth freshness", dbPG, &d.fresh, func(ctx context.Context) (freshness, error) {
			at, ok, err := queries.RollupFreshness(ctx, db, queries.GrowthRollupJob)
			return freshness{At: at, OK: ok}, err
		})
	}
	l.wg.Wait()
	return d
}

// Page serves GET /growth.
func (h *Growth) Page(c echo.Context) error {
	now := h.opts.Now()
	today := calendar.Today(now)
	f, err := h.parse(c, today)
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return render(c, http.StatusBadRequest, views.GrowthInvalid(growthForm(f, bad.msg)))
		}
		return err
	}
	d := h.loadAll(c.Request().Context(), f, now, allGrowthLoads)
	return render(c, http.StatusOK, views.GrowthPage(buildGrowthPage(d)))
}

// CSV serves GET /growth/{panel}.csv with the page's filters: exactly the numbers of that
// panel. An unknown panel is a 404.
func (h *Growth) CSV(c echo.Context) error {
	name, ok := strings.CutSuffix(c.Param("file"), ".csv")
	p, known := findGrowthPanel(name)
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
	want := growthLoads{}
	for _, n := range p.needs {
		want[n] = true
	}
	d := h.loadAll(c.Request().Context(), f, now, want)
	out := p.build(d)
	if out.Unavailable != "" {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "This panel's data is unavailable: "+out.Unavailable+". Try again shortly.")
	}
	src := "all-sources"
	if f.Source != "" {
		src = f.Source
	}
	return writeCSV(c, fmt.Sprintf("mari-growth-%s-%s-%s-to-%s.csv", name, src, f.rc.Range.From, f.rc.Range.To), out.Table)
}

// growthForm is the filter form's state; msg is an input error to show.
func growthForm(f growthFilter, msg string) views.GrowthForm {
	gf := views.GrowthForm{Range: views.RangeForm{From: f.rc.From, To: f.rc.To, Error: msg}, Source: f.Source, By: f.By}
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
	for _, s := range signupSources {
		gf.Sources = append(gf.Sources, views.Option{Value: s.Key, Label: s.Label})
	}
	gf.Periods = []views.Option{{Value: "", Label: "Automatic"}, {Value: byDay, Label: "Day"}, {Value: byWeek, Label: "Week (ISO)"}, {Value: byMonth, Label: "Month"}}
	return gf
}
