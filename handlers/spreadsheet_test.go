package handlers

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"mari/auth"
	"mari/calendar"
	"mari/catalogue"
	"mari/dbtest"
)

// readXLSX opens a workbook download and returns its one sheet's raw cells (numbers as stored)
// and the workbook, to read styles and types.
func readXLSX(t *testing.T, body string) (*excelize.File, [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	rows, err := f.GetRows(xlsxSheet)
	if err != nil {
		t.Fatal(err)
	}
	return f, rows
}

// Every chart of the executive page comes as a workbook whose numeric cells hold exactly the
// CSV's figures (as numbers, not text), with dates as dates and readable headings.
func TestExecutiveXLSXMatchesCSV(t *testing.T) {
	db := dbtest.New(t)
	seed(t, db)
	e := serve(newHandler(db, db.CH))
	for _, target := range []string{
		"/executive/revenue.%s?from=2026-01-01&to=2026-02-28",
		"/executive/daily.%s?from=2026-01-31&to=2026-02-01",
		"/executive/mau.%s?from=2026-01-01&to=2026-03-15",
		"/executive/northstar.%s?from=2026-03-01&to=2026-03-15",
	} {
		res, csvBody := get(t, e, strings.Replace(target, "%s", "csv", 1))
		wantStatus(t, res, csvBody, http.StatusOK)
		res, xlsxBody := get(t, e, strings.Replace(target, "%s", "xlsx", 1))
		wantStatus(t, res, xlsxBody, http.StatusOK)
		if ct := res.Header.Get("Content-Type"); ct != xlsxContentType {
			t.Errorf("%s: Content-Type %q", target, ct)
		}
		if cd := res.Header.Get("Content-Disposition"); !strings.HasSuffix(cd, `.xlsx"`) {
			t.Errorf("%s: Content-Disposition %q", target, cd)
		}
		sameFigures(t, target, csvBody, xlsxBody)
	}

	// The revenue workbook, cell by cell: headings, a date cell formatted as a date, money
	// with two decimals.
	_, body := get(t, e, "/executive/revenue.xlsx?from=2026-01-01&to=2026-02-28")
	f, rows := readXLSX(t, body)
	if h := strings.Join(rows[0], "|"); h != "Month|From|To|Transaction revenue (R)|Licensing revenue (R)|Revenue (R)|Complete" {
		t.Errorf("headings %q", h)
	}
	for cell, want := range map[string]string{"B2": "yyyy-mm-dd", "E2": "#,##0.00"} {
		id, err := f.GetCellStyle(xlsxSheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != want {
			t.Errorf("%s number format %v (%v), want %q", cell, st, err, want)
		}
	}
	if rows[1][4] != "6096.77" || rows[1][1] != "46023" { // 2026-01-01 is day 46 023
		t.Errorf("revenue row %q", rows[1])
	}

	if res, _ := get(t, e, "/executive/nope.xlsx?from=2026-01-01&to=2026-02-28"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown panel: %d; want 404", res.StatusCode)
	}
	if res, _ := get(t, e, "/executive/revenue.xlsx?from=2026-02-28&to=2026-01-01"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("reversed range: %d; want 400", res.StatusCode)
	}
}

// Ratios are percentages, counts whole numbers, text that looks like a formula stays text.
func TestTableXLSXTypesAndLabels(t *testing.T) {
	tb := Table{
		Columns: []Column{{Name: "bank"}, {Name: "success_rate", Unit: catalogue.Ratio}, {Name: "transactions", Unit: catalogue.Count},
			{Name: "p95_ms", Unit: catalogue.Milliseconds}, {Name: "note", Label: "What happened"}},
		Rows: [][]any{
			{"=HYPERLINK(\"http://evil.example\")", catalogue.Value{V: decimal.RequireFromString("0.976312"), OK: true}, int64(4000), decimal.NewFromInt(2227), nil},
			{"Bank B", catalogue.Value{}, int64(0), decimal.Zero, "ok"},
		},
	}
	data, err := tb.xlsx()
	if err != nil {
		t.Fatal(err)
	}
	f, rows := readXLSX(t, string(data))
	if h := strings.Join(rows[0], "|"); h != "Bank|Success rate (%)|Transactions|p95 (ms)|What happened" {
		t.Errorf("headings %q", h)
	}
	if r := strings.Join(rows[1], "|"); r != `=HYPERLINK("http://evil.example")|0.976312|4000|2227.00` {
		t.Errorf("row 1 %q", r)
	}
	if formula, _ := f.GetCellFormula(xlsxSheet, "A2"); formula != "" {
		t.Errorf("text became the formula %q", formula)
	}
	if typ, _ := f.GetCellType(xlsxSheet, "A2"); typ != excelize.CellTypeSharedString {
		t.Errorf("A2 type %v, want text", typ)
	}
	if v, _ := f.GetCellValue(xlsxSheet, "B3"); v != "" {
		t.Errorf("n/a ratio written as %q, want an empty cell", v)
	}
	id, _ := f.GetCellStyle(xlsxSheet, "B2")
	if st, _ := f.GetStyle(id); st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "0.00%" {
		t.Errorf("ratio format %v", st)
	}
}

// A bank's tables and the overview come as workbooks too: ratios as percentages, money with
// two decimals, the same figures as their CSVs.
func TestBankXLSXMatchesCSV(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	e := bankServer(db, auth.RolePartnerships)
	for _, target := range []string{"/banks/ALPHA/status.%s?" + janFeb, "/banks/ALPHA/recipients.%s?" + janFeb,
		"/banks/ALPHA/monthly.%s?" + janFeb, "/banks.%s?" + janFeb} {
		res, csvBody := get(t, e, strings.Replace(target, "%s", "csv", 1))
		wantStatus(t, res, csvBody, http.StatusOK)
		res, xlsxBody := get(t, e, strings.Replace(target, "%s", "xlsx", 1))
		wantStatus(t, res, xlsxBody, http.StatusOK)
		sameFigures(t, target, csvBody, xlsxBody)
	}
	_, body := get(t, e, "/banks/ALPHA/status.xlsx?"+janFeb)
	f, rows := readXLSX(t, body)
	if h := strings.Join(rows[0], "|"); h != "Status|Failure reason|Transactions|Share (%)|Amount (R)" {
		t.Errorf("headings %q", h)
	}
	for cell, want := range map[string]string{"D2": "0.00%", "E2": "#,##0.00", "C2": "#,##0"} {
		id, _ := f.GetCellStyle(xlsxSheet, cell)
		if st, _ := f.GetStyle(id); st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != want {
			t.Errorf("%s format %v, want %q", cell, st, want)
		}
	}
	if res, _ := get(t, e, "/banks/ALPHA/status.ods"); res.StatusCode != http.StatusNotFound {
		t.Errorf("status.ods: %d, want 404", res.StatusCode)
	}
}

func TestSpreadsheetDownloadNames(t *testing.T) {
	for file, want := range map[string]string{"daily.csv": "daily csv", "daily.xlsx": "daily xlsx", ".csv": "", "daily.json": "", "daily": ""} {
		name, format, ok := downloadFile(file)
		got := ""
		if ok {
			got = name + " " + format
		}
		if got != want {
			t.Errorf("downloadFile(%q) = %q, want %q", file, got, want)
		}
	}
}

// sameFigures checks that a workbook holds exactly the CSV's figures: numbers as numeric cells
// equal to the CSV's decimals, dates as the same days, text as the same text.
func sameFigures(t *testing.T, target, csvBody, xlsxBody string) {
	t.Helper()
	want, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f, got := readXLSX(t, xlsxBody)
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows in the workbook, %d in the CSV", target, len(got), len(want))
	}
	for ri := 1; ri < len(want); ri++ {
		for ci, w := range want[ri] {
			var g string
			if ci < len(got[ri]) {
				g = got[ri][ci]
			}
			cell, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
			typ, _ := f.GetCellType(xlsxSheet, cell)
			if d, err := calendar.ParseDate(w); err == nil && len(w) == 10 {
				if g != itoa(int64(excelSerial(d))) {
					t.Errorf("%s %s: date %q stored as %q", target, cell, w, g)
				}
				continue
			}
			wd, err := decimal.NewFromString(w)
			if err != nil { // text (a month key, yes/no, a name the CSV defused with "'") or empty
				if g != w && "'"+g != w {
					t.Errorf("%s %s: %q in the workbook, %q in the CSV", target, cell, g, w)
				}
				continue
			}
			gd, err := decimal.NewFromString(g)
			if err != nil || !gd.Equal(wd) {
				t.Errorf("%s %s: %q in the workbook, %q in the CSV", target, cell, g, w)
			}
			if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
				t.Errorf("%s %s: the number %q is stored as text", target, cell, w)
			}
		}
	}
}
