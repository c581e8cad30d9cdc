package handlers

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"mari/auth"
	"mari/calendar"
	"mari/dbtest"
)

var (
	bankSortLinks = regexp.MustCompile(`<th[^>]*>\s*<a href="(/banks\?[^"]*)"`)
	bankRowLinks  = regexp.MustCompile(`href="(/banks/[A-Z]+\?[^"]*)"`)
)

// A relative range stays relative through the overview's links: sorting "6 full months +
// this month" keeps preset=last6m instead of turning it into the dates of today, and so does
// opening a bank. Typed dates stay typed dates.
func TestBankSortKeepsThePreset(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	e := bankServer(db, auth.RolePartnerships)
	links := func(target string) (sorts, banks []string, body string) {
		t.Helper()
		res, body := get(t, e, target)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", target, res.StatusCode)
		}
		for _, m := range bankSortLinks.FindAllStringSubmatch(body, -1) {
			sorts = append(sorts, html.UnescapeString(m[1]))
		}
		for _, m := range bankRowLinks.FindAllStringSubmatch(body, -1) {
			banks = append(banks, html.UnescapeString(m[1]))
		}
		return sorts, banks, body
	}

	for _, target := range []string{"/banks?preset=last6m", "/banks?preset=last6m&sort=bank&dir=desc", "/banks"} {
		sorts, banks, _ := links(target)
		if len(sorts) < 8 || len(banks) != 4 {
			t.Fatalf("%s: %d sort links and %d bank links; want every column and the 4 banks", target, len(sorts), len(banks))
		}
		for _, h := range append(sorts, banks...) {
			if !strings.Contains(h, "preset=last6m") || strings.Contains(h, "from=") || strings.Contains(h, "to=") {
				t.Errorf("%s links to %s; want preset=last6m and no dates", target, h)
			}
		}
	}
	// Following a sort link keeps the preset lit and sorts.
	sorts, _, _ := links("/banks?preset=last6m")
	var byBank string
	for _, h := range sorts {
		if strings.Contains(h, "sort=bank&") || strings.HasSuffix(h, "sort=bank") {
			byBank = h
		}
	}
	if byBank == "" {
		t.Fatalf("no link sorts by bank: %v", sorts)
	}
	_, banks, body := links(byBank)
	if !strings.Contains(body, `class="preset active"`) || !strings.Contains(body, ">6 full months + this month</a>") {
		t.Errorf("after sorting, the preset is not the one shown active")
	}
	if want := "ALPHA BETA GAMMA ZETA"; strings.Join(bankCodes(banks), " ") != want {
		t.Errorf("sorted by bank: %v; want %s", bankCodes(banks), want)
	}

	// The range form posts the preset back beside its dates: unchanged dates (a filter or a
	// sort changed) stay relative, changed ones become a fixed range.
	if !strings.Contains(body, `<input type="hidden" name="preset" value="last6m">`) {
		t.Errorf("the range form does not post the relative preset back")
	}
	today := calendar.Today(testNow)
	six := today.MonthStart().AddMonths(-6)
	sorts, banks, _ = links("/banks?preset=last6m&from=" + six.String() + "&to=" + today.String() + "&sort=users&dir=desc")
	for _, h := range append(sorts, banks...) {
		if !strings.Contains(h, "preset=last6m") || strings.Contains(h, "from=") {
			t.Errorf("the form's unchanged dates link to %s; want preset=last6m", h)
		}
	}
	sorts, _, _ = links("/banks?preset=last6m&from=" + six.AddDays(1).String() + "&to=" + today.String())
	for _, h := range sorts {
		if strings.Contains(h, "preset=") || !strings.Contains(h, "from="+six.AddDays(1).String()) {
			t.Errorf("changed dates link to %s; want the typed dates", h)
		}
	}

	// Typed dates are kept as dates.
	sorts, banks, _ = links("/banks?" + janFeb)
	for _, h := range append(sorts, banks...) {
		if !strings.Contains(h, "from=2026-01-01") || !strings.Contains(h, "to=2026-02-28") || strings.Contains(h, "preset=") {
			t.Errorf("a typed range links to %s; want its dates", h)
		}
	}
}

func bankCodes(hrefs []string) []string {
	var out []string
	for _, h := range hrefs {
		code, _, _ := strings.Cut(strings.TrimPrefix(h, "/banks/"), "?")
		out = append(out, code)
	}
	return out
}
