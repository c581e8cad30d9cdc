// Package auth holds staff accounts, roles, sign-in and the rules of who may see what.
package auth

import (
	"context"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// Role is a staff account's role.
type Role string

const (
	RoleAdmin        Role = "admin"        // everything, plus accounts and the audit log
	RoleExecutive    Role = "executive"    // every dashboard, reports, links, scenarios
	RoleOps          Role = "ops"          // the operations dashboard and incidents
	RolePartnerships Role = "partnerships" // the bank pages
)

// Roles lists every role, in the order forms show them.
var Roles = []Role{RoleAdmin, RoleExecutive, RoleOps, RolePartnerships}

// Account is the signed-in staff member of a request.
type Account struct {
	ID    int64
	Email string
	Name  string
	Role  Role
	// MustChangePassword is set while the account still has a one-time password: it may only
	// change its password (or sign out) until it does.
	MustChangePassword bool
	// SessionStamp changes whenever the account's password changes. A session remembers the
	// stamp it signed in with, so a password change or reset ends the account's other
	// sessions.
	SessionStamp string
}

const currentKey = "mari.account"

// Current returns the signed-in account of the request, if any.
func Current(c echo.Context) (Account, bool) {
	a, ok := c.Get(currentKey).(Account)
	return a, ok
}

// SetCurrent attaches the signed-in account to the request (the session middleware does it).
// It also goes into the request's context, where templates find it (AccountFrom).
func SetCurrent(c echo.Context, a Account) {
	c.Set(currentKey, a)
	c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), accountCtxKey{}, a)))
}

type accountCtxKey struct{}
type csrfCtxKey struct{}

// AccountFrom returns the signed-in account from a request context (for templates).
func AccountFrom(ctx context.Context) (Account, bool) {
	a, ok := ctx.Value(accountCtxKey{}).(Account)
	return a, ok
}

// CSRFSource yields the request's CSRF token. The middleware makes it lazy: a token (and so
// a session and its cookie) comes into being only when a page actually renders a form, never
// for a stray GET such as a browser's /favicon.ico.
type CSRFSource func() string

// WithCSRFToken puts the request's CSRF token source into its context, where forms in
// templates find it (CSRFTokenFrom).
func WithCSRFToken(ctx context.Context, src CSRFSource) context.Context {
	return context.WithValue(ctx, csrfCtxKey{}, src)
}

// CSRFTokenFrom returns the CSRF token from a request context (for templates).
func CSRFTokenFrom(ctx context.Context) string {
	if src, ok := ctx.Value(csrfCtxKey{}).(CSRFSource); ok {
		return src()
	}
	return ""
}

// Homes is each role's first page: where sign-in sends it. The web package's page registry
// fills it from its pages' Landing column, and refuses to start unless every role has one.
type Homes map[Role]string

// For is role's first page; the glossary, which every signed-in account may read, for a role
// the registry does not know.
func (h Homes) For(r Role) string {
	if home, ok := h[r]; ok {
		return home
	}
	return "/glossary"
}

// CSRFContextKey is where the CSRF middleware (web/middleware.go) puts the request's token;
// every state-changing form posts it back in the hidden field CSRFFormField.
const (
	CSRFContextKey = "csrf"
	CSRFFormField  = "_csrf"
)

// CSRFToken returns the token a form on this page must post back.
func CSRFToken(c echo.Context) string {
	switch v := c.Get(CSRFContextKey).(type) {
	case CSRFSource:
		return v()
	case string: // tests may set a fixed token
		return v
	}
	return ""
}

// Allows reports whether role may use a route that admits roles. Admins may use everything.
func Allows(role Role, roles ...Role) bool {
	if role == RoleAdmin {
		return true
	}
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

// Require admits only signed-in accounts whose role is one of roles (admins always). A
// signed-out request is sent to the sign-in page (GET) or refused with 401; a signed-in account
// of another role gets 403.
func Require(roles ...Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			a, ok := Current(c)
			if !ok {
				if c.Request().Method == "GET" {
					return c.Redirect(303, "/signin?next="+url.QueryEscape(c.Request().URL.RequestURI()))
				}
				return echo.NewHTTPError(401, "Please sign in first.")
			}
			if !Allows(a.Role, roles...) {
				return echo.NewHTTPError(403, "Your role does not give access to this page.")
			}
			return next(c)
		}
	}
}

// SafeNext returns next if it is a path on this site to send someone to after sign-in, and
// false for anything else: absolute or scheme-relative URLs ("https://x", "//x", "/\x"),
// other schemes, control characters, or the sign-in and sign-out pages themselves.
func SafeNext(next string) (string, bool) {
	if next == "" || len(next) > 2048 || next[0] != '/' || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t\x00") {
		return "", false
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return "", false
	}
	if u.Path == "/signin" || u.Path == "/signout" {
		return "", false
	}
	return next, true
}
