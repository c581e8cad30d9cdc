package views

import (
	"strings"
	"testing"
)

func TestFormatters(t *testing.T) {
	want := map[string]string{
		"rand 0": "R 0.00", "rand 7926.9": "R 7 926.90", "rand 21169279.05": "R 21 169 279.05", "rand -1234.5": "-R 1 234.50",
		"randCompact 0": "R 0", "randCompact 200": "R 200", "randCompact 87.5": "R 87.50", "randCompact 950": "R 950",
		"randCompact 999.99": "R 999.99", "randCompact 1000": "R 1 k", "randCompact 7926.9": "R 7.9 k",
		"randCompact 950000": "R 950 k", "randCompact 999960": "R 1 M", "randCompact 24500000": "R 24.5 M",
		"randCompact 24449999": "R 24.4 M", "randCompact -1234567": "-R 1.2 M", "randCompact 1000000000": "R 1 B",
		"count 4000": "4 000", "count 1234567": "1 234 567", "count -5": "-5",
		"percent 0.976312": "97.63%", "percent -392.393": "-39 239.30%", "percent -0.00001": "0.00%",
		"randCompact 2500000000000": "R 2 500 B", "randCompact 1e21": "R 1 000 000 000 000 B", "percent 1": "100.00%", "percent -0.0123": "-1.23%",
		"ms 2227": "2 227 ms", "ms 1000000": "1 000 000 ms",
		"msCompact 950": "950 ms", "msCompact 999.4": "999 ms", "msCompact 2227": "2.2 s", "msCompact 65000": "65.0 s",
	}
	got := map[string]string{}
	for _, c := range FormatCases() {
		got[c.JS+" "+c.Input] = strings.ReplaceAll(c.Go, nbsp, " ")
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
}

func TestAuditDetailFormatsFigures(t *testing.T) {
	for in, want := range map[string]string{
		"figures frozen: volume 21169279.05, revenue 6096.91, transactions 12345, total users 2": "figures frozen: volume R 21 169 279.05, revenue R 6 096.91, transactions 12 345, total users 2",
		"version 1000: imported from \"seed.csv\" (5 years)":                                     "version 1000: imported from \"seed.csv\" (5 years)",
		"link 2026 for Investor": "link 2026 for Investor",
	} {
		if got := strings.ReplaceAll(AuditDetail(in), nbsp, " "); got != want {
			t.Errorf("AuditDetail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSpreadsheetHref(t *testing.T) {
	for in, want := range map[string]string{
		"/executive/daily.csv?from=2026-01-01&to=2026-01-31": "/executive/daily.xlsx?from=2026-01-01&to=2026-01-31",
		"/banks.csv":          "/banks.xlsx",
		"/model/1/daily.json": "",
		"":                    "",
	} {
		if got := SpreadsheetHref(in); got != want {
			t.Errorf("SpreadsheetHref(%q) = %q, want %q", in, got, want)
		}
	}
}
