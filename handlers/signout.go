package handlers

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"mari/auth"
)

// SignOutService records sign-outs (auth.Service).
type SignOutService interface {
	RecordSignOut(ctx context.Context, a auth.Account, ip string) error
}

// SignOut serves POST /signout.
type SignOut struct {
	svc      SignOutService
	sessions Sessions
	keys     SessionKeys
	log      *slog.Logger
}

// NewSignOut returns the handler.
func NewSignOut(svc SignOutService, sessions Sessions, keys SessionKeys, log *slog.Logger) *SignOut {
	return &SignOut{svc: svc, sessions: sessions, keys: keys, log: log}
}

// Submit ends the session: the old token is deleted from the store (so a copy of the cookie
// signs nobody in) and the browser gets a fresh, empty session.
func (h *SignOut) Submit(c echo.Context) error {
	ctx := c.Request().Context()
	if a, ok := auth.Current(c); ok {
		if err := h.svc.RecordSignOut(ctx, a, c.RealIP()); err != nil {
			return err
		}
	}
	if err := h.sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.sessions.Remove(ctx, h.keys.Account)
	h.sessions.Remove(ctx, h.keys.Stamp)
	return c.Redirect(http.StatusSeeOther, "/signin?signed_out=1")
}
