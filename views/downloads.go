package views

import "strings"

// SpreadsheetHref is the workbook beside a panel's CSV download: the same address with
// ".xlsx" for ".csv" ("/executive/daily.csv?from=…" → "/executive/daily.xlsx?from=…"), served
// from the same typed table. "" when href is not a CSV's.
func SpreadsheetHref(csvHref string) string {
	path, query, hasQuery := strings.Cut(csvHref, "?")
	base, ok := strings.CutSuffix(path, ".csv")
	if !ok || base == "" {
		return ""
	}
	if hasQuery {
		return base + ".xlsx?" + query
	}
	return base + ".xlsx"
}
