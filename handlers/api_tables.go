package handlers

import (
	"strconv"
)

// The API's cohorts and banks are the tables the growth and bank pages build (and their CSVs
// print), read cell by cell into typed answers: the same cells, so the same figures.

// tableText is cell i of row as the CSV prints it, nil when the CSV leaves it empty (n/a, a
// month not begun).
func tableText(t Table, row []any, i int) *string {
	s := csvCell(row[i], t.Columns[i].Unit)
	if s == "" {
		return nil
	}
	return &s
}

// tableCount is a count cell of row, nil when empty.
func tableCount(t Table, row []any, i int) *int64 {
	s := tableText(t, row, i)
	if s == nil {
		return nil
	}
	n, err := strconv.ParseInt(*s, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

// tableString is a text cell of row ("" when empty).
func tableString(t Table, row []any, i int) string {
	if s := tableText(t, row, i); s != nil {
		return *s
	}
	return ""
}
