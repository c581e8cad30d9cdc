package web

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"mari/handlers"
	"mari/telemetry"
)

// The route labels of requests served ahead of the router (machine.go), and of paths no route
// matched. Labels are route templates, never paths, so their number is bounded by the app's
// routes.
const (
	routeAPI       = APIPrefix + "/*"
	routeIngest    = "/ingest/v1/:topic"
	routeUnmatched = "unmatched"
)

// observeRequests times every request of the public server for the metrics, and gives the
// request's context the panel observer (handlers.WithPanelObserver). It is the outermost
// middleware, registered before the machine routes, so those are timed too. It hands an
// error to echo's error handler itself, as echo would after it, so the status it records is
// the one the client got.
func observeRequests(tel *telemetry.Metrics, e *echo.Echo) echo.MiddlewareFunc {
	var once sync.Once
	var routes map[string]bool
	known := func() map[string]bool {
		// Routes are registered after the middleware and never change once serving.
		once.Do(func() {
			routes = map[string]bool{}
			for _, r := range e.Routes() {
				if r.Method != echo.RouteNotFound {
					routes[r.Path] = true
				}
			}
		})
		return routes
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			req := c.Request()
			c.SetRequest(req.WithContext(handlers.WithPanelObserver(req.Context(), tel)))
			if err := next(c); err != nil {
				c.Error(err)
			}
			tel.ObserveRequest(routeLabel(c, req.URL.Path, known()), methodLabel(req.Method), c.Response().Status, time.Since(start))
			return nil
		}
	}
}

// routeLabel is the template of the route that answered path.
func routeLabel(c echo.Context, path string, known map[string]bool) string {
	if c.Path() == "" { // not routed: a machine route answered, or nothing matched
		switch {
		case strings.HasPrefix(path, APIPrefix+"/"):
			return routeAPI
		case strings.HasPrefix(path, "/ingest/v1/"):
			return routeIngest
		}
	}
	if known[c.Path()] {
		return c.Path()
	}
	return routeUnmatched
}

// methodLabel keeps the method label to the methods HTTP defines.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}
