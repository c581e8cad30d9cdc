package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mari/alerts"
	"mari/views"
)

// Silence serves POST /alerts/:id/silence: the rule sends nothing until the silence ends (by
// itself, or ended early); it still changes state and records its history. A silence needs a
// reason and a length from the list; otherwise the form comes back with a 400.
func (h *Alerts) Silence(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	id, ok := alertRuleID(c)
	if !ok {
		return alertNotFound(c)
	}
	f := readSilenceForm(c)
	_, err = h.service().Silence(c.Request().Context(), by, id, f.Duration, f.Reason)
	var input alerts.InputError
	switch {
	case errors.As(err, new(alerts.NotFoundError)):
		return alertNotFound(c)
	case errors.As(err, &input):
		return h.onRule(c, http.StatusBadRequest, id, func(r *views.AlertRuleRow) {
			r.Problem = "The rule was not silenced. " + fixFields
			r.SilenceForm = views.AlertSilenceForm{Action: r.SilenceForm.Action, Reason: f.Reason, Duration: f.Duration,
				Errors: input.Fields, Open: true}
		})
	case err != nil:
		return err
	}
	return alertDone(c, "silenced", id)
}
