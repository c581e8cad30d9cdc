package finmodel

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// Workbook sheet names.
const (
	SheetAssumptions = "Assumptions"
	SheetResults     = "Results"
	SheetMonthly     = "Monthly"
)

// Workbook writes a scenario as an Excel workbook: its assumptions (a row per driver, a column
// per year, like the editor), its yearly results and its monthly results. Numbers are written
// as their exact decimal text into numeric cells (never through float64), so a spreadsheet
// shows exactly the figures of the page.
func Workbook(title string, a Assumptions, r Result) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetAssumptions); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	moneyFmt := "#,##0.00"
	money, err := f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt})
	if err != nil {
		return nil, err
	}
	countFmt := "#,##0"
	count, err := f.NewStyle(&excelize.Style{CustomNumFmt: &countFmt})
	if err != nil {
		return nil, err
	}
	percentFmt := "0.00"
	percentNumber, err := f.NewStyle(&excelize.Style{CustomNumFmt: &percentFmt})
	if err != nil {
		return nil, err
	}
	set := func(sheet string, col, row int, value string, style int) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		if err := f.SetCellDefault(sheet, cell, value); err != nil {
			return err
		}
		if style != 0 {
			return f.SetCellStyle(sheet, cell, cell, style)
		}
		return nil
	}

	// Assumptions: title, then drivers as rows and years as columns.
	if err := set(SheetAssumptions, 1, 1, title, bold); err != nil {
		return nil, err
	}
	heads := []string{"Assumption", "Key", "Unit"}
	for i := range a.Years {
		heads = append(heads, fmt.Sprintf("Year %d", i+1))
	}
	for c, h := range heads {
		if err := set(SheetAssumptions, c+1, 3, h, bold); err != nil {
			return nil, err
		}
	}
	for ri, dr := range Drivers {
		row := ri + 4
		for c, v := range []string{dr.Label, dr.Key, dr.Unit} {
			if err := set(SheetAssumptions, c+1, row, v, 0); err != nil {
				return nil, err
			}
		}
		style := money
		if dr.Whole {
			style = count
		}
		for yi, y := range a.Years {
			if err := set(SheetAssumptions, yi+4, row, dr.Plain(dr.Get(y)), style); err != nil {
				return nil, err
			}
		}
	}
	if err := f.SetColWidth(SheetAssumptions, "A", "A", 34); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(SheetAssumptions, "B", "C", 26); err != nil {
		return nil, err
	}

	// Results and Monthly: the tables of the CSV downloads.
	for _, sheet := range []struct {
		name string
		tab  func(Result) ([]string, [][]string)
	}{{SheetResults, YearlyTable}, {SheetMonthly, MonthlyTable}} {
		if _, err := f.NewSheet(sheet.name); err != nil {
			return nil, err
		}
		header, rows := sheet.tab(r)
		for c, h := range header {
			if err := set(sheet.name, c+1, 1, ColumnLabel(h), bold); err != nil {
				return nil, err
			}
		}
		for ri, cells := range rows {
			for c, v := range cells {
				style := money
				switch header[c] {
				case "year", "plan_month", "month_of_year":
					style = 0
				case "users", "transactions":
					style = count
				case "operating_margin_percent":
					style = percentNumber
				}
				if err := set(sheet.name, c+1, ri+2, v, style); err != nil {
					return nil, err
				}
			}
		}
		last, _ := excelize.ColumnNumberToName(len(header))
		if err := f.SetColWidth(sheet.name, "A", last, 18); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// columnLabels are the results tables' headings in a workbook; the CSV keeps the keys, which
// programs read.
var columnLabels = map[string]string{
	"year": "Year", "plan_month": "Plan month", "month_of_year": "Month of year",
	"users": "Users", "transactions": "Transactions",
	"transaction_revenue": "Transaction revenue (R)", "licensing_revenue": "Licensing revenue (R)",
	"total_revenue": "Total revenue (R)", "team_costs": "Team costs (R)",
	"infrastructure_costs": "Infrastructure costs (R)", "marketing_costs": "Marketing costs (R)",
	"compliance_costs": "Compliance costs (R)", "total_costs": "Total costs (R)",
	"operating_profit": "Operating profit (R)", "cumulative_operating_profit": "Cumulative operating profit (R)",
	"operating_margin_percent": "Operating margin (%)",
}

// ColumnLabel is a results column's heading for people: "transaction_revenue" reads
// "Transaction revenue (R)". A key without a label is its own heading.
func ColumnLabel(key string) string {
	if l, ok := columnLabels[key]; ok {
		return l
	}
	return key
}
