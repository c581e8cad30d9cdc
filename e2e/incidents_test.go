package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"mari/auth"
)

// The incident log loads in a real browser as ops sees it: an ongoing incident on top with
// its end form, the 30-day summary, a clean console. The title is an injection attempt that
// must show as text.
func TestIncidentsPageInBrowser(t *testing.T) {
	h := New(t, AppOptions{Role: auth.RoleOps})
	ctx := context.Background()
	now := time.Now()
	title := `<img src=x onerror=alert(1)> Card switch down`
	_, err := h.App.DB.PG.Exec(ctx, `INSERT INTO incidents (title, severity, is_outage, started_at, ended_at, description)
		VALUES ($1, 'critical', true, $2, NULL, 'Bank X times out.'),
		       ('Slow reports', 'minor', false, $3, $4, '')`,
		title, now.Add(-72*time.Minute), now.Add(-50*time.Hour), now.Add(-49*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	res := h.CheckPage(t, "/incidents")
	for _, s := range []string{"Incidents", "Last 30 days:", title, "ongoing for 1 h 1", "End incident", "Slow reports",
		"1 h 0 min", "Record an incident"} {
		if !strings.Contains(res.Text, s) {
			t.Errorf("the incident page does not show %q:\n%s", s, res.Text)
		}
	}
	if strings.Index(res.Text, title) > strings.Index(res.Text, "Slow reports") {
		t.Errorf("the ongoing incident is not on top")
	}
	if strings.Contains(res.Text, "unavailable") {
		t.Errorf("with the database up, the summary says unavailable")
	}
}
