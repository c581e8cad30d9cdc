package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mari/alerts"
	"mari/views"
)

// Create serves POST /alerts: a rule made from a template, checked, stored with its audit
// entry. A refused one comes back in its template's form with what is wrong, field by field,
// as a 400, and nothing is written.
func (h *Alerts) Create(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	f := readAlertForm(c)
	id, err := h.service().Create(c.Request().Context(), by, f)
	var input alerts.InputError
	if errors.As(err, &input) {
		return h.render(c, http.StatusBadRequest, func(p *views.AlertsPage) {
			p.Message = "The rule was not created. " + fixFields
			info, known := alerts.InfoOf(alerts.Template(f.Template))
			if !known {
				p.Message = "The rule was not created. " + alerts.MsgTemplate
				return
			}
			for i := range p.Forms {
				if p.Forms[i].Template == f.Template {
					p.Forms[i] = templateForm(info, f, p.Forms[i].Banks)
					p.Forms[i].Errors, p.Forms[i].Open = input.Fields, true
				}
			}
		})
	}
	if err != nil {
		return err
	}
	return alertDone(c, "created", id)
}
