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

	"github.com/labstack/echo/v4"

	"mari/alerts"
	"mari/queries"
	"mari/views"
)

// AlertsOptions configure the alerts page.
type AlertsOptions struct {
	Now      func() time.Time
	Log      *slog.Logger
	Timeout  time.Duration   // each section's own time limit
	Channels alerts.Channels // which channels this server can send through
	BaseURL  string          // for the links in notifications
	Every    time.Duration   // how often the rules are evaluated (for the page's words)
}

// Alerts serves /alerts: the rules, their history, silences and notifications, and the
// actions on them (one file each: alerts_*.go).
type Alerts struct {
	db   queries.DB
	opts AlertsOptions
}

// NewAlerts returns the handler.
func NewAlerts(db queries.DB, opts AlertsOptions) *Alerts {
	panelDefaults(&opts.Timeout, &opts.Now, &opts.Log)
	return &Alerts{db: db, opts: opts}
}

func (h *Alerts) service() *alerts.Service {
	return &alerts.Service{DB: h.db, Now: h.opts.Now, Channels: h.opts.Channels, BaseURL: h.opts.BaseURL}
}

// How much of the record the page shows.
const (
	alertHistoryRows  = 100
	alertDeliveryRows = 100
)

// alertNotices are what the page says after a change (?done=).
var alertNotices = map[string]string{
	"created":    "The rule was created; it is evaluated at the next round.",
	"deleted":    "The rule was deleted.",
	"silenced":   "The rule is silenced: it still changes state and records its history, but sends nothing until the silence ends.",
	"unsilenced": "The silence was ended: the next round sends whatever the rule's channels missed.",
	"tested":     "A test notification was queued for each of the rule's channels; see Notifications below.",
}

// Page serves GET /alerts.
func (h *Alerts) Page(c echo.Context) error {
	return h.render(c, http.StatusOK, func(p *views.AlertsPage) { p.Notice = alertNotices[c.QueryParam("done")] })
}

// render shows the page; adjust fills in what a refused action needs (its form, its message).
// Each section loads with its own time limit and says "unavailable" on its own.
func (h *Alerts) render(c echo.Context, status int, adjust func(*views.AlertsPage)) error {
	ctx := c.Request().Context()
	now := h.opts.Now()
	p := views.AlertsPage{Every: everyText(h.opts.Every), WebhookReady: h.opts.Channels.Webhook, EmailReady: h.opts.Channels.Email}
	for _, d := range alerts.SilenceDurations {
		p.SilenceLengths = append(p.SilenceLengths, views.Option{Value: d.Value, Label: d.Label})
	}

	var banks []views.Option
	if list, err := section(ctx, h, "bank list", func(ctx context.Context) ([]queries.BankOption, error) {
		return queries.OpsBankOptions(ctx, h.db)
	}); err == nil {
		for _, b := range list {
			banks = append(banks, views.Option{Value: b.Code, Label: b.Name + " (" + b.Code + ")"})
		}
	}
	for _, t := range alerts.Templates {
		p.Forms = append(p.Forms, templateForm(t, alertForm(t), banks))
	}

	rules, err := section(ctx, h, "rules", func(ctx context.Context) ([]alerts.Rule, error) { return alerts.Rules(ctx, h.db, now) })
	p.RulesUnavailable = unavailableText(err)
	for _, r := range rules {
		p.Rules = append(p.Rules, ruleRow(r, now))
	}
	history, err := section(ctx, h, "history", func(ctx context.Context) ([]alerts.Transition, error) {
		return alerts.History(ctx, h.db, alertHistoryRows)
	})
	p.HistoryUnavailable = unavailableText(err)
	for _, t := range history {
		name := t.RuleName
		if t.RuleDeleted {
			name += " (deleted)"
		}
		p.History = append(p.History, views.AlertHistoryRow{At: sastClock(t.At, "2006-01-02 15:04:05"), Rule: name,
			From: t.From, To: t.To, Detail: t.Detail, Silenced: t.Silenced})
	}
	silences, err := section(ctx, h, "silences", func(ctx context.Context) ([]alerts.Silence, error) { return alerts.Silences(ctx, h.db, now) })
	p.SilencesUnavailable = unavailableText(err)
	for _, s := range silences {
		p.Silences = append(p.Silences, silenceRow(s, now))
	}
	deliveries, err := section(ctx, h, "notifications", func(ctx context.Context) ([]alerts.Delivery, error) {
		return alerts.Deliveries(ctx, h.db, alertDeliveryRows)
	})
	p.DeliveriesUnavailable = unavailableText(err)
	retrying, failed := 0, 0
	for _, d := range deliveries {
		row := deliveryRow(d, now)
		switch row.Status {
		case "retrying":
			retrying++
		case "failed":
			failed++
		}
		p.Deliveries = append(p.Deliveries, row)
	}
	p.DeliveryProblems = deliveryProblems(retrying, failed)
	if adjust != nil {
		adjust(&p)
	}
	return render(c, status, views.Alerts(p))
}

// section runs one of the page's reads with its own time limit, logging a failure.
func section[T any](ctx context.Context, h *Alerts, what string, load func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, h.opts.Timeout)
	defer cancel()
	v, err := load(ctx)
	if err != nil {
		h.opts.Log.Warn("alerts page: a section is unavailable", "section", what, "err", err)
	}
	return v, err
}

func unavailableText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return "the database did not answer in time"
	}
	return "the database did not answer"
}

func everyText(d time.Duration) string {
	if d <= 0 {
		d = 30 * time.Second
	}
	if d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

func deliveryProblems(retrying, failed int) string {
	var parts []string
	if retrying > 0 {
		parts = append(parts, plural(retrying, "notification failing, being retried", "notifications failing, being retried"))
	}
	if failed > 0 {
		parts = append(parts, plural(failed, "given up after a day", "given up after a day"))
	}
	return strings.Join(parts, "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// stateLabel is the badge of a rule's state; a rule that could not judge says so.
func stateLabel(r alerts.Rule) string {
	switch {
	case r.State.LastOutcome == alerts.Failed:
		return r.State.State + " · evaluation failed"
	case r.State.State == alerts.StateOK && r.State.LastOutcome == alerts.NotEnough:
		return "not enough data"
	case r.State.LastEvaluated == nil:
		return "not evaluated yet"
	}
	return r.State.State
}

func ruleRow(r alerts.Rule, now time.Time) views.AlertRuleRow {
	id := strconv.FormatInt(r.ID, 10)
	row := views.AlertRuleRow{ID: r.ID, Name: r.Name, Condition: alerts.Describe(r.Input), State: r.State.State,
		StateLabel: stateLabel(r), Since: sastClock(r.State.Since, "2006-01-02 15:04:05"), Measured: r.State.LastDetail,
		LastEvaluated: "not yet", Channels: channelsText(r), CreatedBy: r.CreatedBy, CanTest: r.WebhookURL != "" || len(r.EmailTo) > 0,
		SilenceForm: views.AlertSilenceForm{Action: "/alerts/" + id + "/silence", Duration: "1h", Errors: map[string]string{}}}
	row.Badge = row.State
	if row.State == alerts.StateOK && row.StateLabel != row.State { // ok, but it could not judge
		row.Badge = "nodata"
	}
	if row.Measured == "" {
		row.Measured = "not measured yet"
	}
	if r.State.LastEvaluated != nil {
		row.LastEvaluated = sastClock(*r.State.LastEvaluated, "15:04:05")
	}
	if s := r.Silence; s != nil {
		row.Silence = fmt.Sprintf("until %s SAST (%s left): %s", sastClock(s.EndsAt, "2006-01-02 15:04"), humanSpan(now, s.EndsAt), s.Reason)
		row.SilenceEnd = "/alerts/" + id + "/silences/" + strconv.FormatInt(s.ID, 10) + "/end"
	}
	return row
}

func channelsText(r alerts.Rule) string {
	var parts []string
	if r.WebhookURL != "" {
		parts = append(parts, "webhook "+r.WebhookURL)
	}
	if len(r.EmailTo) > 0 {
		parts = append(parts, "email "+strings.Join(r.EmailTo, ", "))
	}
	if len(parts) == 0 {
		return "no channel: this page and the operations banner only"
	}
	return strings.Join(parts, "; ")
}

func silenceRow(s alerts.Silence, now time.Time) views.AlertSilenceRow {
	row := views.AlertSilenceRow{Rule: s.RuleName, Reason: s.Reason, From: sastClock(s.StartsAt, "2006-01-02 15:04"),
		Until: sastClock(s.EndsAt, "2006-01-02 15:04"), By: s.CreatedBy}
	switch {
	case s.EndedAt != nil:
		row.Status = "ended at " + sastClock(*s.EndedAt, "2006-01-02 15:04") + " by " + s.EndedBy
	case !s.EndsAt.After(now):
		row.Status = "expired"
	case s.StartsAt.After(now):
		row.Status = "to come"
	default:
		row.Status = "in force"
	}
	return row
}

func deliveryRow(d alerts.Delivery, now time.Time) views.AlertDeliveryRow {
	row := views.AlertDeliveryRow{Queued: sastClock(d.CreatedAt, "2006-01-02 15:04:05"), Rule: d.RuleName, Kind: d.Kind,
		Channel: d.Channel, Target: d.Target, Attempts: strconv.Itoa(d.Attempts), LastError: d.LastError}
	switch {
	case d.DeliveredAt != nil:
		row.Status, row.Detail = "delivered", sastClock(*d.DeliveredAt, "15:04:05")
	case d.FailedAt != nil:
		row.Status, row.Detail = "failed", "gave up at "+sastClock(*d.FailedAt, "2006-01-02 15:04")
	case d.Attempts > 0:
		row.Status, row.Detail = "retrying", "next at "+sastClock(d.NextAttempt, "15:04:05")
	default:
		row.Status = "waiting"
	}
	if row.LastError == "" {
		row.LastError = "—"
	}
	return row
}

// alertRuleID reads :id, a positive whole number.
func alertRuleID(c echo.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	return id, err == nil && id > 0
}

// alertNotFound is the 404 page of a rule or silence that does not exist (or no longer).
func alertNotFound(c echo.Context) error {
	return render(c, http.StatusNotFound, views.ErrorPage(http.StatusNotFound, "Alert rule not found",
		"There is no such alert rule (or silence of it): it may have been deleted. See the list at /alerts."))
}

// alertDone redirects to the page after a change, at the rule it was about.
func alertDone(c echo.Context, done string, id int64) error {
	anchor := ""
	if id > 0 {
		anchor = "#rule-" + strconv.FormatInt(id, 10)
	}
	return c.Redirect(http.StatusSeeOther, "/alerts?done="+done+anchor)
}

// onRule shows the page with rule id's row adjusted (a refused action on it).
func (h *Alerts) onRule(c echo.Context, status int, id int64, adjust func(*views.AlertRuleRow)) error {
	return h.render(c, status, func(p *views.AlertsPage) {
		for i := range p.Rules {
			if p.Rules[i].ID == id {
				adjust(&p.Rules[i])
			}
		}
	})
}
