package web

import (
	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/handlers"
)

// registerIncidentRoutes adds the incident log. Listed here, called from registerRoutes. Ops
// records and ends incidents as they happen; executives (and admins) may too, since uptime
// on their dashboard is computed from these rows.
func registerIncidentRoutes(e *echo.Echo, d Deps) {
	staff := auth.Require(auth.RoleOps, auth.RoleExecutive) // and admins
	incidents := handlers.NewIncidents(d.PG, handlers.IncidentsOptions{Now: d.Now, Log: d.Log})
	e.GET("/incidents", incidents.List, staff)
	e.POST("/incidents", incidents.Create, staff)
	e.POST("/incidents/:id", incidents.Edit, staff)
	e.POST("/incidents/:id/end", incidents.End, staff)
}
