package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/calendar"
	"mari/links"
	"mari/queries"
	"mari/reports"
	"mari/views"
)

// ReportsDB is what the report pages need of PostgreSQL: statements, and transactions so a
// change and its audit entry land together.
type ReportsDB = queries.DB

// ReportsOptions configure the investor-report pages.
type ReportsOptions struct {
	LaunchMonth calendar.Date    // zero: the month of the first sign-up
	Timeout     time.Duration    // limit for computing a draft's live figures
	Now         func() time.Time // the clock
	Log         *slog.Logger
}

// Reports serves the investor reports, their read-only links, and the shared page /r/:token.
type Reports struct {
	db      ReportsDB
	service *reports.Service // drafts, narratives and publication
	links   *links.Service   // the read-only links to published reports
	opts    ReportsOptions
}

// NewReports returns the handler.
func NewReports(db ReportsDB, opts ReportsOptions) *Reports {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Reports{db: db, service: reports.NewService(db, opts.LaunchMonth, opts.Now), links: links.New(db, opts.Now), opts: opts}
}

// MaxNarrativeChars bounds each narrative field (the table's CHECK says the same).
const MaxNarrativeChars = reports.MaxNarrativeChars

// earliestReportMonth is the first month a report may be written for.
var earliestReportMonth = reports.EarliestMonth

func badRequest(format string, args ...any) error {
	return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf(format, args...))
}

// staff is the signed-in account making a change, as the audit log and the tables want it.
func staff(c echo.Context) (auth.Account, queries.Actor, error) {
	a, ok := auth.Current(c)
	if !ok {
		return a, queries.Actor{}, echo.NewHTTPError(http.StatusUnauthorized, "Please sign in first.")
	}
	id := a.ID
	return a, queries.Actor{ID: &id, Email: a.Email}, nil
}

// reportID reads the :id parameter: a positive whole number.
func reportID(c echo.Context) (int64, error) {
	s := c.Param("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("%q is not a report number.", s)
	}
	return id, nil
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// List serves GET /reports.
func (h *Reports) List(c echo.Context) error {
	return h.renderList(c, http.StatusOK, "")
}

func (h *Reports) renderList(c echo.Context, status int, msg string) error {
	all, err := queries.ReportList(c.Request().Context(), h.db)
	if err != nil {
		return err
	}
	today := calendar.Today(h.opts.Now())
	l := views.ReportList{
		CSRF:         auth.CSRFToken(c),
		DefaultMonth: today.MonthStart().AddMonths(-1).MonthKey(),
		MaxMonth:     today.MonthKey(),
		Error:        msg,
	}
	publishedSeen := map[string]bool{}
	for _, r := range all { // newest month first, newest version first
		if n := len(l.Months); n == 0 || l.Months[n-1].MonthLabel != reportMonthName(r.Month) {
			l.Months = append(l.Months, views.ReportListMonth{MonthLabel: reportMonthName(r.Month)})
		}
		m := &l.Months[len(l.Months)-1]
		status := r.Status
		if r.Published() {
			if publishedSeen[r.Month.MonthKey()] {
				status = "superseded" // a newer version of the month is published
			}
			publishedSeen[r.Month.MonthKey()] = true
		}
		m.Versions = append(m.Versions, views.ReportVersionLink{
			Href: reportHref(r.ID), Label: fmt.Sprintf("Version %d", r.Version), Status: status,
		})
	}
	return render(c, status, views.ReportListPage(l))
}

// CreateDraft serves POST /reports (form field month=YYYY-MM).
func (h *Reports) CreateDraft(c echo.Context) error {
	month, err := h.parseMonth(c.FormValue("month"))
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return h.renderList(c, http.StatusBadRequest, he.Message.(string))
		}
		return err
	}
	return h.startDraft(c, month)
}

// NewVersion serves POST /reports/:month/new-version: a draft of the next version, starting
// from the month's latest published narrative. An open draft of the month is reused.
func (h *Reports) NewVersion(c echo.Context) error {
	month, err := h.parseMonth(c.Param("month"))
	if err != nil {
		return err
	}
	return h.startDraft(c, month)
}

// parseMonth reads YYYY-MM: from 2000 through the current month (SAST).
func (h *Reports) parseMonth(s string) (calendar.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return calendar.Date{}, badRequest("Choose a month, such as %s.", calendar.Today(h.opts.Now()).MonthKey())
	}
	this := calendar.Today(h.opts.Now()).MonthStart()
	m, err := calendar.ParseMonth(s)
	switch {
	case err == nil:
	case !errors.Is(err, calendar.ErrOutsideWindow):
		return m, badRequest("%q is not a month: use the form YYYY-MM, such as %s.", s, calendar.Today(h.opts.Now()).MonthKey())
	case s < earliestReportMonth.MonthKey(): // well-formed, so the text orders as the months do
		return m, badRequest("%s is before %s; Mari has no data that old.", s, earliestReportMonth.MonthKey())
	default:
		return m, badRequest("%s has not begun yet (this month is %s).", s, this.MonthKey())
	}
	if m.After(this) {
		return m, badRequest("%s has not begun yet (this month is %s).", m.MonthKey(), this.MonthKey())
	}
	return m, nil
}

func (h *Reports) startDraft(c echo.Context, month calendar.Date) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	d, err := h.service.StartDraft(c.Request().Context(), by, month)
	if err != nil {
		return reportError(err)
	}
	return c.Redirect(http.StatusSeeOther, reportHref(d.ID))
}

// reportError answers the refusals of the report service as the report pages always have: a
// report that does not exist is a bad request (400) on a form's post, a change its state no
// longer allows is a conflict (409), and bad input a bad request.
func reportError(err error) error {
	var missing reports.NotFoundError
	var conflict reports.ConflictError
	var input reports.InputError
	switch {
	case errors.As(err, &missing):
		return badRequest("There is no report %d.", missing.ID)
	case errors.As(err, &conflict):
		return echo.NewHTTPError(http.StatusConflict, conflict.Msg)
	case errors.As(err, &input):
		return badRequest("%s", input.Msg)
	}
	return err
}

// View serves GET /reports/:id.
func (h *Reports) View(c echo.Context) error {
	id, err := reportID(c)
	if err != nil {
		return err
	}
	p, err := h.page(c, id, nil)
	if err != nil {
		return err
	}
	switch {
	case c.QueryParam("saved") != "":
		p.Notice = "Draft saved."
	case c.QueryParam("published") != "":
		p.Notice = "Published: the figures are frozen as of now."
	case c.QueryParam("revoked") != "":
		p.Notice = "Link revoked: it no longer opens the report."
	}
	return render(c, http.StatusOK, views.ReportView(p))
}

// Save serves POST /reports/:id: the narrative of a draft.
func (h *Reports) Save(c echo.Context) error {
	id, err := reportID(c)
	if err != nil {
		return err
	}
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	n := queries.Narrative{
		Milestones:     normaliseText(c.FormValue("milestones")),
		Challenges:     normaliseText(c.FormValue("challenges")),
		NextMonthGoals: normaliseText(c.FormValue("next_month_goals")),
	}
	if msg := reports.CheckNarrative(n); msg != "" {
		p, err := h.page(c, id, &n)
		if err != nil {
			return err
		}
		if !p.Draft {
			return echo.NewHTTPError(http.StatusConflict, "This report is published and can no longer be edited; start a corrected version instead.")
		}
		p.Error = msg
		return render(c, http.StatusBadRequest, views.ReportView(p))
	}
	if err := h.service.SaveNarrative(c.Request().Context(), by, id, n); err != nil {
		return reportError(err)
	}
	return c.Redirect(http.StatusSeeOther, reportHref(id)+"?saved=1")
}

// normaliseText keeps what was typed, with browser line endings (CRLF) made plain.
func normaliseText(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// Publish serves POST /reports/:id/publish: the figures are computed once more and frozen.
func (h *Reports) Publish(c echo.Context) error {
	id, err := reportID(c)
	if err != nil {
		return err
	}
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	if _, err := h.service.Publish(c.Request().Context(), by, id); err != nil {
		return reportError(err)
	}
	return c.Redirect(http.StatusSeeOther, reportHref(id)+"?published=1")
}

func reportHref(id int64) string { return "/reports/" + strconv.FormatInt(id, 10) }

// reportMonthName is "February 2026".
func reportMonthName(d calendar.Date) string { return d.Time().Format("January 2006") }

// sastTime is an instant as people in Johannesburg read it.
func sastTime(t time.Time) string { return t.In(calendar.SAST).Format("2 Jan 2006 15:04") }

// changeActor is the signed-in account making a change, and the address it came from: who
// the services record in the audit log.
func changeActor(c echo.Context) (auth.Actor, error) {
	a, ok := auth.Current(c)
	if !ok {
		return auth.Actor{}, echo.NewHTTPError(http.StatusUnauthorized, "Please sign in first.")
	}
	return auth.ActorOf(a, c.RealIP()), nil
}
