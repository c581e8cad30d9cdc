package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mari/metrics"
	"mari/views"
)

// Glossary serves GET /glossary: every metric's definition, formula and source.
func Glossary(c echo.Context) error {
	return render(c, http.StatusOK, views.Glossary(metrics.Glossary))
}
