package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mari/handlers"
	"mari/queries"
	"mari/static"
)

// registerRoutes lists every route of the app in one place.
func registerRoutes(e *echo.Echo, d Deps) {
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", static.Handler())))

	executive := handlers.NewExecutive(queries.Executive{PG: d.PG, CH: d.CH}, handlers.ExecutiveOptions{
		LaunchMonth:  d.Config.LaunchMonth,
		PanelTimeout: d.Config.PanelTimeout,
		Now:          d.Now,
		Log:          d.Log,
	})
	e.GET("/", executive.Page)
	e.GET("/executive/:file", executive.CSV) // :file is "<panel>.csv"
	e.GET("/glossary", handlers.Glossary)
}
