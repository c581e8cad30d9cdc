// Package handlers holds one file per page or action. Handlers receive their dependencies
// through constructors and declare the small interfaces they use.
package handlers

import (
	"bytes"
	"encoding/csv"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mari/config"
)

// render writes a templ component with the given status. The page is rendered into a buffer
// first, so a rendering error never leaves half a page behind.
func render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// panelDefaults fills the options every dashboard handler shares: the panel timeout (the
// configuration's default, MARI_PANEL_TIMEOUT), the clock and the logger.
func panelDefaults(timeout *time.Duration, now *func() time.Time, log **slog.Logger) {
	if *timeout <= 0 {
		*timeout = config.Default().PanelTimeout
	}
	if *now == nil {
		*now = time.Now
	}
	if *log == nil {
		*log = slog.Default()
	}
}

// writeCSV sends a table as a CSV attachment: the one CSV writer of every page's downloads.
func writeCSV(c echo.Context, filename string, t table) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(t.Header)
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]string, len(r))
		for j, cell := range r {
			rows[i][j] = csvSafe(cell)
		}
	}
	_ = w.WriteAll(rows) // flushes; a bytes.Buffer cannot fail
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// csvSafe defuses a cell a spreadsheet would run as a formula: text typed by people (a bank
// name, an incident title, a scenario name) that starts with =, +, -, @, tab or carriage
// return gets a leading apostrophe, which spreadsheets show as text. Numbers (−12.50) pass
// unchanged so the columns stay numeric.
func csvSafe(cell string) string {
	if cell == "" || !strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return cell
	}
	if _, err := strconv.ParseFloat(cell, 64); err == nil {
		return cell
	}
	return "'" + cell
}
