package e2e

import (
	"strings"
	"testing"

	"mari/dbconn"
)

func TestExecutiveDashboardInBrowser(t *testing.T) {
	h := New(t, AppOptions{})
	res := h.CheckPage(t, "/")
	if res.Charts == 0 {
		t.Errorf("the executive dashboard drew no charts ([data-echarts] elements); want its trend charts")
	}
	if strings.Contains(strings.ToLower(res.Text), "unavailable") {
		t.Errorf("with both databases up, a panel says unavailable:\n%s", res.Text)
	}
	t.Logf("%d charts drawn", res.Charts)
}

func TestGlossaryInBrowser(t *testing.T) {
	h := New(t, AppOptions{})
	res := h.CheckPage(t, "/glossary")
	// The glossary explains every metric on the dashboard; these are the headline ones.
	text := strings.ToLower(res.Text)
	for _, term := range []string{"volume", "active users", "success rate"} {
		if !strings.Contains(text, term) {
			t.Errorf("the glossary does not mention %q", term)
		}
	}
}

// With ClickHouse unreachable, the dashboard still loads: the ClickHouse panels say
// "unavailable" and the PostgreSQL charts still draw, with no console errors.
func TestExecutiveDashboardWithClickHouseDown(t *testing.T) {
	dead, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{Addr: "127.0.0.1:1", Database: "default", User: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dead.Close() })
	h := New(t, AppOptions{CH: dead})
	res := h.CheckPage(t, "/")
	if !strings.Contains(strings.ToLower(res.Text), "unavailable") {
		t.Errorf("ClickHouse is down but no panel says unavailable; page text:\n%s", res.Text)
	}
	if res.Charts == 0 {
		t.Errorf("no chart drew with ClickHouse down; the PostgreSQL charts should still draw")
	}
	t.Logf("%d charts drawn with ClickHouse down", res.Charts)
}
