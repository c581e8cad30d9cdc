package web

import "github.com/labstack/echo/v4"

// registerBankRoutes adds the banks pages (issue 4). Listed here, called from registerRoutes.
func registerBankRoutes(e *echo.Echo, d Deps) {}
