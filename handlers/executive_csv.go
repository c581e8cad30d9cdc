package handlers

import (
	"bytes"
	"encoding/csv"
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
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(cd.Table.Header)
	_ = w.WriteAll(cd.Table.Rows) // flushes; a bytes.Buffer cannot fail
	filename := fmt.Sprintf("mari-%s-%s-to-%s.csv", name, rc.Range.From, rc.Range.To)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
