package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"mari/audit"
	"mari/auth"
	"mari/calendar"
	"mari/queries"
	"mari/reports"
	"mari/views"
)

// ReportsDB is what the report pages need of PostgreSQL: statements, and transactions so a
// change and its audit entry land together.
type ReportsDB interface {
	queries.Querier
	Begin(ctx context.Context) (pgx.Tx, error)
}

// ReportsOptions configure the investor-report pages.
type ReportsOptions struct {
	LaunchMonth calendar.Date    // zero: the month of the first sign-up
	Timeout     time.Duration    // limit for computing a draft's live figures
	Now         func() time.Time // the clock
	Log         *slog.Logger
}

// Reports serves the investor reports, their read-only links, and the shared page /r/:token.
type Reports struct {
	db   ReportsDB
	opts ReportsOptions
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
	return &Reports{db: db, opts: opts}
}

// MaxNarrativeChars bounds each narrative field (the table's CHECK says the same).
const MaxNarrativeChars = 5000

// earliestReportMonth is the first month a report may be written for.
var earliestReportMonth = calendar.EarliestDate

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

func auditEntry(c echo.Context, by queries.Actor, action, target, detail string) audit.Entry {
	return audit.Entry{ActorID: by.ID, ActorEmail: by.Email, Action: action, Target: target, Detail: detail, IP: c.RealIP()}
}

func reportTarget(r queries.Report) string {
	return fmt.Sprintf("report %d (%s v%d)", r.ID, r.Month.MonthKey(), r.Version)
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
	_, by, err := staff(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var id int64
	err = pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		versions, err := queries.ReportVersions(ctx, tx, month)
		if err != nil {
			return err
		}
		for _, v := range versions {
			if !v.Published() {
				id = v.ID // the month's open draft: edit it rather than start another
				return nil
			}
		}
		var version int
		if id, version, err = queries.InsertReportDraft(ctx, tx, month, by, h.opts.Now()); err != nil {
			return err
		}
		detail := "new report"
		if version > 1 {
			detail = fmt.Sprintf("draft of version %d, starting from version %d", version, version-1)
		}
		target := fmt.Sprintf("report %d (%s v%d)", id, month.MonthKey(), version)
		return audit.Record(ctx, tx, h.opts.Now(), auditEntry(c, by, audit.ReportDrafted, target, detail))
	})
	if isUniqueViolation(err) {
		return echo.NewHTTPError(http.StatusConflict, "Someone else started a draft of this month at the same moment; open it from the list of reports.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reportHref(id))
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
	_, by, err := staff(c)
	if err != nil {
		return err
	}
	n := queries.Narrative{
		Milestones:     normaliseText(c.FormValue("milestones")),
		Challenges:     normaliseText(c.FormValue("challenges")),
		NextMonthGoals: normaliseText(c.FormValue("next_month_goals")),
	}
	if msg := validateNarrative(n); msg != "" {
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
	ctx := c.Request().Context()
	err = pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		r, ok, err := queries.ReportByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return badRequest("There is no report %d.", id)
		}
		if r.Published() {
			return echo.NewHTTPError(http.StatusConflict, "This report is published and can no longer be edited; start a corrected version instead.")
		}
		if _, err := queries.UpdateReportNarrative(ctx, tx, id, n, by, h.opts.Now()); err != nil {
			return err
		}
		detail := fmt.Sprintf("narrative saved (%d, %d and %d characters)", utf8.RuneCountInString(n.Milestones),
			utf8.RuneCountInString(n.Challenges), utf8.RuneCountInString(n.NextMonthGoals))
		return audit.Record(ctx, tx, h.opts.Now(), auditEntry(c, by, audit.ReportDrafted, reportTarget(r), detail))
	})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reportHref(id)+"?saved=1")
}

// normaliseText keeps what was typed, with browser line endings (CRLF) made plain.
func normaliseText(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func validateNarrative(n queries.Narrative) string {
	for _, f := range []struct{ name, v string }{
		{"Milestones", n.Milestones}, {"Challenges", n.Challenges}, {"Next month's goals", n.NextMonthGoals},
	} {
		if !utf8.ValidString(f.v) {
			return fmt.Sprintf("%s contains text that is not valid UTF-8.", f.name)
		}
		if k := utf8.RuneCountInString(f.v); k > MaxNarrativeChars {
			return fmt.Sprintf("%s is %d characters long; the limit is %d. Nothing was saved.", f.name, k, MaxNarrativeChars)
		}
	}
	return ""
}

// Publish serves POST /reports/:id/publish: the figures are computed once more and frozen.
func (h *Reports) Publish(c echo.Context) error {
	id, err := reportID(c)
	if err != nil {
		return err
	}
	_, by, err := staff(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	err = pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		r, ok, err := queries.ReportByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return badRequest("There is no report %d.", id)
		}
		if r.Published() {
			return echo.NewHTTPError(http.StatusConflict, "This report is already published.")
		}
		now := h.opts.Now()
		f, err := reports.Compute(ctx, queries.Executive{PG: tx}, r.Month, h.opts.LaunchMonth, now)
		if err != nil {
			return err
		}
		if msg := f.CanPublish(r.Month, now); msg != "" {
			return echo.NewHTTPError(http.StatusConflict, msg)
		}
		frozen, err := f.Marshal()
		if err != nil {
			return err
		}
		if _, err := queries.PublishReport(ctx, tx, id, frozen, by, now); err != nil {
			return err
		}
		detail := fmt.Sprintf("figures frozen: volume %s, revenue %s, transactions %d, total users %d",
			f.Current.CompletedVolume.StringFixed(2), f.Current.Revenue.StringFixed(2), f.Current.Transactions, f.Current.TotalUsers)
		return audit.Record(ctx, tx, now, auditEntry(c, by, audit.ReportPublished, reportTarget(r), detail))
	})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reportHref(id)+"?published=1")
}

func reportHref(id int64) string { return "/reports/" + strconv.FormatInt(id, 10) }

// reportMonthName is "February 2026".
func reportMonthName(d calendar.Date) string { return d.Time().Format("January 2006") }

// sastTime is an instant as people in Johannesburg read it.
func sastTime(t time.Time) string { return t.In(calendar.SAST).Format("2 Jan 2006 15:04") }
