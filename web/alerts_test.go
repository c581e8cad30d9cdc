package web

import (
	"context"
	"encoding/json"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mari/alerts"
	"mari/auth"
	"mari/dbtest"
)

// The alerts page as ops use it: a refused rule comes back in its template's form with what is
// wrong and writes nothing; a good one is listed, silenced and tested; once it fires, the
// operations dashboard's banner and its refresh name it.
func TestAlertsPageAndOpsBanner(t *testing.T) {
	db, e, svc := testServer(t, Config{AlertWebhookSecret: "sixteen-or-more-characters", AlertEvery: 30 * time.Second,
		AlertBaseURL: "https://bi.mari.example"})
	dbtest.Bank{Code: "BAO", Start: "2025-01-01"}.Insert(t, db)
	newAccount(t, svc, "ops@mari.example", auth.RoleOps)
	c := newClient(t, e, "192.0.2.50")
	c.mustSignIn("ops@mari.example")

	page := c.get("/alerts")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET /alerts: %d", page.StatusCode)
	}
	for _, want := range []string{"Success rate below a threshold", "No events (the stream has stalled)", "above its SLA",
		"Dead letters above a count", "A rollup failed", "Email is off on this server", "No rules yet", "Bank BAO (BAO)"} {
		if !strings.Contains(html.UnescapeString(page.Body), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, "Webhooks are off") {
		t.Error("the page says webhooks are off with the secret set")
	}

	bad := c.post("/alerts", url.Values{"template": {"success_rate"}, "name": {""}, "threshold": {"150"}, "window": {"0"},
		"for": {"2"}, "min_attempts": {"20"}, "webhook_url": {"ftp://hooks.mari.example"}})
	body := html.UnescapeString(bad.Body)
	if bad.StatusCode != http.StatusBadRequest {
		t.Fatalf("impossible rule: %d", bad.StatusCode)
	}
	for _, want := range []string{alerts.MsgName, alerts.MsgPercent, alerts.MsgWindow, alerts.MsgWebhookURL, `value="150"`, `id="new-success_rate" open`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	if r := c.post("/alerts", url.Values{"template": {"no_events"}, "name": {"Stream"}, "window": {"5"}, "for": {"0"},
		"email_to": {"ops@mari.example"}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(r.Body), alerts.MsgEmailRelay) {
		t.Errorf("email without a relay: %d", r.StatusCode)
	}
	if n := count(t, db, `SELECT count(*) FROM alert_rules`); n != 0 {
		t.Fatalf("%d rules after refused forms; want 0", n)
	}

	made := c.post("/alerts", url.Values{"template": {"no_events"}, "name": {"Stream stalled"}, "window": {"5"}, "for": {"0"},
		"webhook_url": {"https://hooks.mari.example/mari"}})
	if made.StatusCode != http.StatusSeeOther || made.Header.Get("Location") != "/alerts?done=created#rule-1" {
		t.Fatalf("good rule: %d %s", made.StatusCode, made.Header.Get("Location"))
	}
	if r := c.post("/alerts", url.Values{"template": {"no_events"}, "name": {"STREAM STALLED"}, "window": {"5"}, "for": {"0"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a taken name: %d", r.StatusCode)
	}
	if r := c.post("/alerts/1/silence", url.Values{"duration": {"1h"}, "reason": {""}}); r.StatusCode != http.StatusBadRequest ||
		!strings.Contains(html.UnescapeString(r.Body), alerts.MsgReason) {
		t.Errorf("a silence without a reason: %d", r.StatusCode)
	}
	if r := c.post("/alerts/1/test", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("send test: %d", r.StatusCode)
	}

	// The rule fires (no event at all); the banner and the refresh name it.
	ev := alerts.NewEvaluator(db.PG, 30*time.Second, "https://bi.mari.example", slog.New(slog.DiscardHandler))
	ev.Now = func() time.Time { return testNow }
	if led, changed := ev.Tick(context.Background()); !led || changed != 1 {
		t.Fatalf("evaluation: led %v, %d changes", led, changed)
	}
	page = c.get("/alerts")
	body = html.UnescapeString(page.Body)
	for _, want := range []string{`id="rule-1"`, "alert-firing", "Stream stalled", "no events received over the last 5 min",
		"no event received in the last 5 min nor in the day before", "ok → <strong>firing</strong>", "test · webhook", "waiting"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	var data struct {
		Alerts *struct {
			Firing, Loud int
			Title        string
			Items        []struct{ Name, Detail string }
		} `json:"alerts"`
	}
	r := c.get("/ops/data")
	if err := json.Unmarshal([]byte(r.Body), &data); err != nil || data.Alerts == nil {
		t.Fatalf("/ops/data: %v\n%.300s", err, r.Body)
	}
	if a := data.Alerts; a.Firing != 1 || a.Loud != 1 || a.Title != "1 alert firing" || len(a.Items) != 1 || a.Items[0].Name != "Stream stalled" {
		t.Errorf("banner in the refresh: %+v", a)
	}
	if ops := c.get("/ops"); !strings.Contains(ops.Body, "1 alert firing") || !strings.Contains(ops.Body, `class="ops-alert-name">Stream stalled`) {
		t.Error("the operations page shows no banner")
	}

	if r := c.post("/alerts/1/silence", url.Values{"duration": {"4h"}, "reason": {"stream paused for the migration"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("silence: %d", r.StatusCode)
	}
	if page := html.UnescapeString(c.get("/alerts").Body); !strings.Contains(page, "stream paused for the migration") || !strings.Contains(page, "End the silence") {
		t.Error("the page does not show the silence")
	}
	if r := c.post("/alerts/1/silences/1/end", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("end the silence: %d", r.StatusCode)
	}
	if r := c.post("/alerts/1/delete", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("delete: %d", r.StatusCode)
	}
	if r := c.post("/alerts/1/delete", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("delete again: %d", r.StatusCode)
	}
	var actions []string
	for _, line := range db.AuditTrail(t) {
		if strings.HasPrefix(line, "alert_") {
			actions = append(actions, strings.SplitN(line, " ", 2)[0])
		}
	}
	if got := strings.Join(actions, " "); got != "alert_rule_created alert_test_requested alert_silenced alert_silence_ended alert_rule_deleted" {
		t.Errorf("audit: %s", got)
	}
	// The audit page offers the alert actions in its filter.
	newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)
	admin := newClient(t, e, "192.0.2.51")
	admin.mustSignIn("admin@mari.example")
	log := admin.get("/admin/audit?action=alert_silenced")
	if log.StatusCode != http.StatusOK || !strings.Contains(log.Body, `value="alert_silence_ended"`) ||
		!strings.Contains(html.UnescapeString(log.Body), "stream paused for the migration") {
		t.Errorf("the audit page's alert entries: %d", log.StatusCode)
	}
}
