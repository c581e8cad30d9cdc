package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
	"mari/queries"
	"mari/views"
)

// ExecutiveSource is what the executive dashboard reads; queries.Executive implements it
// over PostgreSQL (rollups) and ClickHouse (the live tile).
type ExecutiveSource interface {
	RangeTotals(ctx context.Context, r calendar.Range) (queries.RangeTotals, error)
	TotalUsersAt(ctx context.Context, d calendar.Date) (int64, error)
	Monthly(ctx context.Context, r calendar.Range) ([]queries.Month, error)
	Daily(ctx context.Context, r calendar.Range) ([]queries.Day, error)
	OutageSeconds(ctx context.Context, from, to time.Time) (decimal.Decimal, error)
	KPITargets(ctx context.Context) (map[string]metrics.Target, error)
	Milestones(ctx context.Context) ([]metrics.Milestone, error)
	FirstSignup(ctx context.Context) (time.Time, bool, error)
	LicensingFees(ctx context.Context, r calendar.Range) (decimal.Decimal, error)
	MAUOn(ctx context.Context, d calendar.Date) (int64, bool, error)
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

// Executive serves the executive dashboard and its CSV downloads.
type Executive struct {
	src  ExecutiveSource
	opts ExecutiveOptions
}

// NewExecutive returns the handler.
func NewExecutive(src ExecutiveSource, opts ExecutiveOptions) *Executive {
	panelDefaults(&opts.PanelTimeout, &opts.Now, &opts.Log)
	return &Executive{src: src, opts: opts}
}

// panel is one independently loaded piece of the page: a value, or the short reason it is
// unavailable.
type panel[T any] struct {
	V   T
	Err string
}

func (p panel[T]) ok() bool { return p.Err == "" }

// loader runs panels concurrently, each with its own timeout and its own error.
type loader struct {
	ctx     context.Context
	timeout time.Duration
	log     *slog.Logger
	wg      sync.WaitGroup
}

func load[T any](l *loader, name, db string, out *panel[T], f func(ctx context.Context) (T, error)) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer func() {
			if r := recover(); r != nil {
				l.log.Error("panel panicked", "panel", name, "panic", r, "stack", string(debug.Stack()))
				out.Err = "internal error (logged)"
			}
		}()
		ctx, cancel := context.WithTimeout(l.ctx, l.timeout)
		defer cancel()
		v, err := f(ctx)
		if err != nil {
			out.Err = shortReason(err, db, l.timeout)
			l.log.Warn("panel unavailable", "panel", name, "db", db, "err", err)
			return
		}
		out.V = v
	}()
}

// shortReason says why a panel is unavailable in a few words, without internals.
func shortReason(err error, db string, timeout time.Duration) string {
	var connErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%s did not answer within %s", db, timeout)
	case errors.Is(err, context.Canceled):
		return "request cancelled"
	case errors.As(err, &connErr), errors.As(err, &netErr):
		return db + " is unreachable"
	default:
		return db + " query failed (details in the server log)"
	}
}

const (
	dbPG = "PostgreSQL"
	dbCH = "ClickHouse"
)

// The data behind the page, one field per panel.
type usersData struct{ AtEnd, BeforeStart int64 }

type totalsData struct {
	Cur, Prev           queries.RangeTotals
	CurFees, PrevFees   decimal.Decimal
	CurRange, PrevRange calendar.Range
}

type monthlyData struct {
	Months      []queries.Month
	PrevMAU     int64
	PrevMAUOK   bool
	PrevMAUDate calendar.Date
}

type uptimeData struct {
	DownSeconds, TotalSeconds decimal.Decimal
}

type northData struct {
	Launch     calendar.Date
	HasLaunch  bool
	Months     []metrics.MonthVolume
	Milestones []metrics.Milestone
	Trend      metrics.Trend
}

type execData struct {
	rc      rangeChoice
	today   calendar.Date
	now     time.Time
	prev    calendar.Range
	users   panel[usersData]
	totals  panel[totalsData]
	monthly panel[monthlyData]
	fin     panel[financial]
	uptime  panel[uptimeData]
	targets panel[map[string]metrics.Target]
	north   panel[northData]
	daily   panel[[]queries.Day]
	live    panel[queries.LiveToday]
	fresh   panel[freshness]
}

// freshness is when the rollups behind the page last finished.
type freshness struct {
	At time.Time
	OK bool // false: the rollups have never run
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
			return render(c, http.StatusBadRequest, views.ExecutiveInvalid(h.form(rc, today, bad.msg)))
		}
		return err
	}
	d := h.loadAll(c.Request().Context(), rc, now, allPanels)
	return render(c, http.StatusOK, views.ExecutivePage(h.buildPage(d)))
}

// Panel sets name the panels a request needs (the CSV download loads only its own).
type panelSet map[string]bool

var allPanels = panelSet{"users": true, "totals": true, "monthly": true, "fin": true, "uptime": true,
	"targets": true, "north": true, "daily": true, "live": true, "fresh": true}

func (h *Executive) loadAll(ctx context.Context, rc rangeChoice, now time.Time, want panelSet) *execData {
	r := rc.Range
	d := &execData{rc: rc, now: now, today: calendar.Today(now), prev: r.PreviousPeriod()}
	l := &loader{ctx: ctx, timeout: h.opts.PanelTimeout, log: h.opts.Log}
	src := h.src
	if want["users"] {
		load(l, "users", dbPG, &d.users, func(ctx context.Context) (usersData, error) {
			var u usersData
			var err error
			if u.AtEnd, err = src.TotalUsersAt(ctx, r.To); err != nil {
				return u, err
			}
			u.BeforeStart, err = src.TotalUsersAt(ctx, r.From.AddDays(-1))
			return u, err
		})
	}
	if want["totals"] {
		load(l, "totals", dbPG, &d.totals, func(ctx context.Context) (totalsData, error) {
			t := totalsData{CurRange: r, PrevRange: d.prev}
			var err error
			if t.Cur, err = src.RangeTotals(ctx, r); err != nil {
				return t, err
			}
			if t.Prev, err = src.RangeTotals(ctx, d.prev); err != nil {
				return t, err
			}
			if t.CurFees, err = src.LicensingFees(ctx, r); err != nil {
				return t, err
			}
			t.PrevFees, err = src.LicensingFees(ctx, d.prev)
			return t, err
		})
	}
	if want["monthly"] {
		load(l, "monthly", dbPG, &d.monthly, func(ctx context.Context) (monthlyData, error) {
			var m monthlyData
			var err error
			if m.Months, err = src.Monthly(ctx, monthlyRange(r)); err != nil {
				return m, err
			}
			if latest, ok := latestMonth(m.Months); ok {
				m.PrevMAUDate = previousMAUDate(latest)
				m.PrevMAU, m.PrevMAUOK, err = src.MAUOn(ctx, m.PrevMAUDate)
			}
			return m, err
		})
	}
	if want["fin"] {
		load(l, "financial", dbPG, &d.fin, func(ctx context.Context) (financial, error) {
			return loadFinancial(ctx, src, r, d.today)
		})
	}
	if want["uptime"] {
		load(l, "uptime", dbPG, &d.uptime, func(ctx context.Context) (uptimeData, error) {
			from, to := r.From.Start(), r.To.End()
			if now.Before(to) {
				to = now
			}
			u := uptimeData{}
			if !to.After(from) {
				return u, nil // the range has not begun: n/a
			}
			u.TotalSeconds = decimal.New(to.Sub(from).Milliseconds(), -3)
			var err error
			u.DownSeconds, err = src.OutageSeconds(ctx, from, to)
			return u, err
		})
	}
	if want["targets"] {
		load(l, "targets", dbPG, &d.targets, src.KPITargets)
	}
	if want["north"] {
		load(l, "north star", dbPG, &d.north, func(ctx context.Context) (northData, error) {
			return h.loadNorth(ctx, d.today)
		})
	}
	if want["daily"] {
		load(l, "daily", dbPG, &d.daily, func(ctx context.Context) ([]queries.Day, error) {
			return src.Daily(ctx, r)
		})
	}
	if want["live"] {
		load(l, "live", dbCH, &d.live, func(ctx context.Context) (queries.LiveToday, error) {
			return src.LiveToday(ctx, d.today)
		})
	}
	if want["fresh"] {
		load(l, "freshness", dbPG, &d.fresh, func(ctx context.Context) (freshness, error) {
			at, ok, err := src.RollupFreshness(ctx)
			return freshness{At: at, OK: ok}, err
		})
	}
	l.wg.Wait()
	return d
}

// monthlyRange is the range of the monthly charts: whole calendar months from the 1st of the
// range's first month, through the range's last day.
func monthlyRange(r calendar.Range) calendar.Range {
	return calendar.Range{From: r.From.MonthStart(), To: r.To}
}

// latestMonth is the last month that has rollup rows.
func latestMonth(months []queries.Month) (queries.Month, bool) {
	for i := len(months) - 1; i >= 0; i-- {
		if months[i].Days > 0 {
			return months[i], true
		}
	}
	return queries.Month{}, false
}

// monthToDate reports whether the month's figures stop before its last day.
func monthToDate(m queries.Month) bool {
	return m.LastDay.Before(m.Month.MonthEnd()) || !m.AllDaysComplete
}

// previousMAUDate is the day whose month-to-date MAU the latest month is compared with: the
// same day of the previous month (a whole month against the whole previous month).
func previousMAUDate(m queries.Month) calendar.Date {
	if m.LastDay.Equal(m.Month.MonthEnd()) {
		return m.Month.AddMonths(-1).MonthEnd()
	}
	return m.LastDay.AddMonths(-1)
}

func (h *Executive) loadNorth(ctx context.Context, today calendar.Date) (northData, error) {
	var n northData
	var err error
	if n.Launch, n.HasLaunch, err = h.launchMonth(ctx); err != nil || !n.HasLaunch {
		return n, err
	}
	if n.Milestones, err = h.src.Milestones(ctx); err != nil {
		return n, err
	}
	if n.Launch.After(today) {
		return n, nil
	}
	months, err := h.src.Monthly(ctx, calendar.Range{From: n.Launch, To: today})
	if err != nil {
		return n, err
	}
	for i, m := range months {
		n.Months = append(n.Months, metrics.MonthVolume{
			N: i + 1, Month: m.Month, Volume: m.CompletedVolume,
			Complete: m.Month.MonthEnd().Before(today) && m.Days > 0,
		})
	}
	n.Trend = metrics.ProjectNorthStar(n.Launch, n.Months, n.Milestones)
	return n, nil
}
