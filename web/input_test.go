package web

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/dbtest"
	"mari/finmodel"
)

// postUpload sends a multipart form (as the model's import form does) with one file part.
func (c *client) postUpload(target string, fields url.Values, fileName, content string) response {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	_ = w.WriteField(auth.CSRFFormField, c.csrf)
	h := textproto.MIMEHeader{}
	// Written by hand: CreateFormFile would escape the quotes and backslashes, but nothing
	// stops a client from sending any name. A control character cannot travel in a header
	// as itself, but it can percent-encoded in RFC 2231's filename*.
	disposition := `form-data; name="file"; filename="` + fileName + `"`
	if strings.ContainsFunc(fileName, func(r rune) bool { return r < 0x20 }) {
		disposition = `form-data; name="file"; filename*=UTF-8''` + url.PathEscape(fileName)
	}
	h.Set("Content-Disposition", disposition)
	h.Set("Content-Type", "text/csv")
	fw, err := w.CreatePart(h)
	if err != nil {
		c.t.Fatal(err)
	}
	_, _ = io.WriteString(fw, content)
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, target, &buf)
	req.RemoteAddr = c.ip + ":40000"
	req.Header.Set("Content-Type", w.FormDataContentType())
	for _, ck := range c.jar.Cookies(base) {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	res := rec.Result()
	c.jar.SetCookies(base, res.Cookies())
	b, _ := io.ReadAll(res.Body)
	return response{res, string(b)}
}

// seedAssumptionsCSV is the seed plan as its "Assumptions CSV" download, which imports back.
func seedAssumptionsCSV() string {
	header, rows := finmodel.AssumptionsTable(finmodel.SeedPlan())
	var b strings.Builder
	b.WriteString(strings.Join(header, ",") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.String()
}

// appState counts the rows of the tables a refused request could have written.
func appState(t *testing.T, db *dbtest.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"bank_partnerships", "incidents", "investor_reports", "report_links", "display_links",
		"model_scenarios", "model_scenario_versions", "staff_accounts", "audit_log", "signin_attempts"} {
		out[table] = count(t, db, `SELECT count(*) FROM `+table)
	}
	return out
}

// The input layer refuses, with a 400 and a message that names the parameter and the problem,
// what no field of the app can hold; every refusal is the friendly page and writes nothing.
// What the layer lets through (tabs and line breaks in a narrative, a list where a route reads
// one, a value at the limit) still works.
func TestInputLayerRefusesWhatNoFieldCanHold(t *testing.T) {
	db, h, svc := testServer(t, Config{})
	e := h.(*echo.Echo)
	newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)
	admin := newClient(t, e, "192.0.2.60")
	admin.mustSignIn("admin@mari.example")
	if r := admin.post("/reports", url.Values{"month": {"2026-02"}}); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/reports/1" {
		t.Fatalf("draft: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	validBank := func() url.Values {
		return url.Values{"bank_name": {"Delta Bank"}, "bank_code": {"DELTA"}, "status": {"pilot"}, "contract_start": {"2026-01-01"},
			"monthly_fee": {"0.00"}, "bank_share_percent": {"30"}, "sla_p95_ms": {"3000"}}
	}
	with := func(v url.Values, k, val string) url.Values { v.Set(k, val); return v }
	many := url.Values{}
	for i := range maxParams + 1 {
		many.Set(fmt.Sprintf("p%d", i), "1")
	}
	before := appState(t, db)

	cases := []struct {
		name, method, target string
		form                 url.Values
		msg                  string
	}{
		{"NUL in a bank name", "POST", "/banks/new", with(validBank(), "bank_name", "Delta\x00Bank"),
			`The field &#34;bank_name&#34; contains a control character (U+0000, a NUL byte), which it cannot hold.`},
		{"invalid UTF-8 in a bank name", "POST", "/banks/new", with(validBank(), "bank_name", "\xff\xfe"),
			`The field &#34;bank_name&#34; is not valid text (its bytes are not UTF-8).`},
		{"a C1 control", "POST", "/banks/new", with(validBank(), "bank_name", "Delta\u0085Bank"), `contains a control character (U+0085)`},
		{"an overlong encoding", "POST", "/banks/new", with(validBank(), "bank_code", "\xc0\x80"), `The field &#34;bank_code&#34; is not valid text`},
		{"a tab in a one-line field", "POST", "/ops/display-links", url.Values{"name": {"Ops\tTV"}},
			`The field &#34;name&#34; contains a control character (U+0009, a tab)`},
		{"a line break in a one-line field", "POST", "/admin/accounts", url.Values{"email": {"a@mari.example"}, "name": {"A\nB"}, "role": {"ops"}},
			`The field &#34;name&#34; contains a control character (U+000A, a line break)`},
		{"NUL in an account name", "POST", "/admin/accounts", url.Values{"email": {"a@mari.example"}, "name": {"A\x00"}, "role": {"ops"}},
			`The field &#34;name&#34; contains a control character (U+0000, a NUL byte)`},
		{"NUL in a report text", "POST", "/reports/1", url.Values{"milestones": {"Launched\x00"}}, `The field &#34;milestones&#34; contains a control character`},
		{"invalid UTF-8 in a report text", "POST", "/reports/1", url.Values{"challenges": {"\xff"}}, `The field &#34;challenges&#34; is not valid text`},
		{"NUL in an incident title", "POST", "/incidents", url.Values{"title": {"Down\x00"}, "severity": {"minor"}, "started_at": {"2026-03-15T09:00"}},
			`The field &#34;title&#34; contains a control character`},
		{"NUL in an incident description", "POST", "/incidents", url.Values{"title": {"Down"}, "severity": {"minor"}, "started_at": {"2026-03-15T09:00"}, "description": {"a\x00"}},
			`The field &#34;description&#34; contains a control character`},
		{"an escape in a narrative", "POST", "/reports/1", url.Values{"milestones": {"\x1b[2J"}}, `(U+001B, an escape)`},
		{"a value over the limit", "GET", "/glossary?q=" + strings.Repeat("x", maxValueChars+1), nil,
			`The address parameter &#34;q&#34; is 10001 characters long; at most 10000 are accepted.`},
		{"a narrative over its limit", "POST", "/reports/1", url.Values{"milestones": {strings.Repeat("é", maxTextareaChars+1)}},
			`The field &#34;milestones&#34; is 20001 characters long; at most 20000 are accepted.`},
		{"a parameter given twice", "GET", "/banks?from=2026-01-01&from=2026-02-01&to=2026-03-01", nil,
			`The parameter &#34;from&#34; is given 2 times; give it once.`},
		{"a field in the address and the body", "POST", "/incidents?title=One", url.Values{"title": {"Two"}, "severity": {"minor"}, "started_at": {"2026-03-15T09:00"}},
			`The parameter &#34;title&#34; is given 2 times; give it once.`},
		{"a field given twice", "POST", "/admin/accounts/1/role", url.Values{"role": {"ops", "admin"}}, `The parameter &#34;role&#34; is given 2 times`},
		{"too many parameters", "POST", "/banks/new", many, `The request has 302 parameters; at most 300 are accepted.`},
		{"a NUL in the path", "GET", "/banks/%00", nil, `The address contains a control character (U+0000, a NUL byte)`},
		{"invalid UTF-8 in the path", "GET", "/banks/%FF%FE/edit", nil, `The address is not valid text (it is not UTF-8).`},
		{"a NUL in a public path", "GET", "/r/%00", nil, `The address contains a control character`},
		{"a long path parameter", "GET", "/banks/" + strings.Repeat("A", maxPathParamChars+1), nil,
			`The address is too long: its &#34;code&#34; part is 201 characters; at most 200 are accepted.`},
		{"a malformed query", "GET", "/glossary?a=%zz", nil, `The address&#39;s parameters cannot be read`},
		{"a control character in a parameter's name", "GET", "/glossary?a%00b=1", nil, `A parameter&#39;s name contains a control character (U+0000, a NUL byte).`},
		{"a long parameter name", "GET", "/glossary?" + strings.Repeat("n", 101) + "=1", nil, `A parameter&#39;s name is 101 characters long`},
		{"a NUL in the sign-in email", "POST", "/signin", url.Values{"email": {"admin@mari.example\x00"}, "password": {knownPassword}},
			`The field &#34;email&#34; contains a control character (U+0000, a NUL byte)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r response
			if c.method == "GET" {
				r = admin.get(c.target)
			} else {
				r = admin.post(c.target, c.form)
			}
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, c.msg) || !strings.Contains(r.Body, "<html") {
				t.Errorf("%d; want 400 with %q\n%.600s", r.StatusCode, c.msg, r.Body)
			}
		})
	}
	if after := appState(t, db); !equalCounts(before, after) {
		t.Errorf("refused requests wrote: %v → %v", before, after)
	}

	// Scripts asking for JSON get the same message as JSON (the model's live preview).
	r := admin.do("POST", "/model/seed/preview", url.Values{"y1.users": {"1\x00"}, "_csrf": {admin.csrf}}, http.Header{"Accept": {"application/json"}})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"message":"The field \"y1.users\" contains a control character (U+0000, a NUL byte)`) {
		t.Errorf("preview with a NUL: %d %s", r.StatusCode, r.Body)
	}

	// What the layer lets through still works: tabs and CRLF line breaks in a narrative, a
	// narrative over the page's own limit (the page says so and keeps the text), a value at
	// the limit, and the list of scenarios to compare.
	if r := admin.post("/reports/1", url.Values{"milestones": {"Launched:\r\n\t- Bank A\r\n\t- Bank B"}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a narrative with tabs and line breaks: %d\n%.400s", r.StatusCode, r.Body)
	}
	if n := count(t, db, `SELECT count(*) FROM investor_reports WHERE milestones = E'Launched:\n\t- Bank A\n\t- Bank B'`); n != 1 {
		t.Errorf("the narrative was not stored as typed")
	}
	r = admin.post("/reports/1", url.Values{"milestones": {strings.Repeat("é", 15_000)}, "challenges": {"kept"}})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "Milestones is 15000 characters long; the limit is 5000. Nothing was saved.") || !strings.Contains(r.Body, ">kept</textarea>") {
		t.Errorf("a long narrative: %d, not the report page's own message with the text kept", r.StatusCode)
	}
	if r := admin.get("/glossary?q=" + strings.Repeat("x", maxValueChars)); r.StatusCode != http.StatusOK {
		t.Errorf("a value at the limit: %d", r.StatusCode)
	}
	if r := admin.get("/model/compare?s=seed&s=seed"); r.StatusCode != http.StatusOK {
		t.Errorf("compare with a repeated s: %d", r.StatusCode)
	}
	if r := admin.post("/ops/display-links", url.Values{"name": {"Ops room TV ✓ — ground floor"}}); r.StatusCode != http.StatusOK {
		t.Errorf("a display name with non-ASCII text: %d", r.StatusCode)
	}
}

func equalCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

// Upload names are checked too (the content is the import's to check): one longer than a file
// system allows is refused in milliseconds, before anything is read or written; one far
// beyond the body limit is refused by that limit. A plain name imports.
func TestUploadFileNameIsBounded(t *testing.T) {
	db, h, svc := testServer(t, Config{})
	e := h.(*echo.Echo)
	newAccount(t, svc, "exec@mari.example", auth.RoleExecutive)
	c := newClient(t, e, "192.0.2.61")
	c.mustSignIn("exec@mari.example")
	csv := seedAssumptionsCSV()

	for _, n := range []int{100_000, 1_000_000} {
		start := time.Now()
		r := c.postUpload("/model/import", url.Values{"name": {"Long name"}}, strings.Repeat("a", n)+".csv", csv)
		elapsed := time.Since(start)
		t.Logf("a %d-character file name: %d in %s", n, r.StatusCode, elapsed)
		switch n {
		case 100_000:
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "The uploaded file&#39;s name is 100004 characters long; rename the file to at most 255 characters") {
				t.Errorf("%d\n%.500s", r.StatusCode, r.Body)
			}
		default:
			if r.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("%d; want 413", r.StatusCode)
			}
		}
	}
	for name, msg := range map[string]string{
		"plan\x01.csv": "The uploaded file&#39;s name contains a control character (U+0001)",
		"plan\x00.csv": "The uploaded file&#39;s name contains a control character (U+0000, a NUL byte)",
		"plan\xff.csv": "The uploaded file&#39;s name is not valid text",
	} {
		if r := c.postUpload("/model/import", url.Values{"name": {"Bad name"}}, name, csv); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, msg) {
			t.Errorf("file name %q: %d; want 400 with %q", name, r.StatusCode, msg)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM model_scenarios`); n != 0 {
		t.Fatalf("refused uploads saved %d scenarios", n)
	}
	c.get("/model") // the page with the import form, and the signed-in session's CSRF token
	r := c.postUpload("/model/import", url.Values{"name": {"Imported"}}, strings.Repeat("é", 255), csv)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a 255-character name: %d\n%.500s", r.StatusCode, r.Body)
	}
	if n := count(t, db, `SELECT count(*) FROM model_scenarios WHERE name = 'Imported' AND based_on = $1`,
		`imported file "`+strings.Repeat("é", 197)+`…"`); n != 1 {
		t.Errorf("the import did not record the name shortened to 200 characters")
	}
}
