package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mari/links"
	"mari/queries"
	"mari/views"
)

// DisplayDB is what the display links read and write (PostgreSQL).
type DisplayDB = queries.DB

// DisplayOptions configure the display links.
type DisplayOptions struct {
	Now func() time.Time
	Log *slog.Logger
}

// Display serves the display links: their management under /ops/display-links, and the
// public wall screen /display/:token with its data.
type Display struct {
	db    DisplayDB
	links *links.Service // making and revoking the links
	ops   *Ops
	opts  DisplayOptions
}

// NewDisplay returns the handler; ops serves the dashboard's numbers.
func NewDisplay(db DisplayDB, ops *Ops, opts DisplayOptions) *Display {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Display{db: db, links: links.New(db, opts.Now), ops: ops, opts: opts}
}

// publicHeaders are set on every /display/ response: never cached, never indexed, and the
// token never leaks through a Referer.
func publicHeaders(c echo.Context) {
	hd := c.Response().Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Robots-Tag", "noindex, nofollow")
}

// link checks :token. ok false means the caller has already answered: the one 404 page for
// every unknown, forged or revoked token (the data URL too), or 503 when PostgreSQL is down.
func (h *Display) link(c echo.Context) (string, bool, error) {
	publicHeaders(c)
	hash, ok := parseToken(c.Param("token"))
	if !ok {
		return "", false, render(c, http.StatusNotFound, views.SharedInvalid())
	}
	_, name, found, err := queries.ActiveDisplayLink(c.Request().Context(), h.db, hash)
	if err != nil {
		h.opts.Log.Error("display link lookup failed", "err", err)
		return "", false, render(c, http.StatusServiceUnavailable, views.SharedUnavailable())
	}
	if !found {
		return "", false, render(c, http.StatusNotFound, views.SharedInvalid())
	}
	return name, true, nil
}

// Wall serves GET /display/:token: the wall-screen dashboard, read-only, no session, no
// cookie. Unknown, forged and revoked tokens all get the same 404 page.
func (h *Display) Wall(c echo.Context) error {
	name, ok, err := h.link(c)
	if !ok {
		return err
	}
	l := h.ops.load(c.Request().Context(), queries.OpsFilter{}, true)
	return render(c, http.StatusOK, views.OpsPage(opsView(l, opsViewOptions{
		DataURL: "/display/" + c.Param("token") + "/data", Title: "Operations · " + name,
	})))
}

// WallData serves GET /display/:token/data: the wall screen's refresh, while the link lives.
func (h *Display) WallData(c echo.Context) error {
	if _, ok, err := h.link(c); !ok {
		return err
	}
	return h.ops.writeJSON(c, queries.OpsFilter{})
}

func (h *Display) page(ctx context.Context) (views.DisplayLinksPage, error) {
	links, err := queries.DisplayLinks(ctx, h.db)
	p := views.DisplayLinksPage{}
	for _, l := range links {
		r := views.DisplayLinkRow{ID: l.ID, Name: l.Name, CreatedBy: l.CreatedByEmail, CreatedAt: sastClock(l.CreatedAt, "2006-01-02 15:04")}
		if l.RevokedAt != nil {
			r.RevokedAt = sastClock(*l.RevokedAt, "2006-01-02 15:04")
		}
		p.Links = append(p.Links, r)
	}
	return p, err
}

// List serves GET /ops/display-links.
func (h *Display) List(c echo.Context) error {
	p, err := h.page(c.Request().Context())
	if err != nil {
		return err
	}
	p.Revoked = c.QueryParam("revoked") == "1"
	return render(c, http.StatusOK, views.DisplayLinks(p))
}

// Create serves POST /ops/display-links: a new link, shown once as a full URL.
func (h *Display) Create(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	name, msg := links.CheckDisplayName(c.FormValue("name"))
	if msg != "" {
		p, err := h.page(ctx)
		if err != nil {
			return err
		}
		p.Name, p.Error = name, msg
		return render(c, http.StatusBadRequest, views.DisplayLinks(p))
	}
	l, err := h.links.CreateDisplayLink(ctx, by, name)
	if err != nil {
		return linkError(err)
	}
	p, err := h.page(ctx)
	if err != nil {
		return err
	}
	p.NewURL, p.NewName = c.Scheme()+"://"+c.Request().Host+"/display/"+l.Token, name
	return render(c, http.StatusOK, views.DisplayLinks(p))
}

// Revoke serves POST /ops/display-links/:id/revoke: the link stops working at once.
func (h *Display) Revoke(c echo.Context) error {
	id, err := linkIDParam(c, "id")
	if err != nil {
		return err
	}
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	if _, err := h.links.RevokeDisplayLink(c.Request().Context(), by, id); err != nil {
		return linkError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/ops/display-links?revoked=1")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// linkIDParam reads a positive whole-number path parameter.
func linkIDParam(c echo.Context, name string) (int64, error) {
	s := c.Param(name)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("%q is not a link number.", s)
	}
	return id, nil
}
