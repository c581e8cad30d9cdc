package web

import (
	"strings"
	"testing"

	"mari/auth"
	"mari/static"
)

// ECharts (a megabyte as written) is loaded only by pages that draw a chart; every page
// references its assets by their content-hashed names, which are cached for a year.
func TestEChartsOnlyOnChartPages(t *testing.T) {
	_, e, svc := testServer(t, Config{})
	newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)
	signedOut := newClient(t, e, "192.0.2.30")
	if r := signedOut.get("/signin"); r.StatusCode != 200 || strings.Contains(r.Body, "echarts") || !strings.Contains(r.Body, `href="`+static.Path("app.css")+`"`) {
		t.Errorf("/signin: %d, references echarts or not the hashed stylesheet:\n%s", r.StatusCode, r.Body)
	}
	admin := newClient(t, e, "192.0.2.31")
	admin.mustSignIn("admin@mari.example")
	for _, target := range []string{"/glossary", "/incidents", "/admin/audit", "/reports", "/banks"} {
		r := admin.get(target)
		if r.StatusCode != 200 {
			t.Errorf("%s: %d", target, r.StatusCode)
			continue
		}
		if strings.Contains(r.Body, "echarts.min") || strings.Contains(r.Body, "data-echarts=") {
			t.Errorf("%s references echarts", target)
		}
	}
	for _, target := range []string{"/", "/growth"} {
		r := admin.get(target)
		if r.StatusCode != 200 || !strings.Contains(r.Body, "data-echarts=") || !strings.Contains(r.Body, `<script src="`+static.Path("echarts.min.js")+`" defer>`) {
			t.Errorf("%s: %d, draws charts without loading echarts under its hashed name", target, r.StatusCode)
		}
	}
}
