package handlers

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

// A cell a spreadsheet would run as a formula is written as text; numbers, negative ones
// included, stay numbers.
func TestCSVDefusesFormulas(t *testing.T) {
	e := echo.New()
	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/x.csv", nil), rec)
	tb := table{Header: []string{"name", "amount"}, Rows: [][]string{
		{`=HYPERLINK("http://evil.example","click")`, "-12.50"},
		{"+27 82 000 0000", "-1e3"},
		{"@SUM(A1:A2)", "0"},
		{"-not a number", "12"},
		{"Plain bank", ""},
	}}
	if err := writeCSV(c, "x.csv", tb); err != nil {
		t.Fatal(err)
	}
	want := "name,amount\n" +
		`"'=HYPERLINK(""http://evil.example"",""click"")",-12.50` + "\n" +
		"'+27 82 000 0000,-1e3\n" +
		"'@SUM(A1:A2),0\n" +
		"'-not a number,12\n" +
		"Plain bank,\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("CSV\n got %q\nwant %q", got, want)
	}
}
