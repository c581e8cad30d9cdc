package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"mari/calendar"
)

// CSV serves GET /executive/{panel}.csv?from=..&to=..: exactly the numbers of that chart
// (exact decimals, SAST dates) as an attachment. An unknown panel is a 404.
func (h *Executive) CSV(c echo.Context) error {
	name, ok := strings.CutSuffix(c.Param("file"), ".csv")
	chart, known := findChart(name)
	if !ok || !known {
		return echo.ErrNotFound
	}
	now := h.opts.Now()
	rc, err := h.parse(c, calendar.Today(now))
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return echo.NewHTTPError(http.StatusBadRequest, bad.msg)
		}
		return err
	}
	d := h.loadAll(c.Request().Context(), rc, now, panelSet{chart.needs: true})
	cd := chart.data(d)
	if cd.Unavailable != "" {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "This chart's data is unavailable: "+cd.Unavailable+". Try again shortly.")
	}
	return writeCSV(c, fmt.Sprintf("mari-%s-%s-to-%s.csv", name, rc.Range.From, rc.Range.To), cd.Table)
}
