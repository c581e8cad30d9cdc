package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/dbconn"
	"mari/dbtest"
)

// Dates people type are bounded to 2000-01-01 .. 2100-12-31 everywhere: a bank contract, an
// incident's start and end, a report month, a dashboard range. Each is refused with its own
// message, next to its field where the page has a form, and nothing is written.
func TestTypedDatesOutsideTheWindowAreRefused(t *testing.T) {
	db := dbtest.New(t)
	seedBanks(t, db)
	banks := bankServer(db, auth.RolePartnerships)
	for name, c := range map[string]struct{ field, value, msg string }{
		"start in year 0":    {"contract_start", "0000-01-01", "Enter a start date from 2000-01-01 to 2100-12-31."},
		"start in 1999":      {"contract_start", "1999-12-31", "Enter a start date from 2000-01-01 to 2100-12-31."},
		"end in year 9999":   {"contract_end", "9999-12-31", "Enter an end date from 2000-01-01 to 2100-12-31"},
		"end the day after":  {"contract_end", "2101-01-01", "Enter an end date from 2000-01-01 to 2100-12-31"},
		"fee huge":           {"monthly_fee", "99999999999999999999999999", "0 to 10 000 000.00"},
		"fee beyond float":   {"monthly_fee", "-1e400", "0 to 10 000 000.00"},
		"fee NaN":            {"monthly_fee", "NaN", "0 to 10 000 000.00"},
		"share huge":         {"bank_share_percent", "99999999999999999999999999", "from 0 to 100"},
		"sla beyond integer": {"sla_p95_ms", "99999999999999999999999999", "from 100 to 120 000"},
	} {
		form := validBank()
		form.Set(c.field, c.value)
		res, body := postForm(t, banks, "/banks/new", form)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="err-`+c.field+`"`) || !strings.Contains(body, c.msg) {
			t.Errorf("%s: %d; want 400 with %q next to %s", name, res.StatusCode, c.msg, c.field)
		}
	}
	// The last days of the window are accepted.
	form := validBank()
	form.Set("contract_start", "2000-01-01")
	form.Set("contract_end", "2100-12-31")
	if res, body := postForm(t, banks, "/banks/new", form); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a contract from 2000-01-01 to 2100-12-31: %d\n%s", res.StatusCode, body)
	}
	if n := countRows(t, db, `SELECT count(*) FROM bank_partnerships WHERE contract_start_date = '2000-01-01' AND contract_end_date = '2100-12-31'`); n != 1 {
		t.Errorf("the accepted contract was not stored: %d rows", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_log`); n != 1 {
		t.Errorf("%d audit rows; want 1 (the accepted contract)", n)
	}

	// A dashboard range: too old and too far ahead say which.
	for target, msg := range map[string]string{
		"/banks?from=0000-01-01&to=2026-03-01": "The start date 0000-01-01 is before 2000-01-01; Mari has no data that old.",
		"/banks?from=2026-03-01&to=9999-12-31": "The end date 9999-12-31 is in the future (today is 2026-03-15 in SAST)",
		"/banks?from=9999-12-31&to=9999-12-31": "The start date 9999-12-31 is in the future",
	} {
		if status, body := getPage(t, banks, target); status != http.StatusBadRequest || !strings.Contains(body, msg) {
			t.Errorf("GET %s: %d; want 400 with %q", target, status, msg)
		}
	}
}

// A bank code that no stored partnership can have (a NUL byte, invalid UTF-8, lower case, too
// long) is "no such bank" without asking PostgreSQL, which would fail on some of them and
// make bad input look like an outage (503). Against an unreachable PostgreSQL, a well-formed
// code gets the 503 and a malformed one the 404: no query was made for it.
func TestMalformedBankCodeIsNotFound(t *testing.T) {
	deadPG, err := dbconn.Postgres(context.Background(), "postgres://mari@127.0.0.1:1/none?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer deadPG.Close()
	h := NewBanks(deadPG, BanksOptions{PanelTimeout: 2 * time.Second, Now: func() time.Time { return testNow }})
	e := echo.New()
	e.GET("/banks/:code", h.Bank)
	e.GET("/banks/:code/:file", h.BankCSV)
	e.GET("/banks/:code/edit", h.EditForm)
	if status, _ := getPage(t, e, "/banks/ALPHA"); status != http.StatusServiceUnavailable {
		t.Fatalf("a well-formed code with PostgreSQL down: %d; want 503", status)
	}
	for _, code := range []string{"%00", "%FF%FE", "alpha", strings.Repeat("A", 21)} {
		for _, target := range []string{"/banks/" + code, "/banks/" + code + "/edit", "/banks/" + code + "/monthly.csv"} {
			if status, body := getPage(t, e, target); status != http.StatusNotFound || !strings.Contains(body, "There is no bank partnership with the code") {
				t.Errorf("GET %s: %d; want the 404 page", target, status)
			}
		}
	}
}

// Incident times outside the window are refused field by field; so is a checkbox value the
// form never sends. Ending an incident at a time outside the window is refused too.
func TestIncidentTimesAreBounded(t *testing.T) {
	db := dbtest.New(t)
	e := incidentServer(db)
	for name, c := range map[string]struct{ field, value, msg string }{
		"start in year 0":   {"started_at", "0000-01-01T00:00", "from 2000-01-01 00:00 to now"},
		"start before 2000": {"started_at", "1999-12-31T23:59", "from 2000-01-01 00:00 to now"},
		"end in year 0":     {"ended_at", "0000-01-01T00:00", "from 2000-01-01 00:00 to now"},
		"end in year 9999":  {"ended_at", "9999-12-31T23:59", "from 2000-01-01 00:00 to now"},
		"outage box":        {"is_outage", "yes please", "Tick the outage box or leave it empty."},
	} {
		form := validIncident()
		form.Set(c.field, c.value)
		res, body := postForm(t, e, "/incidents", form)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="err-inc-0-`+c.field+`">`) || !strings.Contains(body, c.msg) {
			t.Errorf("%s: %d; want 400 with %q next to %s", name, res.StatusCode, c.msg, c.field)
		}
	}
	if n := countRows(t, db, `SELECT count(*) FROM incidents`); n != 0 {
		t.Fatalf("refused forms wrote %d incidents", n)
	}

	// The earliest accepted start; a description's CRLF line breaks are stored as one each.
	form := validIncident()
	form.Set("started_at", "2000-01-01T00:00")
	form.Del("ended_at")
	form.Set("description", "line one\r\nline two\r\n")
	if res, body := postForm(t, e, "/incidents", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start 2000-01-01 00:00: %d\n%s", res.StatusCode, body)
	}
	if n := countRows(t, db, `SELECT count(*) FROM incidents WHERE description = E'line one\nline two'`); n != 1 {
		t.Errorf("the description was not stored with plain line breaks")
	}
	res, body := postForm(t, e, "/incidents/1/end", url.Values{"ended_at": {"0000-01-01T00:00"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "The incident was not ended: Enter when the incident ended as a date and time (SAST) from 2000-01-01 00:00 to now") {
		t.Errorf("ending in year 0: %d", res.StatusCode)
	}
	if n := countRows(t, db, `SELECT count(*) FROM incidents WHERE ended_at IS NULL`); n != 1 {
		t.Errorf("a refused end ended the incident")
	}
	// Ongoing since 2000-01-01 00:00 SAST, the clock at 2026-03-15 10:00 SAST: 9 570 days
	// (26 years with 7 leap days, then 31 + 28 + 14) and 10 hours.
	if status, body := getPage(t, e, "/incidents"); status != http.StatusOK || !strings.Contains(body, "ongoing for 9570 d 10 h 0 min") {
		t.Errorf("the list: %d, duration not shown as 9570 d 10 h 0 min", status)
	}
}

// A duration is counted in seconds between the two instants, not through time.Duration, which
// saturates at about 292 years: a row stored before times were bounded shows its real length.
func TestHumanSpanDoesNotSaturate(t *testing.T) {
	// In UTC: Africa/Johannesburg had a local mean time offset in year 0, not UTC+2.
	from := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	// 0000-01-01 to 2000-01-01 is five 400-year cycles of 146 097 days = 730 485 days;
	// 2000-01-01 to 2026-01-01 is 26 × 365 + 7 leap days = 9 497; then 31 + 28 + 14 = 73.
	if got, want := humanSpan(from, to), "740055 d 10 h 0 min"; got != want {
		t.Errorf("humanSpan = %q; want %q (time.Sub would clamp to 106751 d)", got, want)
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{59 * time.Second, "under 1 min"}, {45 * time.Minute, "45 min"}, {72 * time.Minute, "1 h 12 min"}, {51*time.Hour + 30*time.Second, "2 d 3 h 0 min"}} {
		if got := humanSpan(to, to.Add(c.d)); got != c.want {
			t.Errorf("humanSpan(%s) = %q; want %q", c.d, got, c.want)
		}
	}
	if got := humanSpan(to, from); got != "under 1 min" {
		t.Errorf("a negative span = %q", got)
	}
}

// The uploaded file's name is quoted and shortened in work proportional to its length (it
// was quadratic: a 100 000-character name took 87 s of CPU). The number of allocations does
// not grow with the name, which a quadratic search could not manage; the times are logged.
func TestQuotedFileNameIsLinear(t *testing.T) {
	names := map[string]string{
		"100 000 printable":   strings.Repeat("a", 100_000) + ".csv",
		"1 000 000 printable": strings.Repeat("a", 1_000_000) + ".csv",
		"100 000 escaped":     strings.Repeat("\x01", 100_000),
		"1 000 000 escaped":   strings.Repeat("\x01", 1_000_000),
		"1 000 000 invalid":   strings.Repeat("\xffa", 500_000),
	}
	for label, name := range names {
		start := time.Now()
		q := quotedFileName(name)
		elapsed := time.Since(start)
		if n := utf8.RuneCountInString(q); n > maxQuotedFileName || !strings.HasSuffix(q, `…"`) || !strings.HasPrefix(q, `"`) {
			t.Errorf("%s: %d characters, %.20q…", label, n, q)
		}
		t.Logf("%s characters: %s", label, elapsed)
	}
	allocs := func(name string) float64 { return testing.AllocsPerRun(3, func() { quotedFileName(name) }) }
	for _, pair := range [][2]string{{"100 000 printable", "1 000 000 printable"}, {"100 000 escaped", "1 000 000 escaped"}} {
		if a, b := allocs(names[pair[0]]), allocs(names[pair[1]]); a != b {
			t.Errorf("allocations grow with the name: %v for %s, %v for %s", a, pair[0], b, pair[1])
		}
	}
	// Short names are kept whole; the cut keeps as much as fits, escapes included.
	if got := quotedFileName("/tmp/plan 2026.csv"); got != `"plan 2026.csv"` {
		t.Errorf("short name: %s", got)
	}
	long := quotedFileName(strings.Repeat("é", 300))
	if want := `"` + strings.Repeat("é", maxQuotedFileName-3) + `…"`; long != want {
		t.Errorf("cut name: %d characters, want %d", utf8.RuneCountInString(long), utf8.RuneCountInString(want))
	}
}

func BenchmarkQuotedFileName(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		name := strings.Repeat("a", n)
		b.Run(fmt.Sprintf("%d_chars", n), func(b *testing.B) {
			for range b.N {
				quotedFileName(name)
			}
		})
	}
}
