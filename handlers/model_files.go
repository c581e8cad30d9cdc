package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"mari/finmodel"
	"mari/queries"
	"mari/scenarios"
	"mari/views"
)

// maxImportBytes bounds an uploaded assumptions file: ten years of ten values is well under
// a kilobyte, so anything near this is not an assumptions file.
const maxImportBytes = 256 << 10

// File serves GET /model/:id/:file: assumptions.csv (importable), results.csv (yearly),
// monthly.csv, sensitivity.csv, actuals.csv and scenario.xlsx (assumptions and results).
func (h *Model) File(c echo.Context) error {
	s, err := h.scenario(c)
	if done, err := scenarioNotFoundPage(c, err); done || err != nil {
		return err
	}
	file := c.Param("file")
	base := "scenario-" + s.ID
	r := finmodel.Compute(s.Assumptions)
	switch file {
	case "assumptions.csv":
		header, rows := finmodel.AssumptionsTable(s.Assumptions)
		return writeCSV(c, base+"-assumptions.csv", table{Header: header, Rows: rows})
	case "results.csv":
		header, rows := finmodel.YearlyTable(r)
		return writeCSV(c, base+"-results.csv", table{Header: header, Rows: rows})
	case "monthly.csv":
		header, rows := finmodel.MonthlyTable(r)
		return writeCSV(c, base+"-monthly.csv", table{Header: header, Rows: rows})
	case "sensitivity.csv":
		return writeCSV(c, base+"-sensitivity.csv", sensitivityTable(finmodel.SensitivityOf(s.Assumptions)))
	case "actuals.csv":
		acts, err := h.loadActuals(c.Request().Context(), len(r.Months()))
		if err != nil {
			return err
		}
		return writeCSV(c, base+"-actuals.csv", varianceTable(acts, finmodel.CompareActuals(r, acts.Actuals)))
	case "scenario.xlsx":
		title := s.Name
		if s.Stored {
			title = fmt.Sprintf("%s (version %d)", s.Name, s.Version)
		}
		data, err := finmodel.Workbook(title, s.Assumptions, r)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+base+`.xlsx"`)
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data)
	}
	return render(c, http.StatusNotFound, views.ErrorPage(http.StatusNotFound, "No such download",
		fmt.Sprintf("A scenario has no file %q: its downloads are assumptions.csv, results.csv, monthly.csv, sensitivity.csv, actuals.csv and scenario.xlsx.", file)))
}

// Import serves POST /model/import: an assumptions CSV becomes a new scenario, or, when any
// row is wrong, nothing is saved and every problem is listed with its row, year and column.
func (h *Model) Import(c echo.Context) error {
	if _, _, err := staff(c); err != nil {
		return err
	}
	name := strings.TrimSpace(c.FormValue("name"))
	refuse := func(msg string, rows []string) error {
		return h.renderList(c, http.StatusBadRequest, views.ModelList{ImportName: name, ImportError: msg + " Nothing was saved.", ImportRows: rows})
	}
	if msg := validateName(name); msg != "" {
		return refuse(msg, nil)
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return refuse("Choose a CSV file to import.", nil)
	}
	if fh.Size > maxImportBytes {
		return refuse(fmt.Sprintf("The file is %d KB; an assumptions file is far smaller (at most %d KB).", fh.Size>>10, maxImportBytes>>10), nil)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	a, errs := finmodel.ReadAssumptionsCSV(io.LimitReader(f, maxImportBytes))
	if len(errs) > 0 {
		var rows []string
		for _, e := range errs {
			rows = append(rows, e.Error())
		}
		return refuse(fmt.Sprintf("The file has %d problem(s); fix them and import again.", len(errs)), rows)
	}
	file := quotedFileName(fh.Filename)
	summary := fmt.Sprintf("imported from %s (%d years)", file, len(a.Years))
	id, err := h.createScenario(c, queries.Scenario{Name: name, BasedOn: "imported file " + file, Assumptions: a}, summary, summary)
	if taken := (scenarios.NameTakenError{}); errors.As(err, &taken) {
		return refuse(taken.Error(), nil)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/model/"+strconv.FormatInt(id, 10)+"?saved=new")
}

// maxQuotedFileName bounds the uploaded file's name as recorded: "imported file " and it must
// fit model_scenarios.based_on (300 characters). The name is whatever the browser sent.
const maxQuotedFileName = 200

// quotedFileName is the uploaded file's base name, quoted (escapes for anything unprintable)
// and shortened with "…" to at most maxQuotedFileName characters. Its work is linear in the
// name's length whatever that is: every character quotes to at least one character, so no
// prefix longer than the limit can fit, and the search for the longest one that does starts
// there instead of at the name's full length.
func quotedFileName(raw string) string {
	r := []rune(strings.ToValidUTF8(filepath.Base(raw), "\uFFFD"))
	for n := min(len(r), maxQuotedFileName); ; n-- {
		name := string(r[:n])
		if n < len(r) {
			name += "…"
		}
		if q := strconv.Quote(name); utf8.RuneCountInString(q) <= maxQuotedFileName {
			return q
		}
	}
}
