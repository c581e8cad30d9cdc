package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"mari/calendar"
	"mari/catalogue"
)

// Every panel's download comes two ways from the same typed Table: "<panel>.csv", plain and
// machine-readable (decimal points, no grouping, ISO dates), and "<panel>.xlsx", a workbook a
// spreadsheet opens as numbers whatever its locale. A CSV with decimal points imports as text
// in a South African LibreOffice (decimal comma); a workbook's cells carry their type.

const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// downloadFile splits a download's file name into the panel's name and its format, "csv" or
// "xlsx"; ok is false for any other name.
func downloadFile(file string) (name, format string, ok bool) {
	for _, ext := range []string{"csv", "xlsx"} {
		if n, found := strings.CutSuffix(file, "."+ext); found && n != "" {
			return n, ext, true
		}
	}
	return "", "", false
}

// writeDownload sends t as filename (without its extension) in format: the CSV or the workbook.
func writeDownload(c echo.Context, format, filename string, t Table) error {
	if format == "xlsx" {
		return writeXLSX(c, filename+".xlsx", t)
	}
	return writeCSV(c, filename+".csv", t.strings())
}

// writeXLSX sends a table as a one-sheet workbook attachment.
func writeXLSX(c echo.Context, filename string, t Table) error {
	data, err := t.xlsx()
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, xlsxContentType, data)
}

// xlsxSheet is the name of a panel workbook's one sheet.
const xlsxSheet = "Data"

// xlsx is the table as a workbook: a bold header of readable labels, then a row per row. A
// number is written as the very text the CSV prints into a numeric cell (never through
// float64, so a spreadsheet holds exactly the CSV's figure), formatted by its unit: money
// with two decimals, counts whole, ratios as percentages. Dates are date cells; text is text,
// which a spreadsheet never runs as a formula.
func (t Table) xlsx() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", xlsxSheet); err != nil {
		return nil, err
	}
	styles := map[string]int{}
	style := func(key string, s *excelize.Style) (int, error) {
		if id, ok := styles[key]; ok {
			return id, nil
		}
		id, err := f.NewStyle(s)
		styles[key] = id
		return id, err
	}
	numFmt := func(code string) (int, error) {
		return style(code, &excelize.Style{CustomNumFmt: &code})
	}
	bold, err := style("bold", &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	for i, col := range t.Columns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(xlsxSheet, cell, col.label()); err != nil {
			return nil, err
		}
		if err := f.SetCellStyle(xlsxSheet, cell, cell, bold); err != nil {
			return nil, err
		}
		width := max(12, min(40, float64(len(col.label()))+2))
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(xlsxSheet, name, name, width); err != nil {
			return nil, err
		}
	}
	for ri, r := range t.Rows {
		for ci, v := range r {
			cell, _ := excelize.CoordinatesToCellName(ci+1, ri+2)
			var unit catalogue.Unit
			var name string
			if ci < len(t.Columns) {
				unit, name = t.Columns[ci].sheetUnit(), t.Columns[ci].Name
			}
			text, kind := xlsxCell(v, unit)
			var err error
			switch kind {
			case cellEmpty:
				continue
			case cellText:
				err = f.SetCellStr(xlsxSheet, cell, text)
			case cellNumber, cellDate:
				err = f.SetCellDefault(xlsxSheet, cell, text)
				if err == nil {
					code := xlsxNumFmt(unit, kind)
					if code != "" {
						var id int
						if id, err = numFmt(code); err == nil {
							err = f.SetCellStyle(xlsxSheet, cell, cell, id)
						}
					}
				}
			}
			if err != nil {
				return nil, fmt.Errorf("xlsx cell %s (%s): %w", cell, name, err)
			}
		}
	}
	if len(t.Rows) > 0 {
		if err := f.SetPanes(xlsxSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type cellKind int

const (
	cellEmpty cellKind = iota
	cellText
	cellNumber
	cellDate
)

// xlsxCell is a table cell as a workbook holds it: a number's exact CSV text, a date's serial
// day number, or text.
func xlsxCell(cell any, unit catalogue.Unit) (string, cellKind) {
	switch v := cell.(type) {
	case nil:
		return "", cellEmpty
	case string:
		return v, cellText
	case bool:
		return yesNo(v), cellText
	case calendar.Date:
		return fmt.Sprint(excelSerial(v)), cellDate
	case catalogue.Value:
		if !v.OK {
			return "", cellEmpty
		}
		return xlsxCell(v.V, unit)
	case int, int64, decimal.Decimal:
		return csvCell(v, unit), cellNumber
	}
	return fmt.Sprint(cell), cellText
}

// excelSerial is a date as spreadsheets count days: from 30 December 1899.
func excelSerial(d calendar.Date) int {
	epoch := time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	return int(day.Sub(epoch).Hours() / 24)
}

// xlsxNumFmt is a cell's number format. Spreadsheets show the grouping and decimal marks of
// the reader's locale for these codes (a South African reader sees "7 926,90" or "7 926.90").
func xlsxNumFmt(unit catalogue.Unit, kind cellKind) string {
	if kind == cellDate {
		return "yyyy-mm-dd"
	}
	switch unit {
	case catalogue.Rand:
		return "#,##0.00"
	case catalogue.Count, catalogue.Milliseconds:
		return "#,##0"
	case catalogue.Ratio:
		return "0.00%"
	case catalogue.PerUser, catalogue.Multiple:
		return "0.00"
	}
	return ""
}

// sheetUnit is the column's unit, or for a column without one the unit its name says: the
// CSV needs none to print a figure, a spreadsheet needs one to format it.
func (c Column) sheetUnit() catalogue.Unit {
	if c.Unit != "" {
		return c.Unit
	}
	n := c.Name
	switch {
	case strings.HasSuffix(n, "_rate") || strings.HasSuffix(n, "retention") || n == "share":
		return catalogue.Ratio
	case strings.HasSuffix(n, "_ms"):
		return catalogue.Milliseconds
	case strings.Contains(n, "volume") || strings.Contains(n, "revenue") || strings.Contains(n, "amount") ||
		strings.Contains(n, "average") || strings.Contains(n, "fees") || strings.Contains(n, "costs"):
		return catalogue.Rand
	}
	return ""
}

// label is the column's heading in a workbook: its Label, else its name made readable
// ("completed_volume" → "Completed volume (R)").
func (c Column) label() string {
	if c.Label != "" {
		return c.Label
	}
	return readableLabel(c.Name, c.sheetUnit())
}

// labelWords are the words of column names that read differently in a heading.
var labelWords = map[string]string{
	"sast": "(SAST)", "ms": "(ms)", "mau": "MAU", "p50": "p50", "p95": "p95", "p99": "p99",
	"id": "ID", "pct": "(%)", "percent": "(%)",
}

func readableLabel(name string, unit catalogue.Unit) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == '-' })
	if len(words) == 0 {
		return name
	}
	for i, w := range words {
		if r, ok := labelWords[w]; ok {
			words[i] = r
		} else if i == 0 {
			r := []rune(w)
			r[0] = unicode.ToUpper(r[0])
			words[i] = string(r)
		}
	}
	s := strings.Join(words, " ")
	switch unit {
	case catalogue.Rand:
		s += " (R)"
	case catalogue.Ratio:
		if !strings.Contains(s, "(%)") {
			s += " (%)"
		}
	}
	return s
}
