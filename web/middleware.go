package web

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"mari/views"
)

func registerMiddleware(e *echo.Echo, d Deps) {
	e.Use(middleware.Recover())
	e.Use(securityHeaders)
	e.HTTPErrorHandler = errorHandler(d)
}

// contentSecurityPolicy allows only our own scripts and styles: no inline script or style,
// no eval, no framing. Chart options travel as JSON data blocks, which CSP does not execute.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		return next(c)
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
		var buf bytes.Buffer
		if rerr := views.ErrorPage(status, title, message).Render(c.Request().Context(), &buf); rerr != nil {
			_ = c.String(status, message)
			return
		}
		_ = c.HTMLBlob(status, buf.Bytes())
	}
}
