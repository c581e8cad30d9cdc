package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/incidents"
	"mari/metrics"
	"mari/queries"
	"mari/views"
)

// IncidentsDB is what the incident pages need of PostgreSQL: statements, and transactions so a
// change and its audit entry land together.
type IncidentsDB = queries.DB

// IncidentsOptions configure the incident pages.
type IncidentsOptions struct {
	Now func() time.Time // the clock
	Log *slog.Logger
}

// Incidents serves the incident log: the list with its 30-day summary, and the forms that
// record, edit and end incidents.
type Incidents struct {
	db   IncidentsDB
	opts IncidentsOptions
}

// NewIncidents returns the handler.
func NewIncidents(db IncidentsDB, opts IncidentsOptions) *Incidents {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Incidents{db: db, opts: opts}
}

const (
	incidentListDays    = 90 // how far back the list goes
	incidentSummaryDays = 30 // the summary line's window
	datetimeLocal       = "2006-01-02T15:04"
)

var incidentSeverities = incidents.Severities

// incidentSummary is the last 30 days: how many incidents, how long the app was down (the
// union of outages, as the executive dashboard's uptime counts it) and the uptime.
type incidentSummary struct {
	Count       int64
	DownSeconds decimal.Decimal
	Window      decimal.Decimal // seconds
}

func (h *Incidents) summary(ctx context.Context, now time.Time) (incidentSummary, error) {
	from := now.Add(-incidentSummaryDays * 24 * time.Hour)
	s := incidentSummary{Window: decimal.NewFromInt(int64(now.Sub(from) / time.Second))}
	var err error
	if s.Count, err = queries.IncidentCount(ctx, h.db, from, now); err != nil {
		return s, err
	}
	s.DownSeconds, err = queries.ExecOutageSeconds(ctx, h.db, from, now)
	return s, err
}

// List serves GET /incidents.
func (h *Incidents) List(c echo.Context) error {
	notice := ""
	if c.QueryParam("saved") != "" {
		notice = "Saved."
	}
	return h.renderPage(c, http.StatusOK, func(p *views.IncidentsPage) { p.Notice = notice })
}

// renderPage renders the list; adjust fills in the form that failed, when one did.
func (h *Incidents) renderPage(c echo.Context, status int, adjust func(*views.IncidentsPage)) error {
	ctx := c.Request().Context()
	now := h.opts.Now()
	from := calendar.Today(now).AddDays(-(incidentListDays - 1)).Start()
	list, err := queries.IncidentList(ctx, h.db, from, now.Add(time.Second))
	if err != nil {
		return err
	}
	p := views.IncidentsPage{
		RangeLabel: "Incidents since " + from.In(calendar.SAST).Format("2 Jan 2006") + ", and every ongoing one",
		New: views.IncidentForm{Action: "/incidents", Severity: "minor", StartedAt: now.In(calendar.SAST).Format(datetimeLocal),
			Errors: map[string]string{}},
		Severities: incidentSeverities,
		Now:        now.In(calendar.SAST).Format(datetimeLocal),
	}
	if s, err := h.summary(ctx, now); err != nil {
		h.opts.Log.Error("incident summary", "err", err)
		p.SummaryUnavailable = "the database did not answer"
	} else {
		p.SummaryCount = strconv.FormatInt(s.Count, 10)
		p.SummaryOutage = outageMinutes(s.DownSeconds)
		down, ok := metrics.Ratio(s.DownSeconds, s.Window)
		p.SummaryUptime = ratioText(decimal.NewFromInt(1).Sub(down), ok, pct(3))
	}
	for _, i := range list {
		p.Rows = append(p.Rows, incidentRow(i, now))
	}
	if adjust != nil {
		adjust(&p)
	}
	return render(c, status, views.IncidentsPageView(p))
}

// outageMinutes is seconds of outage as minutes, to one decimal ("90 min", "12.5 min").
func outageMinutes(seconds decimal.Decimal) string {
	return seconds.Div(decimal.NewFromInt(60)).Round(1).String() + " min"
}

func incidentRow(i queries.Incident, now time.Time) views.IncidentRow {
	r := views.IncidentRow{ID: i.ID, Title: i.Title, Severity: i.Severity, Outage: i.IsOutage,
		Start: sastMinute(i.StartedAt), Description: i.Description, Edit: formFromIncident(i)}
	if i.EndedAt == nil {
		r.Ongoing = true
		r.End = "ongoing"
		r.Duration = "ongoing for " + humanSpan(i.StartedAt, now)
		r.EndForm = views.IncidentEndForm{Action: "/incidents/" + strconv.FormatInt(i.ID, 10) + "/end"}
	} else {
		r.End = sastMinute(*i.EndedAt)
		r.Duration = humanSpan(i.StartedAt, *i.EndedAt)
	}
	return r
}

func sastMinute(t time.Time) string { return incidents.SASTMinute(t) }

// humanSpan is the time from one instant to another in whole minutes: "45 min", "1 h 12 min",
// "2 d 3 h 0 min". It counts in Unix seconds rather than through time.Sub, whose Duration
// saturates at about 292 years: a row written before dates were bounded still shows its true
// length instead of a clamped "106751 d".
func humanSpan(from, to time.Time) string {
	secs := to.Unix() - from.Unix()
	if secs < 60 {
		return "under 1 min"
	}
	mins := secs / 60
	days, hours, m := mins/(24*60), mins/60%24, mins%60
	switch {
	case days > 0:
		return strconv.FormatInt(days, 10) + " d " + strconv.FormatInt(hours, 10) + " h " + strconv.FormatInt(m, 10) + " min"
	case hours > 0:
		return strconv.FormatInt(hours, 10) + " h " + strconv.FormatInt(m, 10) + " min"
	}
	return strconv.FormatInt(m, 10) + " min"
}

// errIncidentNotFound is a request about an incident that does not exist.
type errIncidentNotFound struct{ id string }

func (e errIncidentNotFound) Error() string { return "no incident " + e.id }

func incidentNotFoundPage(c echo.Context, err error) (bool, error) {
	var nf errIncidentNotFound
	if !errors.As(err, &nf) {
		return false, err
	}
	return true, render(c, http.StatusNotFound, views.ErrorPage(http.StatusNotFound, "Incident not found",
		"There is no incident number "+strconv.Quote(nf.id)+". See the list at /incidents."))
}
