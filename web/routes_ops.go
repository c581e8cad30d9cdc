package web

import (
	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/handlers"
	"mari/queries"
)

// registerOpsRoutes adds the ops pages (issue 4). Listed here, called from registerRoutes.
func registerOpsRoutes(e *echo.Echo, d Deps) {
	ops := handlers.NewOps(queries.Ops{CH: d.CH}, queries.OpsState{PG: d.PG}, handlers.OpsOptions{
		PanelTimeout: d.Config.PanelTimeout,
		Now:          d.Now,
		Log:          d.Log,
	})
	display := handlers.NewDisplay(d.PG, ops, handlers.DisplayOptions{Now: d.Now, Log: d.Log})
	opsStaff := auth.Require(auth.RoleOps, auth.RoleExecutive) // and admins
	e.GET("/ops", ops.Page, opsStaff)                          // ?wall=1: the wall screen
	e.GET("/ops/data", ops.Data, opsStaff)
	e.GET("/ops/display-links", display.List, opsStaff)
	e.POST("/ops/display-links", display.Create, opsStaff)
	e.POST("/ops/display-links/:id/revoke", display.Revoke, opsStaff)
	e.GET("/ops/:file", ops.CSV, opsStaff) // :file is "<panel>.csv"

	// Public: the token is the only credential. No session, no cookie, no navigation.
	e.GET("/display/:token", display.Wall)
	e.GET("/display/:token/data", display.WallData)
}
