package web

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

func registerMiddleware(e *echo.Echo, d Deps) {
	e.Use(middleware.Recover())
}
