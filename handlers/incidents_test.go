package handlers

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/dbtest"
)

// incidentNow is 2026-03-15 10:00 SAST. The 30-day summary window is therefore
// [2026-02-13 10:00, 2026-03-15 10:00) SAST, 2 592 000 s; the list goes back to 2025-12-16.
var incidentNow = dbtest.SAST("2026-03-15 10:00:00")

// seedIncidents builds the hand-worked incident log (SAST):
//
//	A  critical outage  2026-03-01 10:00 – 11:00  60 min
//	B  major    outage  2026-03-01 10:30 – 12:00  90 min; overlaps A: A∪B = 10:00–12:00 = 120 min
//	C  minor    -       2026-03-10 09:00 – 09:45  45 min, not an outage
//	D  critical outage  2026-03-15 08:48 – ongoing: 72 min so far
//	E  major    outage  2026-02-10 00:00 – 2026-02-14 00:00; inside the window from 02-13 10:00: 14 h = 840 min
//	F  minor    outage  2026-01-01 00:00 – 01:00  before the window, inside the 90-day list
//	G  minor    outage  2025-10-01 00:00 – 01:00  older than the list
//
// Last 30 days: 5 incidents (A B C D E), outage 120 + 72 + 840 = 1032 min = 61 920 s,
// uptime 1 − 61 920 / 2 592 000 = 0.976111… = 97.611%.
func seedIncidents(t *testing.T, db *dbtest.DB) {
	t.Helper()
	rows := []struct {
		title, sev string
		outage     bool
		start, end string
	}{
		{"Incident A", "critical", true, "2026-03-01 10:00:00", "2026-03-01 11:00:00"},
		{"Incident B", "major", true, "2026-03-01 10:30:00", "2026-03-01 12:00:00"},
		{"Incident C", "minor", false, "2026-03-10 09:00:00", "2026-03-10 09:45:00"},
		{"Incident D", "critical", true, "2026-03-15 08:48:00", ""},
		{"Incident E", "major", true, "2026-02-10 00:00:00", "2026-02-14 00:00:00"},
		{"Incident F", "minor", true, "2026-01-01 00:00:00", "2026-01-01 01:00:00"},
		{"Incident G", "minor", true, "2025-10-01 00:00:00", "2025-10-01 01:00:00"},
	}
	for _, r := range rows {
		var end any
		if r.end != "" {
			end = dbtest.SAST(r.end)
		}
		db.Exec(t, `INSERT INTO incidents (title, severity, is_outage, started_at, ended_at, description)
			VALUES ($1, $2, $3, $4, $5, $6)`, r.title, r.sev, r.outage, dbtest.SAST(r.start), end, "about "+r.title)
	}
}

func incidentServer(db *dbtest.DB) *echo.Echo {
	h := NewIncidents(db.PG, IncidentsOptions{Now: func() time.Time { return incidentNow }})
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			auth.SetCurrent(c, auth.Account{ID: 9, Email: "ops@mari.example", Role: auth.RoleOps})
			return next(c)
		}
	})
	e.GET("/incidents", h.List)
	e.POST("/incidents", h.Create)
	e.POST("/incidents/:id", h.Edit)
	e.POST("/incidents/:id/end", h.End)
	return e
}

func getPage(t *testing.T, e *echo.Echo, target string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

// incidentBlock is the HTML of one incident's list item.
func incidentBlock(t *testing.T, body, title string) string {
	t.Helper()
	i := strings.Index(body, `<strong class="incident-title">`+title+`</strong>`)
	if i < 0 {
		t.Fatalf("%s is not listed", title)
	}
	start := strings.LastIndex(body[:i], "<li ")
	end := strings.Index(body[i:], "</li>")
	return body[start : i+end]
}

func TestIncidentListOrderDurationsAndSummary(t *testing.T) {
	db := dbtest.New(t)
	seedIncidents(t, db)
	code, body := getPage(t, incidentServer(db), "/incidents")
	if code != 200 {
		t.Fatalf("GET /incidents: %d\n%s", code, body)
	}
	// Order: the ongoing one on top, then newest first; G is older than the list.
	order := []string{"Incident D", "Incident C", "Incident B", "Incident A", "Incident E", "Incident F"}
	last := -1
	for _, title := range order {
		i := strings.Index(body, `<strong class="incident-title">`+title+`</strong>`)
		if i < 0 || i < last {
			t.Errorf("%s is at %d, after %d: want the order %v", title, i, last, order)
		}
		last = i
	}
	if strings.Contains(body, "Incident G") {
		t.Errorf("an incident from October 2025 is listed; the list covers 90 days")
	}
	want := map[string][3]string{ // start, end, duration
		"Incident D": {"2026-03-15 08:48", "ongoing", "ongoing for 1 h 12 min"},
		"Incident C": {"2026-03-10 09:00", "2026-03-10 09:45", "45 min"},
		"Incident B": {"2026-03-01 10:30", "2026-03-01 12:00", "1 h 30 min"},
		"Incident A": {"2026-03-01 10:00", "2026-03-01 11:00", "1 h 0 min"},
		"Incident E": {"2026-02-10 00:00", "2026-02-14 00:00", "4 d 0 h 0 min"},
	}
	for title, w := range want {
		b := incidentBlock(t, body, title)
		for k, cls := range []string{"incident-start", "incident-end", "incident-duration"} {
			if !strings.Contains(b, `<span class="`+cls+`">`+w[k]+`</span>`) {
				t.Errorf("%s: %s is not %q:\n%s", title, cls, w[k], b)
			}
		}
	}
	if b := incidentBlock(t, body, "Incident D"); !strings.Contains(b, "incident-ongoing") || !strings.Contains(b, `action="/incidents/4/end"`) {
		t.Errorf("the ongoing incident is not highlighted with an end form:\n%s", b)
	}
	if b := incidentBlock(t, body, "Incident C"); strings.Contains(b, "incident-ongoing") || strings.Contains(b, "/end") {
		t.Errorf("an ended incident is shown as ongoing:\n%s", b)
	}
	summary := "Last 30 days: <strong>5</strong> incidents, <strong>1032 min</strong> of outage"
	if !strings.Contains(body, summary) || !strings.Contains(body, "uptime <strong>97.611%</strong>") {
		i := strings.Index(body, "incident-summary")
		t.Errorf("summary: want 5 incidents, 1032 min, 97.611%%; got\n%s", body[i:i+400])
	}
}

func validIncident() url.Values {
	return url.Values{"title": {"Card switch down"}, "severity": {"major"}, "is_outage": {"1"},
		"started_at": {"2026-03-14T22:15"}, "ended_at": {"2026-03-14T23:05"}, "description": {"Bank X timed out."}}
}

func TestIncidentCreateValidation(t *testing.T) {
	db := dbtest.New(t)
	e := incidentServer(db)
	bad := map[string]struct{ field, value, msg string }{
		"no title":         {"title", "  ", "1 to 200 characters"},
		"long title":       {"title", strings.Repeat("é", 201), "1 to 200 characters"},
		"severity":         {"severity", "catastrophic", "minor, major or critical"},
		"no start":         {"started_at", "", "when the incident started"},
		"impossible start": {"started_at", "2026-02-30T10:00", "when the incident started"},
		"future start":     {"started_at", "2026-03-15T10:01", "cannot start in the future"},
		"end before start": {"ended_at", "2026-03-14T22:00", "must be after the start"},
		"end equals start": {"ended_at", "2026-03-14T22:15", "must be after the start"},
		"future end":       {"ended_at", "2026-03-15T10:05", "cannot end in the future"},
		"unreadable end":   {"ended_at", "yesterday", "when the incident ended"},
		"long description": {"description", strings.Repeat("x", 5001), "at most 5000 characters"},
	}
	for name, c := range bad {
		form := validIncident()
		form.Set(c.field, c.value)
		res, body := postForm(t, e, "/incidents", form)
		if res.StatusCode != 400 || !strings.Contains(body, c.msg) || !strings.Contains(body, `id="err-inc-0-`+c.field+`"`) {
			t.Errorf("%s: %d; want 400 with %q next to %s", name, res.StatusCode, c.msg, c.field)
		}
	}
	if n := countRows(t, db, `SELECT count(*) FROM incidents`); n != 0 {
		t.Errorf("bad input wrote %d incidents", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_log`); n != 0 {
		t.Errorf("bad input wrote %d audit rows", n)
	}
}

func TestIncidentCreateEditEndAudited(t *testing.T) {
	db := dbtest.New(t)
	e := incidentServer(db)
	ctx := context.Background()

	// Create, with an injection attempt as title: stored as typed, shown as text.
	form := validIncident()
	evil := `<script>alert("x")</script> '; DROP TABLE incidents; --`
	form.Set("title", evil)
	form.Del("ended_at")
	form.Set("started_at", "2026-03-15T09:30")
	res, body := postForm(t, e, "/incidents", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.StatusCode, body)
	}
	var id int64
	var title string
	var started time.Time
	var ended *time.Time
	if err := db.PG.QueryRow(ctx, `SELECT id, title, started_at, ended_at FROM incidents`).Scan(&id, &title, &started, &ended); err != nil {
		t.Fatal(err)
	}
	if title != evil || !started.Equal(dbtest.SAST("2026-03-15 09:30:00")) || ended != nil {
		t.Errorf("stored %q from %s to %v; want the title as typed, 09:30 SAST (07:30 UTC), ongoing", title, started.UTC(), ended)
	}
	_, page := getPage(t, e, "/incidents")
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("the title is not shown as escaped text")
	}
	if !strings.Contains(page, "ongoing for 30 min") {
		t.Errorf("the new incident is not ongoing for 30 min")
	}
	auditRow := func(action string) (string, string, string) {
		t.Helper()
		var email, target, detail string
		err := db.PG.QueryRow(ctx, `SELECT actor_email, target, detail FROM audit_log WHERE action = $1 ORDER BY id DESC LIMIT 1`,
			action).Scan(&email, &target, &detail)
		if err != nil {
			t.Fatalf("no %s audit row: %v", action, err)
		}
		return email, target, detail
	}
	email, target, detail := auditRow("incident_recorded")
	if email != "ops@mari.example" || target != incidentTarget(id) || !strings.Contains(detail, "severity=major") ||
		!strings.Contains(detail, "started_at=2026-03-15 09:30 SAST") || !strings.Contains(detail, "ended_at=ongoing") {
		t.Errorf("create audit: %s %s %s", email, target, detail)
	}

	// Ending before the start, in the future, or unreadable: 400, nothing written.
	path := "/incidents/" + itoa(id)
	for typed, msg := range map[string]string{
		"2026-03-15T09:00": "must be after the start", "2026-03-15T09:30": "must be after the start",
		"2026-03-15T11:00": "cannot end in the future", "soon": "Enter when the incident ended",
	} {
		res, body := postForm(t, e, path+"/end", url.Values{"ended_at": {typed}})
		if res.StatusCode != 400 || !strings.Contains(body, msg) || !strings.Contains(body, `id="err-end-`+itoa(id)+`"`) {
			t.Errorf("end at %q: %d; want 400 with %q", typed, res.StatusCode, msg)
		}
	}
	if n := countRows(t, db, `SELECT count(*) FROM incidents WHERE ended_at IS NOT NULL`); n != 0 {
		t.Errorf("a rejected end was saved")
	}
	// End at a given time.
	if res, body := postForm(t, e, path+"/end", url.Values{"ended_at": {"2026-03-15T09:42"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("end: %d\n%s", res.StatusCode, body)
	}
	if err := db.PG.QueryRow(ctx, `SELECT ended_at FROM incidents WHERE id = $1`, id).Scan(&ended); err != nil || ended == nil ||
		!ended.Equal(dbtest.SAST("2026-03-15 09:42:00")) {
		t.Errorf("ended at %v (%v); want 09:42 SAST", ended, err)
	}
	_, _, detail = auditRow("incident_changed")
	if detail != "ended: ended_at: ongoing → 2026-03-15 09:42 SAST" {
		t.Errorf("end audit: %q", detail)
	}
	// Ending it again is refused.
	if res, body := postForm(t, e, path+"/end", url.Values{}); res.StatusCode != 400 || !strings.Contains(body, "already ended at 2026-03-15 09:42") {
		t.Errorf("second end: %d; want 400 already ended", res.StatusCode)
	}

	// Edit: a bad field is a 400 that changes nothing; a good edit is audited before → after.
	edit := url.Values{"title": {"Card switch down"}, "severity": {"critical"}, "is_outage": {"1"},
		"started_at": {"2026-03-15T09:30"}, "ended_at": {"2026-03-15T09:50"}, "description": {"Root cause: expired cert."},
		"version": {"2"}} // recorded as version 1, ended as version 2
	bad := url.Values{}
	for k, v := range edit {
		bad[k] = v
	}
	bad.Set("severity", "huge")
	if res, body := postForm(t, e, path, bad); res.StatusCode != 400 || !strings.Contains(body, `id="err-inc-`+itoa(id)+`-severity"`) {
		t.Errorf("bad edit: %d; want 400 with a message next to severity", res.StatusCode)
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_log`); n != 2 {
		t.Errorf("audit rows after a rejected edit: %d; want 2", n)
	}
	if res, body := postForm(t, e, path, edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.StatusCode, body)
	}
	_, _, detail = auditRow("incident_changed")
	wantDetail := `title: "` + strings.ReplaceAll(evil, `"`, `\"`) + `" → "Card switch down"; severity: major → critical; ` +
		`ended_at: 2026-03-15 09:42 SAST → 2026-03-15 09:50 SAST; description: "Bank X timed out." → "Root cause: expired cert."`
	if detail != wantDetail {
		t.Errorf("edit audit:\n got %q\nwant %q", detail, wantDetail)
	}
	_, page = getPage(t, e, "/incidents")
	b := incidentBlock(t, page, "Card switch down")
	if !strings.Contains(b, `<span class="incident-duration">20 min</span>`) || !strings.Contains(b, "sev-critical") {
		t.Errorf("edited incident:\n%s", b)
	}
	// The same values again change nothing and write no audit row.
	postForm(t, e, path, edit)
	if n := countRows(t, db, `SELECT count(*) FROM audit_log`); n != 3 {
		t.Errorf("audit rows after an unchanged save: %d; want 3", n)
	}
	// A form opened before that edit (at version 2) in which someone only fixes the title:
	// saving it would also put back the severity, end and description the edit changed, so it
	// is refused (409) with what it would change, keeps what was typed, writes nothing, and
	// now carries version 3 so that a second, informed save goes through.
	stale := url.Values{"title": {"Card switch down (Bank X)"}, "severity": {"major"}, "is_outage": {"1"},
		"started_at": {"2026-03-15T09:30"}, "ended_at": {"2026-03-15T09:42"}, "description": {"Bank X timed out."}, "version": {"2"}}
	res, body = postForm(t, e, path, stale)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "you started from version 2; it is now at version 3") ||
		!strings.Contains(body, "title: &#34;Card switch down&#34; → &#34;Card switch down (Bank X)&#34;; severity: critical → major; "+
			"ended_at: 2026-03-15 09:50 SAST → 2026-03-15 09:42 SAST; description: &#34;Root cause: expired cert.&#34; → &#34;Bank X timed out.&#34;") ||
		!strings.Contains(body, `value="Card switch down (Bank X)"`) || !strings.Contains(body, `<input type="hidden" name="version" value="3">`) {
		t.Errorf("stale edit: %d; want 409 saying what it would change, with the typed title and version 3\n%s", res.StatusCode, body)
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_log`); n != 3 {
		t.Errorf("audit rows after a stale edit: %d; want 3", n)
	}
	// Unknown incidents are 404.
	for _, p := range []string{"/incidents/999", "/incidents/999/end", "/incidents/abc"} {
		if res, _ := postForm(t, e, p, edit); res.StatusCode != 404 {
			t.Errorf("POST %s: %d; want 404", p, res.StatusCode)
		}
	}
}
