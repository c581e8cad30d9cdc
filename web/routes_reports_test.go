package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/dbtest"
	"mari/rollup"
	"mari/static"
	"mari/views"
)

// The investor reports and their read-only links, end to end through the routes, against a
// real PostgreSQL. The session middleware is not part of these tests: a tiny middleware puts
// the account (header X-Test-Role) and a CSRF token on the request, as the real one will.

const testCSRF = "csrf-test-token"

var (
	sast    = dbtest.SAST
	date    = dbtest.Date
	reportT = sast("2026-04-10 10:00:00") // March is over, April is running
)

func ruid(name string) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("web-report-user-"+name))
}

// seedReportData is the hand-worked dataset (SAST), the same as the reports package's tests:
//
//	licensing Feb R1 000 (BANKA), Mar R1 000 + R500 (BANKB)
//	users a, b in February; c, d, e in March
//	February: a 100.00 COMPLETED, a 50.00 FAILED, b 200.00 COMPLETED
//	March:    a 300.00 COMPLETED, c 25.50 COMPLETED, d 40.00 FAILED, a 1 000.00 COMPLETED
//
// → March: total users 5, new 3, MAU 3, transactions 4, volume R1 325.50,
// revenue 3 × 0.10 + 1 500 = R1 500.30. February: 2, 2, 2, 3, R300.00, R1 000.20.
func seedReportData(t *testing.T, db *dbtest.DB) {
	t.Helper()
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date, monthly_fee) VALUES
		('Bank A', 'BANKA', 'active', '2026-02-01', 1000.00), ('Bank B', 'BANKB', 'active', '2026-03-01', 500.00)`)
	for _, u := range []struct{ name, at string }{
		{"a", "2026-02-03 09:00:00"}, {"b", "2026-02-28 23:59:59"},
		{"c", "2026-03-01 00:00:00"}, {"d", "2026-03-15 12:00:00"}, {"e", "2026-03-31 23:30:00"},
	} {
		db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at, last_active)
			VALUES ($1, $2, $3, 'key', $4, $4)`, ruid(u.name), "phone-"+u.name, "blood-"+u.name, sast(u.at))
	}
	for i, x := range []struct{ from, amount, status, at string }{
		{"a", "100.00", "COMPLETED", "2026-02-05 10:00:00"},
		{"a", "50.00", "FAILED", "2026-02-10 10:00:00"},
		{"b", "200.00", "COMPLETED", "2026-02-28 23:59:59"},
		{"a", "300.00", "COMPLETED", "2026-03-01 00:00:00"},
		{"c", "25.50", "COMPLETED", "2026-03-10 12:00:00"},
		{"d", "40.00", "FAILED", "2026-03-20 12:00:00"},
		{"a", "1000.00", "COMPLETED", "2026-03-31 23:59:59"},
	} {
		insertReportTx(t, db, i+1, x.from, x.amount, x.status, x.at)
	}
	rerunRollup(t, db)
}

func insertReportTx(t *testing.T, db *dbtest.DB, n int, from, amount, status, at string) {
	t.Helper()
	to := "a"
	if from == "a" {
		to = "b"
	}
	initiated := sast(at)
	var reason *string
	if status == "FAILED" {
		r := "insufficient_funds"
		reason = &r
	}
	db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, bank_id,
			created_at, completed_at, channel, processing_time_ms, failure_reason)
		VALUES ($1, $2, $3::numeric, $4, $5, 'BANKA', $6, $7, 'online', 1000, $8)`,
		ruid(from), ruid(to), amount, status, fmt.Sprintf("web-report-seal-%d", n), initiated, initiated.Add(time.Second), reason)
}

func rerunRollup(t *testing.T, db *dbtest.DB) {
	t.Helper()
	if err := rollup.New(db.PG, nil, func() time.Time { return reportT }).Backfill(context.Background(), date("2026-01-01"), date("2026-04-10"), io.Discard); err != nil {
		t.Fatalf("rollup: %v", err)
	}
}

// reportServer is an echo with only the report pages of the registry, a clock the test moves,
// and a test middleware standing in for sessions and CSRF.
type reportServer struct {
	t   *testing.T
	e   *echo.Echo
	db  *dbtest.DB
	now time.Time
}

func newReportServer(t *testing.T) *reportServer {
	db := dbtest.New(t)
	seedReportData(t, db)
	s := &reportServer{t: t, db: db, now: reportT}
	s.e = echo.New()
	s.e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if role := c.Request().Header.Get("X-Test-Role"); role != "" {
				auth.SetCurrent(c, auth.Account{ID: 7, Email: role + "@mari.test", Name: "Test " + role, Role: auth.Role(role)})
			}
			c.Set(auth.CSRFContextKey, testCSRF)
			return next(c)
		}
	})
	d := Deps{PG: db.PG, Now: func() time.Time { return s.now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, p := range newPages(d, newSecurity(d), nil).pages {
		if strings.HasPrefix(p.Path, "/reports") || strings.HasPrefix(p.Path, "/r/") {
			p.addTo(s.e)
		}
	}
	return s
}

func (s *reportServer) do(role, method, path string, form url.Values) *httptest.ResponseRecorder {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		form.Set(auth.CSRFFormField, testCSRF)
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if role != "" {
		req.Header.Set("X-Test-Role", role)
	}
	req.Header.Set("User-Agent", "report-test/1.0")
	rec := httptest.NewRecorder()
	s.e.ServeHTTP(rec, req)
	return rec
}

func (s *reportServer) exec(method, path string, form url.Values) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.do(string(auth.RoleExecutive), method, path, form)
}

func (s *reportServer) count(sql string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.db.PG.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		s.t.Fatalf("%v: %s", err, sql)
	}
	return n
}

// want checks the status and that the body contains every string.
func want(t *testing.T, rec *httptest.ResponseRecorder, status int, contains ...string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body:\n%.2000s", rec.Code, status, rec.Body.String())
	}
	for _, s := range contains {
		if !strings.Contains(rec.Body.String(), s) {
			t.Errorf("body lacks %q:\n%.3000s", s, rec.Body.String())
		}
	}
}

func wantNot(t *testing.T, rec *httptest.ResponseRecorder, absent ...string) {
	t.Helper()
	for _, s := range absent {
		if strings.Contains(rec.Body.String(), s) {
			t.Errorf("body must not contain %q", s)
		}
	}
}

// startDraft creates (or opens) the draft of month and returns its id.
func (s *reportServer) startDraft(month string) int64 {
	s.t.Helper()
	rec := s.exec(http.MethodPost, "/reports", url.Values{"month": {month}})
	if rec.Code != http.StatusSeeOther {
		s.t.Fatalf("start draft %s: %d %s", month, rec.Code, rec.Body.String())
	}
	return idFromLocation(s.t, rec)
}

func idFromLocation(t *testing.T, rec *httptest.ResponseRecorder) int64 {
	t.Helper()
	loc := rec.Header().Get("Location")
	m := regexp.MustCompile(`^/reports/(\d+)`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("redirect to %q, want /reports/<id>", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func (s *reportServer) publish(id int64) {
	s.t.Helper()
	rec := s.exec(http.MethodPost, fmt.Sprintf("/reports/%d/publish", id), url.Values{})
	if rec.Code != http.StatusSeeOther {
		s.t.Fatalf("publish %d: %d %s", id, rec.Code, rec.Body.String())
	}
}

func (s *reportServer) save(id int64, milestones, challenges, goals string) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.exec(http.MethodPost, fmt.Sprintf("/reports/%d", id), url.Values{
		"milestones": {milestones}, "challenges": {challenges}, "next_month_goals": {goals}})
}

func rand(s string) string { return views.Rand(decimal.RequireFromString(s)) }

func TestReportPublishFreezesFiguresAndVersion2ShowsWhatChanged(t *testing.T) {
	s := newReportServer(t)
	v1 := s.startDraft("2026-03")

	// The draft shows live figures, labelled so, with growth against February.
	rec := s.exec(http.MethodGet, fmt.Sprintf("/reports/%d", v1), nil)
	// Revenue is Mari's: fees billed less BANKA's 30 % share, plus licensing (reports_test.go).
	want(t, rec, http.StatusOK, "March 2026", "figures live, not frozen", rand("1325.50"), rand("1500.21"),
		rand("300.00"), rand("1000.14"), "+150.0%", "+341.8%", "+33.3%", "+50.0%",
		"Month 2 since launch", "month-12 milestone (January 2027)", "0.01%")
	// Every report form posts the CSRF token back.
	forms := regexp.MustCompile(`<form[^>]*action="/reports[^"]*"`).FindAllString(rec.Body.String(), -1)
	guarded := regexp.MustCompile(`<form[^>]*action="/reports[^"]*"[^>]*><input type="hidden" name="_csrf" value="`+testCSRF+`">`).FindAllString(rec.Body.String(), -1)
	if len(forms) < 2 || len(forms) != len(guarded) {
		t.Errorf("%d report forms, %d with the CSRF field first", len(forms), len(guarded))
	}

	// Narrative with markup and SQL is stored as typed and shown as text.
	script := `<script>alert("x")</script>`
	sqlText := `'; DROP TABLE investor_reports; --`
	want(t, s.save(v1, "Launched "+script, sqlText, "Grow\nmore"), http.StatusSeeOther)
	var ms, ch string
	if err := s.db.PG.QueryRow(context.Background(), `SELECT milestones, challenges FROM investor_reports WHERE id = $1`, v1).Scan(&ms, &ch); err != nil {
		t.Fatal(err)
	}
	if ms != "Launched "+script || ch != sqlText {
		t.Errorf("stored %q / %q", ms, ch)
	}
	rec = s.exec(http.MethodGet, fmt.Sprintf("/reports/%d", v1), nil)
	want(t, rec, http.StatusOK, "Launched &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&#39;; DROP TABLE investor_reports; --")
	wantNot(t, rec, script)

	s.publish(v1)
	if n := s.count(`SELECT count(*) FROM investor_reports WHERE id = $1 AND status = 'published' AND figures->'current'->>'completed_volume' = '1325.5'`, v1); n != 1 {
		t.Fatalf("v1 not frozen with volume 1325.5")
	}
	if n := s.count(`SELECT count(*) FROM audit_log WHERE action = 'report_published' AND target LIKE $1`, fmt.Sprintf("report %d %%", v1)); n != 1 {
		t.Errorf("%d publish audit entries, want 1", n)
	}
	if n := s.count(`SELECT count(*) FROM audit_log WHERE action = 'report_saved' AND actor_email = 'executive@mari.test'`); n != 2 {
		t.Errorf("%d draft audit entries (start + save), want 2", n)
	}

	// The data changes: one more completed March transaction (c, R100.00) and the rollup reruns.
	insertReportTx(t, s.db, 100, "c", "100.00", "COMPLETED", "2026-03-12 12:00:00")
	rerunRollup(t, s.db)

	rec = s.exec(http.MethodGet, fmt.Sprintf("/reports/%d", v1), nil)
	want(t, rec, http.StatusOK, rand("1325.50"), rand("1500.21"), "Published 10 Apr 2026 10:00 SAST")
	wantNot(t, rec, rand("1425.50"), "live, not frozen")

	// A published report cannot be edited, nor published twice.
	want(t, s.save(v1, "changed", "", ""), http.StatusConflict, "start a corrected version")
	want(t, s.exec(http.MethodPost, fmt.Sprintf("/reports/%d/publish", v1), url.Values{}), http.StatusConflict, "already published")

	// A corrected version: a draft of version 2 with the new numbers and v1's narrative.
	rec = s.exec(http.MethodPost, "/reports/2026-03/new-version", url.Values{})
	want(t, rec, http.StatusSeeOther)
	v2 := idFromLocation(t, rec)
	if v2 == v1 {
		t.Fatal("new version reused v1")
	}
	rec = s.exec(http.MethodGet, fmt.Sprintf("/reports/%d", v2), nil)
	want(t, rec, http.StatusOK, "Version 2", "figures live, not frozen", rand("1425.50"), rand("1500.28"),
		"Version 2 will supersede version 1", "Launched &lt;script&gt;")
	// Starting again opens the same draft rather than a third version.
	rec = s.exec(http.MethodPost, "/reports/2026-03/new-version", url.Values{})
	if got := idFromLocation(t, rec); got != v2 {
		t.Errorf("second new-version opened %d, want the open draft %d", got, v2)
	}

	s.now = reportT.Add(time.Hour)
	s.publish(v2)
	rec = s.exec(http.MethodGet, fmt.Sprintf("/reports/%d", v2), nil)
	// 4 → 5 transactions, R1 325.50 → R1 425.50, fees billed 0.30 → 0.40 and BANKA's share
	// 0.09 → round(0.12) = 0.12, so Mari's revenue 1 500.21 → 1 500.28.
	want(t, rec, http.StatusOK, "Version 2 supersedes version 1, published 10 Apr 2026 10:00 SAST",
		"<td>Transactions</td><td><del>4</del></td><td><ins>5</ins></td>",
		"<td>Completed volume</td><td><del>"+rand("1325.50")+"</del></td><td><ins>"+rand("1425.50")+"</ins></td>",
		"<td>Revenue (Mari&#39;s)</td><td><del>"+rand("1500.21")+"</del></td><td><ins>"+rand("1500.28")+"</ins></td>")
	wantNot(t, rec, "<td>Total users (end of month)</td><td><del>")
	rec = s.exec(http.MethodGet, fmt.Sprintf("/reports/%d", v1), nil)
	want(t, rec, http.StatusOK, "Version 2 (published 10 Apr 2026 11:00) supersedes this version", rand("1325.50"))

	// The list shows both versions of March.
	want(t, s.exec(http.MethodGet, "/reports", nil), http.StatusOK, "March 2026", ">Version 2</a> <span class=\"status status-published\">", ">Version 1</a> <span class=\"status status-superseded\">")

	// April has not ended: a draft is fine, publishing is refused, nothing is frozen.
	apr := s.startDraft("2026-04")
	want(t, s.exec(http.MethodPost, fmt.Sprintf("/reports/%d/publish", apr), url.Values{}), http.StatusConflict, "April 2026 has not ended yet")
	if n := s.count(`SELECT count(*) FROM investor_reports WHERE id = $1 AND status = 'draft' AND figures IS NULL`, apr); n != 1 {
		t.Error("April draft changed by a refused publish")
	}
}

var linkRE = regexp.MustCompile(`value="(http://[^"/]+/r/([A-Za-z0-9_-]+))"`)

// createLink makes a link and returns its token, read from the one page that shows it.
func (s *reportServer) createLink(report int64, recipient, days string) string {
	s.t.Helper()
	rec := s.exec(http.MethodPost, fmt.Sprintf("/reports/%d/links", report), url.Values{"recipient": {recipient}, "days": {days}})
	want(s.t, rec, http.StatusOK, "it is shown only once")
	m := linkRE.FindStringSubmatch(rec.Body.String())
	if m == nil {
		s.t.Fatalf("no link URL on the page")
	}
	return m[2]
}

func (s *reportServer) linkID(token string) int64 {
	s.t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		s.t.Fatal(err)
	}
	h := sha256.Sum256(raw)
	var id int64
	if err := s.db.PG.QueryRow(context.Background(), `SELECT id FROM report_links WHERE token_hash = $1`, h[:]).Scan(&id); err != nil {
		s.t.Fatalf("link by hash: %v", err)
	}
	return id
}

func TestReadOnlyLinks(t *testing.T) {
	s := newReportServer(t)
	march := s.startDraft("2026-03")
	want(t, s.save(march, "MARCH-MARKER", "", ""), http.StatusSeeOther)
	s.publish(march)
	feb := s.startDraft("2026-02")
	want(t, s.save(feb, "FEBRUARY-MARKER", "", ""), http.StatusSeeOther)
	s.publish(feb)

	recipient := `Ann <b>Investor</b>'); DROP TABLE report_links; --`
	token := s.createLink(march, recipient, "30")
	if len(token) != 43 {
		t.Errorf("token %q is %d characters, want 43 (32 bytes base64url)", token, len(token))
	}
	// Only the hash is stored; the token appears nowhere in the database's text.
	id := s.linkID(token)
	if n := s.count(`SELECT count(*) FROM report_links WHERE id = $1 AND recipient_name = $2 AND expires_at = $3`,
		id, recipient, reportT.Add(30*24*time.Hour)); n != 1 {
		t.Error("link row not stored as typed")
	}
	if n := s.count(`SELECT count(*) FROM audit_log WHERE detail LIKE '%' || $1 || '%' OR target LIKE '%' || $1 || '%'`, token); n != 0 {
		t.Error("the token leaked into the audit log")
	}
	if n := s.count(`SELECT count(*) FROM audit_log WHERE action = 'link_created'`); n != 1 {
		t.Errorf("%d link_created entries, want 1", n)
	}

	// The link opens March only, frozen, without the app around it, and logs the view.
	rec := s.do("", http.MethodGet, "/r/"+token, nil)
	want(t, rec, http.StatusOK, "March 2026", "MARCH-MARKER", rand("1325.50"), "Published")
	wantNot(t, rec, "FEBRUARY-MARKER", "/reports", `href="/"`, "site-nav", "live, not frozen", "<form")
	// The only addresses on the page are its own static assets: nothing leads into the app.
	for _, h := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(rec.Body.String(), -1) {
		if h[1] != static.Path("app.css") && h[1] != static.Path("favicon.svg") {
			t.Errorf("shared page links to %q; want only its stylesheet and icon", h[1])
		}
	}
	for h, v := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"} {
		if got := rec.Header().Get(h); got != v {
			t.Errorf("%s = %q, want %q", h, got, v)
		}
	}
	if c := rec.Header().Values("Set-Cookie"); len(c) != 0 {
		t.Errorf("shared page set cookies: %v", c)
	}
	if n := s.count(`SELECT count(*) FROM report_link_views WHERE link_id = $1 AND user_agent = 'report-test/1.0'`, id); n != 1 {
		t.Errorf("%d views logged, want 1", n)
	}
	// Staff see the link and its view, the recipient escaped.
	rec = s.exec(http.MethodGet, fmt.Sprintf("/reports/%d", march), nil)
	want(t, rec, http.StatusOK, "Ann &lt;b&gt;Investor&lt;/b&gt;&#39;); DROP TABLE report_links; --", "active", "report-test/1.0")
	wantNot(t, rec, "<b>Investor</b>", token)

	invalid := s.do("", http.MethodGet, "/r/"+strings.Repeat("A", 43), nil)
	want(t, invalid, http.StatusNotFound, "This link is not valid.")
	invalidBody := invalid.Body.String()
	sameInvalid := func(name, tok string) {
		t.Helper()
		rec := s.do("", http.MethodGet, "/r/"+tok, nil)
		if rec.Code != http.StatusNotFound || rec.Body.String() != invalidBody {
			t.Errorf("%s: status %d, body differs from the invalid page: %v", name, rec.Code, rec.Body.String() != invalidBody)
		}
		if len(rec.Header().Values("Set-Cookie")) != 0 || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: cookies %v, cache %q", name, rec.Header().Values("Set-Cookie"), rec.Header().Get("Cache-Control"))
		}
	}
	// Tampered: one character changed in the middle, and in the last (whose low bits are unused:
	// a lenient decoder would map it to the same bytes).
	mid := []byte(token)
	mid[20] = map[bool]byte{true: 'B', false: 'A'}[mid[20] == 'A']
	sameInvalid("tampered middle", string(mid))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := []byte(token)
	last[42] = alphabet[strings.IndexByte(alphabet, last[42])^1] // flips an unused bit only
	sameInvalid("tampered last", string(last))
	sameInvalid("short", "abc")
	sameInvalid("not base64", strings.Repeat("!", 43))

	// Revoked at once.
	want(t, s.exec(http.MethodPost, fmt.Sprintf("/reports/%d/links/%d/revoke", march, id), url.Values{}), http.StatusSeeOther)
	sameInvalid("revoked", token)
	if n := s.count(`SELECT count(*) FROM audit_log WHERE action = 'link_revoked' AND detail LIKE $1`, fmt.Sprintf("link %d %%", id)); n != 1 {
		t.Errorf("%d revoke audit entries, want 1", n)
	}
	want(t, s.exec(http.MethodGet, fmt.Sprintf("/reports/%d", march), nil), http.StatusOK, "revoked")

	// Expired: a 1-day link works until its 24 hours are up.
	short := s.createLink(feb, "Bob", "1")
	want(t, s.do("", http.MethodGet, "/r/"+short, nil), http.StatusOK, "FEBRUARY-MARKER")
	s.now = reportT.Add(24 * time.Hour)
	sameInvalid("expired", short)

	// Rotated: the new link works, the old one is revoked and points to its replacement.
	s.now = reportT.Add(2 * time.Hour)
	old := s.createLink(march, "Carol", "30")
	oldID := s.linkID(old)
	rec = s.exec(http.MethodPost, fmt.Sprintf("/reports/%d/links/%d/rotate", march, oldID), url.Values{"days": {"10"}})
	want(t, rec, http.StatusOK, "Link for <strong>Carol</strong>")
	m := linkRE.FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatal("rotation shows no new URL")
	}
	newID := s.linkID(m[2])
	sameInvalid("rotated away", old)
	want(t, s.do("", http.MethodGet, "/r/"+m[2], nil), http.StatusOK, "MARCH-MARKER")
	wantNot(t, s.do("", http.MethodGet, "/r/"+m[2], nil), "corrected version")

	// A corrected March: the old version's link still shows the old, frozen report, and says
	// (in words, with no link) that a corrected version exists.
	v2 := idFromLocation(t, s.exec(http.MethodPost, "/reports/2026-03/new-version", url.Values{}))
	s.publish(v2)
	want(t, s.do("", http.MethodGet, "/r/"+m[2], nil), http.StatusOK, "MARCH-MARKER",
		"A corrected version of this report (version 2) was published on 10 Apr 2026 12:00 SAST")
	if n := s.count(`SELECT count(*) FROM report_links WHERE id = $1 AND revoked_at IS NOT NULL AND replaced_by_link_id = $2`, oldID, newID); n != 1 {
		t.Error("old link not revoked and replaced")
	}
	if n := s.count(`SELECT count(*) FROM report_links WHERE id = $1 AND recipient_name = 'Carol' AND report_id = $2`, newID, march); n != 1 {
		t.Error("new link not for the same recipient and report")
	}
	if n := s.count(`SELECT count(*) FROM audit_log WHERE action = 'link_rotated'`); n != 1 {
		t.Errorf("%d rotate audit entries, want 1", n)
	}
	// A revoked link cannot be rotated back to life.
	want(t, s.exec(http.MethodPost, fmt.Sprintf("/reports/%d/links/%d/rotate", march, oldID), url.Values{}), http.StatusBadRequest, "was revoked")
	// A link of report A cannot be managed through report B.
	want(t, s.exec(http.MethodPost, fmt.Sprintf("/reports/%d/links/%d/revoke", feb, newID), url.Values{}), http.StatusBadRequest, "has no link")

	// A draft cannot be linked, through the app or directly in the database.
	draft := s.startDraft("2026-04")
	before := s.count(`SELECT count(*) FROM report_links`)
	want(t, s.exec(http.MethodPost, fmt.Sprintf("/reports/%d/links", draft), url.Values{"recipient": {"Dan"}, "days": {"30"}}),
		http.StatusBadRequest, "Only a published report can be shared")
	if _, err := s.db.PG.Exec(context.Background(), `INSERT INTO report_links (report_id, recipient_name, token_hash, created_at, expires_at)
		VALUES ($1, 'Dan', decode(repeat('ab', 32), 'hex'), now(), now() + interval '1 day')`, draft); err == nil {
		t.Error("the database accepted a link to a draft")
	}
	if after := s.count(`SELECT count(*) FROM report_links`); after != before {
		t.Errorf("links %d → %d after refused requests", before, after)
	}
}

func TestReportBadInputWritesNothing(t *testing.T) {
	s := newReportServer(t)
	march := s.startDraft("2026-03")
	s.publish(march)
	draft := s.startDraft("2026-02")
	state := func() string {
		return fmt.Sprint(s.count(`SELECT count(*) FROM investor_reports`), s.count(`SELECT count(*) FROM report_links`),
			s.count(`SELECT count(*) FROM audit_log`), s.count(`SELECT count(*) FROM investor_reports WHERE milestones <> ''`))
	}
	before := state()
	links := fmt.Sprintf("/reports/%d/links", march)
	cases := []struct {
		name, method, path string
		form               url.Values
		status             int
		msg                string
	}{
		{"non-numeric expiry", "POST", links, url.Values{"recipient": {"Ann"}, "days": {"thirty"}}, 400, "is not a whole number of days"},
		{"0 days", "POST", links, url.Values{"recipient": {"Ann"}, "days": {"0"}}, 400, "between 1 and 365 days; 0 is not"},
		{"400 days", "POST", links, url.Values{"recipient": {"Ann"}, "days": {"400"}}, 400, "between 1 and 365 days; 400 is not"},
		{"empty recipient", "POST", links, url.Values{"recipient": {"  "}, "days": {"30"}}, 400, "Enter the recipient&#39;s name"},
		{"long recipient", "POST", links, url.Values{"recipient": {strings.Repeat("x", 201)}, "days": {"30"}}, 400, "201 characters long; the limit is 200"},
		{"oversized narrative", "POST", fmt.Sprintf("/reports/%d", draft), url.Values{"milestones": {strings.Repeat("é", 5001)}}, 400, "Milestones is 5001 characters long; the limit is 5000. Nothing was saved."},
		{"unknown report link", "POST", "/reports/999999/links", url.Values{"recipient": {"Ann"}, "days": {"30"}}, 400, "There is no report 999999."},
		{"unknown report publish", "POST", "/reports/999999/publish", url.Values{}, 400, "There is no report 999999."},
		{"unknown report save", "POST", "/reports/999999", url.Values{"milestones": {"x"}}, 400, "There is no report 999999."},
		{"non-numeric report", "GET", "/reports/abc", nil, 400, `\"abc\" is not a report number.`},
		{"unknown report page", "GET", "/reports/999999", nil, 404, "There is no report 999999."},
		{"bad month", "POST", "/reports", url.Values{"month": {"2026-13"}}, 400, "is not a month: use the form YYYY-MM"},
		{"empty month", "POST", "/reports", url.Values{"month": {""}}, 400, "Choose a month"},
		{"future month", "POST", "/reports", url.Values{"month": {"2026-05"}}, 400, "2026-05 has not begun yet"},
		{"bad new-version month", "POST", "/reports/March/new-version", url.Values{}, 400, "is not a month"},
		{"bad link id", "POST", links + "/x/revoke", url.Values{}, 400, "is not a link number"},
		{"rotate bad days", "POST", links + "/1/rotate", url.Values{"days": {"-3"}}, 400, "between 1 and 365 days"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := s.exec(c.method, c.path, c.form)
			want(t, rec, c.status, c.msg)
			if after := state(); after != before {
				t.Errorf("state changed %s → %s", before, after)
			}
		})
	}
	// The oversized narrative comes back in the form, so nothing typed is lost.
	rec := s.exec("POST", fmt.Sprintf("/reports/%d", draft), url.Values{"milestones": {strings.Repeat("é", 5001)}, "challenges": {"kept"}})
	want(t, rec, 400, ">kept</textarea>")
}

func TestReportRoutesRoles(t *testing.T) {
	s := newReportServer(t)
	if rec := s.do("", "GET", "/reports", nil); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/signin") {
		t.Errorf("signed out: %d %q, want a redirect to sign-in", rec.Code, rec.Header().Get("Location"))
	}
	want(t, s.do("", "POST", "/reports", url.Values{"month": {"2026-03"}}), http.StatusUnauthorized)
	want(t, s.do(string(auth.RoleOps), "GET", "/reports", nil), http.StatusForbidden)
	want(t, s.do(string(auth.RolePartnerships), "POST", "/reports", url.Values{"month": {"2026-03"}}), http.StatusForbidden)
	want(t, s.do(string(auth.RoleAdmin), "GET", "/reports", nil), http.StatusOK, "Investor reports")
	want(t, s.do(string(auth.RoleExecutive), "GET", "/reports", nil), http.StatusOK, "No reports yet", `value="2026-03"`)
	if n := s.count(`SELECT count(*) FROM investor_reports`); n != 0 {
		t.Errorf("refused requests wrote %d reports", n)
	}
}

// Through the whole server (sessions, CSRF, security headers): /r/ pages set no cookie, and
// the report pages still need a signed-in executive.
func TestSharedReportThroughTheServerSetsNoCookie(t *testing.T) {
	s := newReportServer(t)
	march := s.startDraft("2026-03")
	s.publish(march)
	token := s.createLink(march, "Ann", "30")

	srv := NewServer(Deps{PG: s.db.PG, Now: func() time.Time { return reportT }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	ok := get("/r/" + token)
	want(t, ok, http.StatusOK, "March 2026", rand("1325.50"))
	bad := get("/r/" + strings.Repeat("A", 43))
	want(t, bad, http.StatusNotFound, "This link is not valid.")
	for name, rec := range map[string]*httptest.ResponseRecorder{"valid": ok, "invalid": bad} {
		if c := rec.Header().Values("Set-Cookie"); len(c) != 0 {
			t.Errorf("%s /r/ response set cookies: %v", name, c)
		}
		if rec.Header().Get("Referrer-Policy") != "no-referrer" || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s /r/ headers: %v", name, rec.Header())
		}
	}
	if n := s.count(`SELECT count(*) FROM report_link_views`); n != 1 {
		t.Errorf("%d views logged, want 1", n)
	}
	if rec := get(fmt.Sprintf("/reports/%d", march)); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/signin") {
		t.Errorf("signed-out report page: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}
