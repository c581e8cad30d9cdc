package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"mari/audit"
	"mari/calendar"
	"mari/links"
	"mari/queries"
	"mari/views"
)

// AuditPageSize is how many entries one page of the audit log shows, newest first.
const AuditPageSize = 100

// maxActorFilter is the longest text the user filter takes: an email address at most.
const maxActorFilter = 254

// auditActions are the actions the filter offers, in the order people look for them.
var auditActions = []string{
	audit.SignIn, audit.SignInFailed, audit.SignOut, audit.AccountCreated, audit.AccountChanged,
	audit.RoleChanged, audit.PasswordChanged, audit.LinkCreated, audit.LinkRevoked, audit.LinkRotated,
	audit.ReportPublished, audit.ReportDrafted, audit.PartnershipCreated, audit.PartnershipChanged,
	audit.IncidentRecorded, audit.IncidentChanged, audit.IngestTokenCreated, audit.IngestTokenRevoked, audit.APIKeyCreated, audit.APIKeyRevoked, audit.APIKeyExpirySet, audit.ScenarioCreated, audit.ScenarioSaved, audit.ScenarioRestored,
	audit.AlertRuleCreated, audit.AlertRuleDeleted, audit.AlertSilenced, audit.AlertSilenceEnded, audit.AlertTestRequested,
	links.DisplayLinkCreated, links.DisplayLinkRevoked,
}

// actionName is the shape of every action name; anything else in ?action= is a bad link.
var actionName = regexp.MustCompile(`^[a-z_]{1,60}$`)

// AuditLog serves GET /admin/audit.
type AuditLog struct {
	db  queries.Querier
	log *slog.Logger
}

// NewAuditLog returns the handler.
func NewAuditLog(db queries.Querier, log *slog.Logger) *AuditLog {
	return &AuditLog{db: db, log: log}
}

// List shows one page of entries, newest first, filtered by ?action=, ?user= (text in the
// actor's email), ?from= and ?to= (SAST days, both included); ?after= continues after the
// previous page's last entry.
func (h *AuditLog) List(c echo.Context) error {
	q := c.QueryParams()
	v := views.AuditPage{
		Action: q.Get("action"), User: q.Get("user"), From: q.Get("from"), To: q.Get("to"),
		Actions: auditActions, PageSize: AuditPageSize,
	}
	f, err := auditFilter(q, calendar.Today(time.Now()))
	if err != nil {
		v.Error = err.Error()
		return render(c, http.StatusBadRequest, views.AuditLog(v))
	}
	rows, err := queries.AuditPage(c.Request().Context(), h.db, f, AuditPageSize+1)
	if err != nil {
		return err
	}
	if len(rows) > AuditPageSize {
		rows = rows[:AuditPageSize]
		next := auditQuery(v)
		next.Set("after", auditCursor(rows[len(rows)-1]))
		v.NextHref = "/admin/audit?" + next.Encode()
	}
	if f.After != nil {
		v.FirstHref = "/admin/audit"
		if first := auditQuery(v).Encode(); first != "" {
			v.FirstHref += "?" + first
		}
	}
	for _, r := range rows {
		v.Rows = append(v.Rows, views.AuditRow{
			At: r.At.In(calendar.SAST).Format("2006-01-02 15:04:05"), Actor: r.ActorEmail, Action: r.Action,
			Target: r.Target, Detail: views.AuditDetail(r.Detail), IP: r.IP,
		})
	}
	return render(c, http.StatusOK, views.AuditLog(v))
}

// auditFilter reads the page's filters; its errors are messages for the viewer.
func auditFilter(q url.Values, today calendar.Date) (queries.AuditFilter, error) {
	f := queries.AuditFilter{Action: q.Get("action"), Actor: strings.TrimSpace(q.Get("user"))}
	if f.Action != "" && !actionName.MatchString(f.Action) {
		return f, errors.New("There is no such action; choose one from the list.")
	}
	if utf8.RuneCountInString(f.Actor) > maxActorFilter || !utf8.ValidString(f.Actor) || strings.ContainsFunc(f.Actor, unicode.IsControl) {
		return f, fmt.Errorf("The user filter takes text of an email address, at most %d characters.", maxActorFilter)
	}
	var from, to calendar.Date
	for _, d := range []struct {
		name, typed string
		into        *calendar.Date
	}{{"start date", q.Get("from"), &from}, {"end date", q.Get("to"), &to}} {
		if d.typed == "" {
			continue
		}
		day, err := calendar.ParseDate(d.typed)
		if err != nil {
			return f, dateProblem(d.name, d.typed, today, today, err)
		}
		*d.into = day
	}
	if !from.IsZero() {
		t := from.Start()
		f.From = &t
	}
	if !to.IsZero() {
		if !from.IsZero() && to.Before(from) {
			return f, badf("The dates are reversed: the end date %s is before the start date %s.", to, from)
		}
		t := to.End()
		f.To = &t
	}
	if s := q.Get("after"); s != "" {
		after, ok := parseAuditCursor(s)
		if !ok {
			return f, errors.New("That page link is damaged; start again from the newest entries.")
		}
		f.After = &after
	}
	return f, nil
}

// auditQuery is the page's filters as a query, without the page position.
func auditQuery(v views.AuditPage) url.Values {
	q := url.Values{}
	for k, val := range map[string]string{"action": v.Action, "user": v.User, "from": v.From, "to": v.To} {
		if val != "" {
			q.Set(k, val)
		}
	}
	return q
}

// auditCursor is the position of an entry, microseconds (as PostgreSQL keeps them) and id.
func auditCursor(r queries.AuditRow) string {
	return strconv.FormatInt(r.At.UnixMicro(), 10) + "-" + strconv.FormatInt(r.ID, 10)
}

func parseAuditCursor(s string) (queries.AuditRow, bool) {
	at, id, ok := strings.Cut(s, "-")
	if !ok {
		return queries.AuditRow{}, false
	}
	micro, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || micro < 0 || n < 1 {
		return queries.AuditRow{}, false
	}
	return queries.AuditRow{At: time.UnixMicro(micro).UTC(), ID: n}, true
}
