package handlers

import (
	"errors"
	"strconv"

	"github.com/labstack/echo/v4"

	"mari/alerts"
)

// EndSilence serves POST /alerts/:id/silences/:silence/end: a silence in force ends now, and
// the next round tells the rule's channels what they missed.
func (h *Alerts) EndSilence(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	id, ok := alertRuleID(c)
	sid, err := strconv.ParseInt(c.Param("silence"), 10, 64)
	if !ok || err != nil || sid <= 0 {
		return alertNotFound(c)
	}
	err = h.service().EndSilence(c.Request().Context(), by, id, sid)
	if errors.As(err, new(alerts.NotFoundError)) {
		return alertNotFound(c)
	}
	if err != nil {
		return err
	}
	return alertDone(c, "unsilenced", id)
}
