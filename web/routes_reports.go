package web

import (
	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/handlers"
)

// registerReportRoutes adds the investor reports (executives and admins) and the public
// read-only page /r/:token. registerRoutes calls it.
func registerReportRoutes(e *echo.Echo, d Deps) {
	h := handlers.NewReports(d.PG, handlers.ReportsOptions{
		LaunchMonth: d.Config.LaunchMonth,
		Timeout:     d.Config.PanelTimeout,
		Now:         d.Now,
		Log:         d.Log,
	})
	exec := auth.Require(auth.RoleExecutive) // admins always pass
	e.GET("/reports", h.List, exec)
	e.POST("/reports", h.CreateDraft, exec)
	e.GET("/reports/:id", h.View, exec)
	e.POST("/reports/:id", h.Save, exec)
	e.POST("/reports/:id/publish", h.Publish, exec)
	e.POST("/reports/:month/new-version", h.NewVersion, exec)
	e.POST("/reports/:id/links", h.CreateLink, exec)
	e.POST("/reports/:id/links/:link/revoke", h.RevokeLink, exec)
	e.POST("/reports/:id/links/:link/rotate", h.RotateLink, exec)

	// Public: the token is the only credential. No session, no cookie, no navigation.
	e.GET("/r/:token", h.Shared)
}
