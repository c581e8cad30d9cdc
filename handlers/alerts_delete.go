package handlers

import (
	"errors"

	"github.com/labstack/echo/v4"

	"mari/alerts"
)

// Delete serves POST /alerts/:id/delete: the rule stops being evaluated (its history,
// silences and notifications stay); a firing its channels were told of is resolved to them.
func (h *Alerts) Delete(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	id, ok := alertRuleID(c)
	if !ok {
		return alertNotFound(c)
	}
	err = h.service().Delete(c.Request().Context(), by, id)
	if errors.As(err, new(alerts.NotFoundError)) {
		return alertNotFound(c)
	}
	if err != nil {
		return err
	}
	return alertDone(c, "deleted", 0)
}
