package web

import "github.com/labstack/echo/v4"

// registerModelRoutes adds the financial-model scenario editor (issue 5). Listed here, called
// from registerRoutes.
func registerModelRoutes(e *echo.Echo, d Deps) {
}
