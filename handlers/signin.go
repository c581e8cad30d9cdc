package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/views"
)

// SignInService checks credentials (auth.Service).
type SignInService interface {
	SignIn(ctx context.Context, email, password, ip string) (auth.Account, error)
}

// Sessions is the part of the session manager (scs) that signing in and out changes.
type Sessions interface {
	RenewToken(ctx context.Context) error
	Put(ctx context.Context, key string, val any)
	Remove(ctx context.Context, key string)
}

// SessionKeys name the session values that say who is signed in.
type SessionKeys struct {
	Account string // the account id (int64)
	Stamp   string // the account's auth.Account.SessionStamp at sign-in
	CSRF    string // the session's CSRF token
}

// signInSession starts a signed-in session for a under a new session token and without a
// CSRF token (a new one is made for the first form it shows): neither a session token nor a
// CSRF token planted before sign-in is worth anything after it.
func signInSession(ctx context.Context, s Sessions, keys SessionKeys, a auth.Account) error {
	if err := s.RenewToken(ctx); err != nil {
		return err
	}
	s.Remove(ctx, keys.CSRF)
	s.Put(ctx, keys.Account, a.ID)
	s.Put(ctx, keys.Stamp, a.SessionStamp)
	return nil
}

// SignIn serves GET and POST /signin.
type SignIn struct {
	svc      SignInService
	sessions Sessions
	keys     SessionKeys
	homes    auth.Homes
	log      *slog.Logger
}

// NewSignIn returns the handler. homes is where each role goes after signing in.
func NewSignIn(svc SignInService, sessions Sessions, keys SessionKeys, homes auth.Homes, log *slog.Logger) *SignIn {
	return &SignIn{svc: svc, sessions: sessions, keys: keys, homes: homes, log: log}
}

// Form shows the sign-in form; a signed-in visitor goes straight on.
func (h *SignIn) Form(c echo.Context) error {
	next, _ := auth.SafeNext(c.QueryParam("next"))
	if a, ok := auth.Current(c); ok {
		return c.Redirect(http.StatusSeeOther, h.destination(next, a.Role))
	}
	view := views.SignInForm{Next: next}
	if c.QueryParam("signed_out") != "" {
		view.Notice = "You have signed out."
	}
	return render(c, http.StatusOK, views.SignIn(view))
}

// destination is where a signed-in role goes: next when given, else its first page.
func (h *SignIn) destination(next string, role auth.Role) string {
	if next == "" || next == "/" {
		return h.homes.For(role)
	}
	return next
}

// Submit checks the credentials. Every failure that could tell whether an account exists
// gives the same message; malformed and oversized input is refused before anything is written.
func (h *SignIn) Submit(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return render(c, http.StatusBadRequest, views.SignIn(views.SignInForm{Error: "The form could not be read. Reload the page and try again."}))
	}
	email, password := form.Get("email"), form.Get("password")
	next, _ := auth.SafeNext(form.Get("next"))
	view := views.SignInForm{Email: email, Next: next}
	if len(email) > auth.MaxEmailLen {
		view.Email = ""
	}
	a, err := h.svc.SignIn(c.Request().Context(), email, password, c.RealIP())
	var input auth.InputError
	var limited auth.RateLimitedError
	switch {
	case err == nil:
	case errors.As(err, &input):
		view.Error = input.Msg
		return render(c, http.StatusBadRequest, views.SignIn(view))
	case errors.Is(err, auth.ErrWrongCredentials):
		view.Error = auth.ErrWrongCredentials.Error()
		return render(c, http.StatusUnauthorized, views.SignIn(view))
	case errors.As(err, &limited):
		view.Error = limited.Error()
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(limited.RetryAfter.Seconds()+0.999)))
		return render(c, http.StatusTooManyRequests, views.SignIn(view))
	case errors.Is(err, auth.ErrBusy):
		view.Error = auth.ErrBusy.Error()
		c.Response().Header().Set("Retry-After", "2")
		return render(c, http.StatusServiceUnavailable, views.SignIn(view))
	default:
		return err
	}
	if err := signInSession(c.Request().Context(), h.sessions, h.keys, a); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, h.destination(next, a.Role))
}
