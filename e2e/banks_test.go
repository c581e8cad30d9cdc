package e2e

import (
	"context"
	"strings"
	"testing"

	"mari/auth"
)

// The bank overview and one bank's page load in a real browser with the demo data, as a
// partnership manager sees them: the table is filled, the charts draw, the console is clean.
func TestBankPagesInBrowser(t *testing.T) {
	h := New(t, AppOptions{Role: auth.RolePartnerships})
	var code string
	err := h.App.DB.PG.QueryRow(context.Background(), `SELECT bank_id FROM transactions
		WHERE bank_id IS NOT NULL GROUP BY bank_id ORDER BY count(*) DESC LIMIT 1`).Scan(&code)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("overview", func(t *testing.T) {
		res := h.CheckPage(t, "/banks")
		if !strings.Contains(res.Text, code) || !strings.Contains(res.Text, "Success rate") || !strings.Contains(res.Text, "Fees billed") {
			t.Errorf("the overview does not list %s with its figures:\n%s", code, res.Text)
		}
		if strings.Contains(strings.ToLower(res.Text), "unavailable") {
			t.Errorf("with the database up, the overview says unavailable")
		}
	})
	t.Run("bank", func(t *testing.T) {
		res := h.CheckPage(t, "/banks/"+code)
		if res.Charts < 2 {
			t.Errorf("%s's page drew %d charts; want the monthly volume and fee charts", code, res.Charts)
		}
		for _, s := range []string{"p95 processing time", "Transaction fees billed", "Bank's share", "Mari's share",
			"Licensing fees", "Mari's revenue", "Top 20 recipients", "Transactions by status", "Contract"} {
			if !strings.Contains(res.Text, s) {
				t.Errorf("%s's page does not show %q", code, s)
			}
		}
		if strings.Contains(strings.ToLower(res.Text), "unavailable") {
			t.Errorf("with the database up, a panel says unavailable:\n%s", res.Text)
		}
		t.Logf("%d charts drawn", res.Charts)
	})
	t.Run("new partnership form", func(t *testing.T) {
		h.CheckPage(t, "/banks/new")
	})
}
