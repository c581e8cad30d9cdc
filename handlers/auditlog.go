package handlers

import (
	"log/slog"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"mari/audit"
	"mari/calendar"
	"mari/queries"
	"mari/views"
)

// AuditLimit is how many entries the audit page shows, newest first.
const AuditLimit = 500

// auditActions are the actions the filter offers, in the order people look for them.
var auditActions = []string{
	audit.SignIn, audit.SignInFailed, audit.SignOut, audit.AccountCreated, audit.AccountChanged,
	audit.RoleChanged, audit.PasswordChanged, audit.LinkCreated, audit.LinkRevoked, audit.LinkRotated,
	audit.ReportPublished, audit.ReportDrafted, audit.PartnershipCreated, audit.PartnershipChanged,
	audit.IncidentRecorded, audit.IncidentChanged, audit.IngestTokenCreated, audit.IngestTokenRevoked, audit.APIKeyCreated, audit.APIKeyRevoked, audit.APIKeyExpirySet, audit.ScenarioCreated, audit.ScenarioSaved, audit.ScenarioRestored,
	audit.AlertRuleCreated, audit.AlertRuleDeleted, audit.AlertSilenced, audit.AlertSilenceEnded, audit.AlertTestRequested,
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

// List shows the newest entries, of one action when ?action= names one.
func (h *AuditLog) List(c echo.Context) error {
	action := c.QueryParam("action")
	v := views.AuditPage{Action: action, Actions: auditActions, Limit: AuditLimit}
	if action != "" && !actionName.MatchString(action) {
		v.Action = ""
		v.Error = "There is no such action; choose one from the list."
		return render(c, http.StatusBadRequest, views.AuditLog(v))
	}
	rows, err := queries.RecentAudit(c.Request().Context(), h.db, action, AuditLimit)
	if err != nil {
		return err
	}
	for _, r := range rows {
		v.Rows = append(v.Rows, views.AuditRow{
			At: r.At.In(calendar.SAST).Format("2006-01-02 15:04:05"), Actor: r.ActorEmail, Action: r.Action,
			Target: r.Target, Detail: r.Detail, IP: r.IP,
		})
	}
	return render(c, http.StatusOK, views.AuditLog(v))
}
