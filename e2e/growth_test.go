package e2e

import (
	"strings"
	"testing"

	"mari/auth"
)

// The growth dashboard loads in a real browser with the demo data, as an executive sees it:
// the sign-up, cohort, heatmap and source charts draw, the tables are filled, no panel is
// unavailable and the console is clean. Filters in the URL (a source, a period) load too.
func TestGrowthPageInBrowser(t *testing.T) {
	h := New(t, AppOptions{Role: auth.RoleExecutive})
	t.Run("default", func(t *testing.T) {
		res := h.CheckPage(t, "/growth")
		if res.Charts < 4 {
			t.Errorf("/growth drew %d charts; want sign-ups, cohorts, the heatmap and sources", res.Charts)
		}
		for _, s := range []string{"New sign-ups", "Activation rate", "D1 retention", "D7 retention", "D30 retention",
			"Monthly cohort retention", "Referrals made", "Top referrers", "Signup cohorts", "Referred against organic users"} {
			if !strings.Contains(res.Text, s) {
				t.Errorf("/growth does not show %q", s)
			}
		}
		if strings.Contains(strings.ToLower(res.Text), "unavailable") {
			t.Errorf("with the database up, a panel says unavailable:\n%s", res.Text)
		}
	})
	t.Run("filtered", func(t *testing.T) {
		res := h.CheckPage(t, "/growth?preset=last12m&source=referral&by=month")
		if !strings.Contains(res.Text, "Referral sign-ups only") || !strings.Contains(res.Text, "calendar month") {
			t.Errorf("the filters are not shown:\n%s", res.Text)
		}
		if res.Charts < 4 {
			t.Errorf("filtered /growth drew %d charts", res.Charts)
		}
	})
}
