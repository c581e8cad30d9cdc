package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"mari/links"
	"mari/queries"
	"mari/views"
)

// Read-only links: one published report, one named recipient, an expiry. The tokens, the
// checks and the writes are package links; this file reads the forms and shows the results.

const (
	defaultLinkDays = links.DefaultDays
	maxLinkDays     = links.MaxDays
)

// parseToken returns the hash of a well-formed token; ok is false for anything else.
func parseToken(s string) ([]byte, bool) { return links.ParseToken(s) }

func parseDays(s string) (int, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return defaultLinkDays, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Sprintf("The expiry %q is not a whole number of days: enter 1 to %d.", s, maxLinkDays)
	}
	if msg := links.CheckDays(n); msg != "" {
		return 0, msg
	}
	return n, ""
}

// linkURL is the full address of a token, for the one time it is shown.
func linkURL(c echo.Context, token string) string {
	return c.Scheme() + "://" + c.Request().Host + "/r/" + token
}

// publishedReport loads report :id for a link action: it must exist (400) and be published.
func (h *Reports) publishedReport(c echo.Context) (queries.Report, error) {
	id, err := reportID(c)
	if err != nil {
		return queries.Report{}, err
	}
	r, err := h.report(c.Request().Context(), id, http.StatusBadRequest)
	if err != nil {
		return r, err
	}
	if !r.Published() {
		return r, badRequest("Only a published report can be shared: publish this draft first.")
	}
	return r, nil
}

// CreateLink serves POST /reports/:id/links.
func (h *Reports) CreateLink(c echo.Context) error {
	r, err := h.publishedReport(c)
	if err != nil {
		return err
	}
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	recipient, msg := links.CheckRecipient(c.FormValue("recipient"))
	days, dmsg := 0, ""
	if msg == "" {
		days, dmsg = parseDays(c.FormValue("days"))
		msg = dmsg
	}
	if msg != "" {
		p, err := h.page(c, r.ID, nil)
		if err != nil {
			return err
		}
		p.LinkForm = views.ReportLinkForm{Recipient: recipient, Days: c.FormValue("days"), Error: msg}
		return render(c, http.StatusBadRequest, views.ReportView(p))
	}
	l, err := h.links.ShareReport(c.Request().Context(), by, r.ID, recipient, days)
	if err != nil {
		return linkError(err)
	}
	return h.renderNewLink(c, r.ID, recipient, l.Token)
}

// linkError answers the refusals of the links service as the link actions always have: each
// is a bad request (400) with its message.
func linkError(err error) error {
	var missing links.NotFoundError
	var conflict links.ConflictError
	var input links.InputError
	switch {
	case errors.As(err, &missing):
		return badRequest("%s", missing.Msg)
	case errors.As(err, &conflict):
		return badRequest("%s", conflict.Msg)
	case errors.As(err, &input):
		return badRequest("%s", input.Msg)
	}
	return err
}

// renderNewLink shows the report page with the new link's URL: the only time it is shown.
func (h *Reports) renderNewLink(c echo.Context, reportID int64, recipient, token string) error {
	p, err := h.page(c, reportID, nil)
	if err != nil {
		return err
	}
	p.NewLinkURL, p.NewLinkFor = linkURL(c, token), recipient
	return render(c, http.StatusOK, views.ReportView(p))
}

// linkID reads :link.
func linkID(c echo.Context) (int64, error) {
	s := c.Param("link")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("%q is not a link number.", s)
	}
	return id, nil
}

// RevokeLink serves POST /reports/:id/links/:link/revoke: the link stops working at once.
func (h *Reports) RevokeLink(c echo.Context) error {
	r, err := h.publishedReport(c)
	if err != nil {
		return err
	}
	lid, err := linkID(c)
	if err != nil {
		return err
	}
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	if _, err := h.links.RevokeReportLink(c.Request().Context(), by, r.ID, lid); err != nil {
		return linkError(err)
	}
	return c.Redirect(http.StatusSeeOther, reportHref(r.ID)+"?revoked=1")
}

// RotateLink serves POST /reports/:id/links/:link/rotate: a new link for the same recipient
// and report replaces the old one, which is revoked.
func (h *Reports) RotateLink(c echo.Context) error {
	r, err := h.publishedReport(c)
	if err != nil {
		return err
	}
	lid, err := linkID(c)
	if err != nil {
		return err
	}
	days, msg := parseDays(c.FormValue("days"))
	if msg != "" {
		return badRequest("%s", msg)
	}
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	l, err := h.links.RotateReportLink(c.Request().Context(), by, r.ID, lid, days)
	if err != nil {
		return linkError(err)
	}
	return h.renderNewLink(c, r.ID, l.Recipient, l.Token)
}
