package web

import (
	"regexp"
	"strings"
	"testing"

	"mari/auth"
	"mari/catalogue"
)

// The glossary is built from the catalogue: every metric has its anchor there. And every tile,
// chart and table of every page links its "?" to a metric of the catalogue, so no number on a
// page goes without its one definition.
func TestGlossaryAndHelpLinksFollowTheCatalogue(t *testing.T) {
	_, e, svc := testServer(t, Config{})
	newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)
	c := newClient(t, e, "192.0.2.150")
	c.mustSignIn("admin@mari.example")

	glossary := c.get("/glossary")
	if glossary.StatusCode != 200 {
		t.Fatalf("glossary: %d", glossary.StatusCode)
	}
	for _, m := range catalogue.All() {
		if !strings.Contains(glossary.Body, `id="`+m.ID+`"`) {
			t.Errorf("the glossary lacks %s (%s)", m.ID, m.Name)
		}
	}

	help := regexp.MustCompile(`href="/glossary#([^"]+)"`)
	links := 0
	for _, page := range []string{"/", "/?preset=mtd", "/growth", "/banks", "/ops", "/reports", "/model/seed", "/model/seed/actuals", "/incidents", "/quality"} {
		r := c.get(page)
		if r.StatusCode != 200 {
			t.Errorf("GET %s: %d", page, r.StatusCode)
			continue
		}
		for _, m := range help.FindAllStringSubmatch(r.Body, -1) {
			links++
			if _, ok := catalogue.Lookup(m[1]); !ok {
				t.Errorf("%s links to /glossary#%s, which the catalogue does not define", page, m[1])
			}
		}
	}
	if links < 20 {
		t.Errorf("only %d help links across the pages; the crawl is not seeing the tiles", links)
	}
}
