package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// registerRoutes lists every route of the app in one place.
func registerRoutes(e *echo.Echo, d Deps) {
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
}
