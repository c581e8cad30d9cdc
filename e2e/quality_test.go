package e2e

import (
	"strings"
	"testing"

	"mari/auth"
	"mari/dbconn"
)

// The data-quality page in a real browser, as ops sees it, on the demo dataset (which writes
// the same payments into both stores): the four headline figures with their badges, every
// panel loaded, the 14 days agreeing, and a clean console.
func TestQualityPageInBrowser(t *testing.T) {
	h := New(t, AppOptions{Role: auth.RoleOps})
	res := h.CheckPage(t, "/quality")
	for _, s := range []string{"Data quality", "Data freshness", "Data accuracy", "Query p95", "Dashboard uptime",
		"Freshness by source", "Payments initiated", "Rollup job daily_metrics", "Transaction events (transaction_events)",
		"PostgreSQL against ClickHouse, the last 14 days", "13 of 13 complete days agree exactly", "(today)",
		"Rollup runs, the last 24 hours", "Dead letters", "Server time and uptime"} {
		if !strings.Contains(res.Text, s) {
			t.Errorf("the page does not show %q:\n%s", s, res.Text)
		}
	}
	if strings.Contains(strings.ToLower(res.Text), "unavailable") {
		t.Errorf("with both databases up, a panel says unavailable:\n%s", res.Text)
	}
	if strings.Contains(res.Text, "Read each dead letter") {
		t.Errorf("ops sees the admins' link to the Ingestion page")
	}
}

// With ClickHouse unreachable the page still loads: its two ClickHouse panels and the accuracy
// say unavailable, the PostgreSQL panels show.
func TestQualityPageWithClickHouseDownInBrowser(t *testing.T) {
	dead, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{Addr: "127.0.0.1:1", Database: "default", User: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dead.Close() })
	h := New(t, AppOptions{CH: dead})
	res := h.CheckPage(t, "/quality")
	if n := strings.Count(res.Text, "unavailable — ClickHouse is unreachable"); n != 3 {
		t.Errorf("%d panels say ClickHouse is unreachable; want 3:\n%s", n, res.Text)
	}
	for _, s := range []string{"Payments initiated", "Rollup job daily_metrics", "Rollup runs, the last 24 hours", "Read each dead letter"} {
		if !strings.Contains(res.Text, s) {
			t.Errorf("with ClickHouse down the page does not show %q", s)
		}
	}
}
