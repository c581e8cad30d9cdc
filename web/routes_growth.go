package web

import "github.com/labstack/echo/v4"

// registerGrowthRoutes adds the growth dashboard (issue 4). Listed here, called from
// registerRoutes.
func registerGrowthRoutes(e *echo.Echo, d Deps) {
}
