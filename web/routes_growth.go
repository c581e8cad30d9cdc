package web

import (
	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/handlers"
)

// registerGrowthRoutes adds the growth dashboard (issue 4). Listed here, called from
// registerRoutes. Executives (and admins) see it, like the executive dashboard.
func registerGrowthRoutes(e *echo.Echo, d Deps) {
	viewers := auth.Require(auth.RoleExecutive) // and admins
	growth := handlers.NewGrowth(d.PG, handlers.GrowthOptions{
		LaunchMonth:  d.Config.LaunchMonth,
		PanelTimeout: d.Config.PanelTimeout,
		Now:          d.Now,
		Log:          d.Log,
	})
	e.GET("/growth", growth.Page, viewers)
	e.GET("/growth/:file", growth.CSV, viewers) // :file is signups.csv, cohorts.csv, retention-heatmap.csv, sources.csv or referrers.csv
}
