package web

import (
	"bytes"
	"context"
	cryptorand "crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"mari/auth"
	"mari/config"
	"mari/views"
)

func registerMiddleware(e *echo.Echo, d Deps, s *security) {
	e.Use(middleware.Recover())
	e.Use(securityHeaders(d.Config.CookieSecure))
	// Pages are compressed for the browsers that accept it: the executive dashboard's HTML,
	// mostly chart data, is 80 KB as written and about 12 KB gzipped. The static files come
	// precompressed (package static). Compressing pages that carry the session's CSRF token
	// invites BREACH only where an attacker's page can make the browser fetch them signed in
	// and watch their size: the session cookie is SameSite=Lax (no cookie on a cross-site
	// image or script), and a forged POST fails the Origin check whatever token it guesses.
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		Level:     5,
		MinLength: 1024,
		Skipper:   func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/static/") },
	}))
	// Forms here are small; a body beyond this is refused before anything parses it.
	e.Use(middleware.BodyLimit("256K"))
	e.Use(checkInput) // input.go; before the session is read, so a refused request costs no query and writes nothing
	e.Use(s.loadAndSave, s.currentAccount, s.csrf, s.passwordChangeGate)
	e.HTTPErrorHandler = errorHandler(d)
}

// security holds the session manager and the sign-in service the middleware and the sign-in
// handlers share.
type security struct {
	sessions     *scs.SessionManager
	auth         *auth.Service
	log          *slog.Logger
	crossOrigin  *http.CrossOriginProtection
	cookieSecure bool
	// pages is the page registry: which paths go without a session, what an account with a
	// one-time password may open, and the navigation of each role.
	pages *registry
}

// Session keys.
const (
	sessionAccountKey = "account_id"
	sessionStampKey   = "account_stamp"
	sessionCSRFKey    = "csrf"
)

type echoContextKey struct{}

func newSecurity(d Deps) *security {
	sm := scs.New()
	if d.PG != nil {
		sm.Store = pgxstore.New(d.PG)
	}
	// A server assembled with a partial Config (tests, tools) gets the configured defaults.
	sm.IdleTimeout = d.Config.SessionIdle
	if sm.IdleTimeout <= 0 {
		sm.IdleTimeout = config.Default().SessionIdle
	}
	sm.Lifetime = d.Config.SessionLifetime
	if sm.Lifetime <= 0 {
		sm.Lifetime = config.Default().SessionLifetime
	}
	sm.Cookie.Name = "mari_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = d.Config.CookieSecure
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false // the cookie ends with the browser; the server ends the session sooner
	// A session store that fails (PostgreSQL down) goes to echo's friendly error page.
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		d.Log.Error("session store", "err", err)
		if c, ok := r.Context().Value(echoContextKey{}).(echo.Context); ok && !c.Response().Committed {
			c.Error(echo.NewHTTPError(http.StatusServiceUnavailable,
				"Sign-in is unavailable because the database cannot be reached. Please try again in a minute."))
			return
		}
		http.Error(w, "Service unavailable", http.StatusServiceUnavailable)
	}
	gate := d.HashGate
	if gate == nil {
		gate = auth.NewHashGate(d.Config.PasswordHashConcurrency, d.Config.PasswordHashWait)
	}
	svc := &auth.Service{DB: d.PG, Now: d.Now, Gate: gate}
	if d.PasswordParams != nil {
		svc.Params = *d.PasswordParams
	}
	return &security{sessions: sm, auth: svc, log: d.Log,
		crossOrigin: http.NewCrossOriginProtection(), cookieSecure: d.Config.CookieSecure}
}

// public requests get no session and no cookie: the registry's public pages (the health and
// readiness checks, static files, and the read-only report and display links, where the token
// in the URL is the only credential).
func (s *security) public(c echo.Context) bool {
	return s.pages.public(c.Request().URL.Path)
}

// loadAndSave runs the rest of the chain, error handling included, inside scs's LoadAndSave:
// the session cookie is written exactly once, before the first byte of whatever response
// (page, redirect or error page) the request ends with.
func (s *security) loadAndSave(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.public(c) {
			return next(c)
		}
		r := c.Request()
		r = r.WithContext(context.WithValue(r.Context(), echoContextKey{}, c))
		original := c.Response().Writer
		s.sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.SetRequest(r)
			c.Response().Writer = w
			if err := next(c); err != nil {
				c.Error(err)
			}
		})).ServeHTTP(original, r)
		c.Response().Writer = original
		return nil
	}
}

// currentAccount reads the session's account from staff_accounts on every request (nothing
// is cached), so disabling an account or changing its role takes effect at once.
func (s *security) currentAccount(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.public(c) {
			return next(c)
		}
		ctx := c.Request().Context()
		id := s.sessions.GetInt64(ctx, sessionAccountKey)
		if id == 0 {
			return next(c)
		}
		a, ok, err := s.auth.Load(ctx, id)
		if err != nil {
			s.log.Error("load signed-in account", "err", err)
			return echo.NewHTTPError(http.StatusServiceUnavailable,
				"Your account could not be checked because the database cannot be reached. Please try again in a minute.")
		}
		// Deleted or disabled since sign-in, or its password changed since (a reset ends every
		// session of the account): the session no longer signs anyone in.
		if !ok || subtle.ConstantTimeCompare([]byte(s.sessions.GetString(ctx, sessionStampKey)), []byte(a.SessionStamp)) != 1 {
			s.sessions.Remove(ctx, sessionAccountKey)
			s.sessions.Remove(ctx, sessionStampKey)
			return next(c)
		}
		auth.SetCurrent(c, a)
		c.SetRequest(c.Request().WithContext(views.WithNavigation(c.Request().Context(), s.pages.navigation[a.Role])))
		return next(c)
	}
}

// csrfCookieName carries the CSRF token of a visitor who has not signed in (the sign-in
// form's), so that such a visitor has no session row: a signed-in session keeps its token in
// the session, where it is made anew after sign-in.
const csrfCookieName = "mari_csrf"

// csrfTokenLen is the length of a token: 32 random bytes, base64url without padding.
const csrfTokenLen = 43

// csrf guards every state-changing request twice. First by where it comes from: a request a
// browser marks as cross-site (Sec-Fetch-Site), or whose Origin names another host, is refused
// whatever it carries (net/http's CrossOriginProtection). Then by a token: a POST (or any
// unsafe method) must send back, in the form field _csrf or the header X-CSRF-Token, the
// token of its signed-in session, or, before sign-in, the token of the mari_csrf cookie.
func (s *security) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.crossOrigin.Check(c.Request()); err != nil {
			return echo.NewHTTPError(http.StatusForbidden,
				"This request came from another site, so nothing was changed. Use Mari BI's own pages.")
		}
		if s.public(c) {
			return next(c)
		}
		ctx := c.Request().Context()
		_, signedIn := auth.Current(c)
		var token string
		var keep func(string)
		if signedIn {
			token = s.sessions.GetString(ctx, sessionCSRFKey)
			keep = func(t string) { s.sessions.Put(ctx, sessionCSRFKey, t) }
			if ck, err := c.Cookie(csrfCookieName); err == nil && ck.Value != "" {
				c.SetCookie(s.csrfCookie("", -1)) // the pre-sign-in token is worthless now
			}
		} else {
			if ck, err := c.Cookie(csrfCookieName); err == nil && len(ck.Value) == csrfTokenLen {
				token = ck.Value
			}
			keep = func(t string) { c.SetCookie(s.csrfCookie(t, 0)) }
		}
		// Minted on first use (a page rendering a form), so requests that show no form set no
		// cookie and, signed in, do not change the session.
		var mintErr error
		source := auth.CSRFSource(func() string {
			if token == "" && mintErr == nil {
				var b [32]byte
				if _, mintErr = cryptorand.Read(b[:]); mintErr != nil {
					s.log.Error("csrf token", "err", mintErr)
					return ""
				}
				token = base64.RawURLEncoding.EncodeToString(b[:])
				keep(token)
			}
			return token
		})
		c.Set(auth.CSRFContextKey, source)
		c.SetRequest(c.Request().WithContext(auth.WithCSRFToken(ctx, source)))
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		sent := c.Request().Header.Get("X-CSRF-Token")
		if sent == "" {
			sent = c.FormValue(auth.CSRFFormField)
		}
		// A visitor without a token never showed a form: nothing it sends can match.
		if token == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
			return echo.NewHTTPError(http.StatusForbidden,
				"This form has expired or did not come from Mari BI, so nothing was changed. Go back, reload the page and try again.")
		}
		return next(c)
	}
}

// csrfCookie is the pre-sign-in token's cookie; maxAge -1 deletes it. It lives as long as the
// browser session, is never readable by scripts and never sent with another site's requests.
func (s *security) csrfCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: csrfCookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cookieSecure, SameSite: http.SameSiteStrictMode}
}

// passwordChangeGate keeps an account with a one-time password on the change-password page:
// it may use only the pages the registry marks OneTimePassword (changing it, signing out).
func (s *security) passwordChangeGate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		a, ok := auth.Current(c)
		if !ok || !a.MustChangePassword {
			return next(c)
		}
		// c.Path is the matched route's pattern: echo routes before it runs middleware.
		if s.pages.withOneTimePassword[c.Request().Method+" "+c.Path()] {
			return next(c)
		}
		if c.Request().Method == http.MethodGet {
			return c.Redirect(http.StatusSeeOther, "/account/password")
		}
		return echo.NewHTTPError(http.StatusForbidden, "Choose a new password first.")
	}
}

// contentSecurityPolicy allows only our own scripts and styles: no inline script or style,
// no eval, no framing. Chart options travel as JSON data blocks, which CSP does not execute.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// permissionsPolicy turns off the browser features no page of Mari BI uses.
const permissionsPolicy = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), " +
	"microphone=(), payment=(), usb=(), fullscreen=(self)"

// securityHeaders go on every response. HSTS only when the cookies are Secure, that is when
// the app is served over HTTPS: over plain http it would mean nothing (browsers ignore it),
// and on localhost it would pin the name to HTTPS.
func securityHeaders(https bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Permissions-Policy", permissionsPolicy)
			if https {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			return next(c)
		}
	}
}

// errorHandler renders a friendly page for every error that reaches echo: the status, a
// plain message, and links back. Internals (stack traces, SQL, driver errors) only go to the
// log. Messages of 4xx HTTPErrors are written for users and are shown.
func errorHandler(d Deps) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status := http.StatusInternalServerError
		message := ""
		var he *echo.HTTPError
		if errors.As(err, &he) {
			status = he.Code
			if m, ok := he.Message.(string); ok && (status < 500 || status == http.StatusServiceUnavailable) {
				message = m
			}
		}
		title := http.StatusText(status)
		switch status {
		case http.StatusNotFound:
			title, message = "Page not found", "There is no page at this address. It may have moved, or the link may be mistyped."
		case http.StatusMethodNotAllowed:
			title, message = "Not allowed", "This address does not accept that kind of request."
		case http.StatusInternalServerError:
			title, message = "Something went wrong", "The page could not be shown because of an error on our side. It has been logged; please try again."
		}
		if status >= 500 {
			d.Log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "status", status, "err", err)
		}
		if message == "" {
			message = title
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		// Scripts (the wall screen's poll, the model's live preview) ask for JSON: give them
		// the same message in a form they can show.
		if strings.Contains(c.Request().Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON) {
			_ = c.JSON(status, map[string]any{"status": status, "title": title, "message": message})
			return
		}
		page := views.ErrorPage(status, title, message)
		switch status {
		case http.StatusForbidden:
			page = views.AccessDenied(message)
		case http.StatusUnauthorized:
			title = "Please sign in"
			page = views.ErrorPage(status, title, message)
		}
		var buf bytes.Buffer
		if rerr := page.Render(c.Request().Context(), &buf); rerr != nil {
			_ = c.String(status, message)
			return
		}
		_ = c.HTMLBlob(status, buf.Bytes())
	}
}
