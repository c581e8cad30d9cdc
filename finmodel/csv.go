package finmodel

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The assumptions CSV has a header row "year,<driver keys…>" and one row per plan year, year 1
// first. Export writes it; import reads it back, so a file exported from one scenario can be
// edited in a spreadsheet and imported as another.

// AssumptionsTable is the assumptions CSV's header and rows, values as Plain shows them.
func AssumptionsTable(a Assumptions) (header []string, rows [][]string) {
	header = []string{"year"}
	for _, dr := range Drivers {
		header = append(header, dr.Key)
	}
	for i, y := range a.Years {
		row := []string{strconv.Itoa(i + 1)}
		for _, dr := range Drivers {
			row = append(row, dr.Plain(dr.Get(y)))
		}
		rows = append(rows, row)
	}
	return header, rows
}

// RowError is a problem on one line of an imported file: Row is the line's number in the
// file (the header is row 1), Year the plan year it describes (0 when unknown), Key the
// column ("" for the whole row).
type RowError struct {
	Row     int
	Year    int
	Key     string
	Message string
}

func (e RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "row %d", e.Row)
	if e.Year > 0 {
		fmt.Fprintf(&b, ", year %d", e.Year)
	}
	if e.Key != "" {
		b.WriteString(", " + e.Key)
	}
	return b.String() + ": " + e.Message
}

// MaxImportRows bounds an import: a plan has at most MaxYears years, and a file far longer
// is not an assumptions file.
const maxImportErrors = 50

// ReadAssumptionsCSV reads an assumptions CSV. It returns every problem found (up to 50), each
// with its row, year and column; the plan is only meaningful when there are none.
//
// Two forms are read: the export's (commas between values, decimal points) and the one a
// spreadsheet set to South African English saves (semicolons between values, decimal commas:
// "0,10"). The header line tells them apart: a header has no decimals, so a semicolon in it
// can only separate values.
func ReadAssumptionsCSV(r io.Reader) (Assumptions, []RowError) {
	br := bufio.NewReader(r)
	first, _ := br.Peek(4096) // the header line, or as much of it as a header can be
	line, _, _ := strings.Cut(string(first), "\n")
	enZA := strings.Contains(line, ";")
	cr := csv.NewReader(br)
	if enZA {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1 // rows of the wrong length are reported, not fatal
	cr.TrimLeadingSpace = true
	var a Assumptions
	var errs []RowError
	add := func(e RowError) bool {
		errs = append(errs, e)
		return len(errs) < maxImportErrors
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return a, []RowError{{Row: 1, Message: "the file is empty; it needs a header row and one row per year"}}
	}
	if err != nil {
		return a, []RowError{{Row: 1, Message: "not a readable CSV file: " + csvProblem(err)}}
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // spreadsheets' byte-order mark
	}
	column := map[string]int{}
	for i, h := range header {
		key := strings.ToLower(strings.TrimSpace(h))
		_, known := DriverByKey(key)
		switch {
		case key != "year" && !known:
			add(RowError{Row: 1, Key: h, Message: "unknown column; the columns are year and " + strings.Join(driverKeys(), ", ")})
		case column[key] > 0:
			add(RowError{Row: 1, Key: key, Message: "the column appears twice"})
		default:
			column[key] = i + 1 // 1-based so that 0 means absent
		}
	}
	for _, key := range append([]string{"year"}, driverKeys()...) {
		if column[key] == 0 {
			add(RowError{Row: 1, Key: key, Message: "the column is missing"})
		}
	}
	if len(errs) > 0 {
		return a, errs
	}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			add(RowError{Row: row, Message: "not readable: " + csvProblem(err)})
			return a, errs
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		want := len(a.Years) + 1
		if len(rec) != len(header) {
			if !add(RowError{Row: row, Year: want, Message: fmt.Sprintf("has %d values; the header has %d columns", len(rec), len(header))}) {
				return a, errs
			}
			a.Years = append(a.Years, Year{})
			continue
		}
		if got := strings.TrimSpace(rec[column["year"]-1]); got != strconv.Itoa(want) {
			if !add(RowError{Row: row, Year: want, Key: "year", Message: fmt.Sprintf("is %q; the years must be 1, 2, 3 … in order, so this row should be year %d", got, want)}) {
				return a, errs
			}
		}
		var y Year
		for _, dr := range Drivers {
			raw := rec[column[dr.Key]-1]
			if enZA {
				raw = decimalCommaToPoint(raw)
			}
			v, err := ParseValue(dr, raw)
			if err != nil {
				if !add(RowError{Row: row, Year: want, Key: dr.Key, Message: err.Error()}) {
					return a, errs
				}
				continue
			}
			dr.Set(&y, v)
		}
		a.Years = append(a.Years, y)
	}
	switch {
	case len(a.Years) == 0:
		add(RowError{Row: 2, Message: "there are no years below the header; add one row per plan year"})
	case len(a.Years) > MaxYears:
		add(RowError{Row: MaxYears + 2, Message: fmt.Sprintf("a plan has at most %d years; this file has %d", MaxYears, len(a.Years))})
	}
	return a, errs
}

// decimalCommaToPoint reads a South African figure ("1 750 000,50", "0,10") the way the
// export writes it: its one decimal comma becomes a point. Any point in it is left for
// ParseValue to refuse, since the form has none.
func decimalCommaToPoint(raw string) string {
	if strings.Count(raw, ",") != 1 || strings.Contains(raw, ".") {
		return raw
	}
	return strings.Replace(raw, ",", ".", 1)
}

func driverKeys() []string {
	var out []string
	for _, dr := range Drivers {
		out = append(out, dr.Key)
	}
	return out
}

func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// ResultColumns are the results table's columns (CSV header and spreadsheet headings).
var ResultColumns = []string{"users", "transactions", "transaction_revenue", "licensing_revenue", "total_revenue",
	"team_costs", "infrastructure_costs", "marketing_costs", "compliance_costs", "total_costs",
	"operating_profit", "cumulative_operating_profit", "operating_margin_percent"}

// ResultCells are one period's values in ResultColumns order, exact (money to the cent); the
// margin is "" when there is no revenue.
func ResultCells(l Lines) []string {
	margin := ""
	if m, ok := l.OperatingMargin(); ok {
		margin = m.StringFixed(2)
	}
	return []string{l.Users.String(), l.Transactions.String(), l.TransactionRevenue.StringFixed(2),
		l.LicensingRevenue.StringFixed(2), l.TotalRevenue.StringFixed(2), l.TeamCosts.StringFixed(2),
		l.InfraCosts.StringFixed(2), l.MarketingCosts.StringFixed(2), l.ComplianceCosts.StringFixed(2),
		l.TotalCosts.StringFixed(2), l.OperatingProfit.StringFixed(2), l.CumulativeProfit.StringFixed(2), margin}
}

// YearlyTable is the yearly results as a table: a row per year.
func YearlyTable(r Result) (header []string, rows [][]string) {
	header = append([]string{"year"}, ResultColumns...)
	for _, y := range r.Years {
		rows = append(rows, append([]string{strconv.Itoa(y.Year)}, ResultCells(y.Lines)...))
	}
	return header, rows
}

// MonthlyTable is the monthly results as a table: a row per plan month.
func MonthlyTable(r Result) (header []string, rows [][]string) {
	header = append([]string{"plan_month", "year", "month_of_year"}, ResultColumns...)
	for _, m := range r.Months() {
		y, moy := YearAndMonth(m.Month)
		rows = append(rows, append([]string{strconv.Itoa(m.Month), strconv.Itoa(y), strconv.Itoa(moy)}, ResultCells(m.Lines)...))
	}
	return header, rows
}
