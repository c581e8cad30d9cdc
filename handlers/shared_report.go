package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mari/queries"
	"mari/reports"
	"mari/views"
)

// maxUserAgentChars bounds what the view log keeps of a browser's User-Agent.
const maxUserAgentChars = 500

// Shared serves GET /r/:token, the public read-only page of one published report. It touches
// no session and sets no cookie. Unknown, forged, expired and revoked tokens all get the same
// 404 page, so the page says nothing about which.
func (h *Reports) Shared(c echo.Context) error {
	hd := c.Response().Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Robots-Tag", "noindex, nofollow")

	hash, ok := parseToken(c.Param("token"))
	if !ok {
		return h.sharedPage(c, http.StatusNotFound, views.SharedInvalid())
	}
	ctx := c.Request().Context()
	now := h.opts.Now()
	l, found, err := queries.LinkByHash(ctx, h.db, hash)
	if err != nil {
		h.opts.Log.Error("shared report: link lookup failed", "err", err)
		return h.sharedPage(c, http.StatusServiceUnavailable, views.SharedUnavailable())
	}
	if !found || l.State(now) != queries.LinkActive {
		return h.sharedPage(c, http.StatusNotFound, views.SharedInvalid())
	}
	r, found, err := queries.ReportByID(ctx, h.db, l.ReportID)
	if err == nil && found && r.Published() {
		var versions []queries.Report
		var f reports.Figures
		if versions, err = queries.ReportVersions(ctx, h.db, r.Month); err == nil {
			if f, err = reports.Unmarshal(r.Figures); err == nil {
				err = queries.InsertLinkView(ctx, h.db, l.ID, now, c.RealIP(), truncateRunes(c.Request().UserAgent(), maxUserAgentChars))
			}
		}
		if err == nil {
			body := reportBody(r, versions, f, nil)
			for _, v := range versions {
				if v.Published() && v.Version > r.Version && v.PublishedAt != nil {
					body.SupersededNote = fmt.Sprintf("A corrected version of this report (version %d) was published on %s SAST; please ask the sender for a link to it.",
						v.Version, sastTime(*v.PublishedAt))
				}
			}
			return h.sharedPage(c, http.StatusOK, views.SharedReport(body))
		}
	}
	if err == nil { // a link to a report that is not published: the trigger forbids it
		h.opts.Log.Error("shared report: link to an unpublished report", "link", l.ID)
		return h.sharedPage(c, http.StatusNotFound, views.SharedInvalid())
	}
	h.opts.Log.Error("shared report failed", "link", l.ID, "err", err)
	return h.sharedPage(c, http.StatusServiceUnavailable, views.SharedUnavailable())
}

func (h *Reports) sharedPage(c echo.Context, status int, comp templ.Component) error {
	return render(c, status, comp)
}

func truncateRunes(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
