package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mari/alerts"
	"mari/problems"
	"mari/views"
)

// SendTest serves POST /alerts/:id/test: a test notification through each of the rule's
// channels, queued in the outbox like a real one (so its delivery, or its failure, shows in
// Notifications). A rule without channels has nothing to test: 400, saying so.
func (h *Alerts) SendTest(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	id, ok := alertRuleID(c)
	if !ok {
		return alertNotFound(c)
	}
	_, err = h.service().SendTest(c.Request().Context(), by, id)
	var input alerts.InputError
	switch {
	case errors.As(err, new(alerts.NotFoundError)):
		return alertNotFound(c)
	case errors.As(err, &input):
		return h.onRule(c, http.StatusBadRequest, id, func(r *views.AlertRuleRow) { r.Problem = problems.Join(input.Fields) })
	case err != nil:
		return err
	}
	return alertDone(c, "tested", id)
}
