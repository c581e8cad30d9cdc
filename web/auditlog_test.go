package web

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mari/auth"
	"mari/calendar"
)

var (
	auditTargets = regexp.MustCompile(`<td>t-(\d+)</td>`)
	auditNext    = regexp.MustCompile(`href="(/admin/audit\?[^"]*)" rel="next"`)
)

// auditPageTargets are the targets of the entries shown, in order, and the link to the next
// page ("" on the last).
func auditPageTargets(t *testing.T, c *client, target string) ([]int, string) {
	t.Helper()
	r := c.get(target)
	if r.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", target, r.StatusCode, r.Body)
	}
	var out []int
	for _, m := range auditTargets.FindAllStringSubmatch(r.Body, -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	next := ""
	if m := auditNext.FindStringSubmatch(r.Body); m != nil {
		next = html.UnescapeString(m[1])
	}
	return out, next
}

// The audit log pages by 100, newest first, without skipping or repeating an entry when
// entries share a time or arrive between pages, and filters by action, user and SAST days.
func TestAuditLogPagingAndFilters(t *testing.T) {
	db, e, svc := testServer(t, Config{})
	newAccount(t, svc, "admin@mari.example", auth.RoleAdmin)
	c := newClient(t, e, "192.0.2.40")
	c.mustSignIn("admin@mari.example")
	ctx := context.Background()
	if _, err := db.PG.Exec(ctx, `DELETE FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	insert := func(at time.Time, email, action string, target int) {
		t.Helper()
		if _, err := db.PG.Exec(ctx, `INSERT INTO audit_log (at, actor_email, action, target) VALUES ($1, $2, $3, $4)`,
			at, email, action, "t-"+strconv.Itoa(target)); err != nil {
			t.Fatal(err)
		}
	}
	// 205 sign-ins by Alice on 10 March, two to a minute (each pair at the same instant), so
	// page boundaries fall between entries of one time: targets 0..204, 204 the newest.
	base := time.Date(2026, 3, 10, 8, 0, 0, 0, calendar.SAST)
	for i := 0; i < 205; i++ {
		insert(base.Add(time.Duration(i/2)*time.Minute), "alice@mari.example", "signin", i)
	}
	// Bob's display-link revocations around the SAST midnight of 6/7 March.
	insert(time.Date(2026, 3, 5, 12, 0, 0, 0, calendar.SAST), "Bob@Mari.example", "display_link_revoked", 1000)
	insert(time.Date(2026, 3, 6, 23, 59, 59, 0, calendar.SAST), "Bob@Mari.example", "display_link_revoked", 1001)
	insert(time.Date(2026, 3, 7, 0, 0, 30, 0, calendar.SAST), "Bob@Mari.example", "display_link_revoked", 1002)

	// Paging everything: 100 + 100 + 8, each target once, newest first.
	var all []int
	next := "/admin/audit"
	for pages := 0; next != ""; pages++ {
		if pages == 1 {
			// An entry arriving while someone reads page 1 does not shift page 2.
			insert(base.Add(24*time.Hour), "carol@mari.example", "signout", 5000)
		}
		got, n := auditPageTargets(t, c, next)
		if want := []int{100, 100, 8}; pages >= len(want) || len(got) != want[pages] {
			t.Fatalf("page %d has %d entries; want 100, 100, 8", pages+1, len(got))
		}
		all = append(all, got...)
		next = n
	}
	want := []int{}
	for i := 204; i >= 0; i-- {
		// Within a pair of equal times the later id (the higher target) comes first.
		want = append(want, i)
	}
	want = append(want, 1002, 1001, 1000)
	if !equalInts(all, want) {
		t.Fatalf("paged entries: %v\nwant %v", all, want)
	}

	// Filters, and the next-page link keeps them.
	got, n := auditPageTargets(t, c, "/admin/audit?user=ALICE")
	if len(got) != 100 || got[0] != 204 || !strings.Contains(n, "user=ALICE") || !strings.Contains(n, "after=") {
		t.Errorf("user=ALICE: %d entries from %v, next %q", len(got), got[:1], n)
	}
	if got, _ := auditPageTargets(t, c, "/admin/audit?user=bob%40mari"); !equalInts(got, []int{1002, 1001, 1000}) {
		t.Errorf("user=bob@mari: %v; want Bob's three, any case", got)
	}
	// 23:59:59 SAST on the 6th is the 6th; 00:00:30 SAST on the 7th (22:00:30 UTC on the 6th)
	// is not.
	if got, _ := auditPageTargets(t, c, "/admin/audit?from=2026-03-06&to=2026-03-06"); !equalInts(got, []int{1001}) {
		t.Errorf("6 March: %v; want [1001]", got)
	}
	if got, _ := auditPageTargets(t, c, "/admin/audit?action=display_link_revoked&from=2026-03-07"); !equalInts(got, []int{1002}) {
		t.Errorf("display links from 7 March: %v; want [1002]", got)
	}
	if got, _ := auditPageTargets(t, c, "/admin/audit?action=signout&to=2026-03-10"); len(got) != 0 {
		t.Errorf("sign-outs to 10 March: %v; want none", got)
	}
	if page := c.get("/admin/audit").Body; !strings.Contains(page, `<option value="display_link_revoked"`) || !strings.Contains(page, `<option value="display_link_created"`) {
		t.Errorf("the action filter does not offer the display-link actions")
	}

	// Bad input: a 400 with a message, and no entries.
	for q, msg := range map[string]string{
		"from=2026-13-01":                  "not a date",
		"from=2026-03-08&to=2026-03-07":    "reversed",
		"after=garbage":                    "damaged",
		"after=1-0":                        "damaged",
		"action=no%20such":                 "no such action",
		"user=" + strings.Repeat("a", 255): "at most 254",
		"from=2199-01-01":                  "in the future",
	} {
		r := c.get("/admin/audit?" + q)
		if r.StatusCode != 400 || !strings.Contains(r.Body, msg) || auditTargets.MatchString(r.Body) {
			t.Errorf("?%s: %d, want 400 saying %q and no entries", q, r.StatusCode, msg)
		}
	}
	if r := c.get("/admin/audit?user=" + url.QueryEscape("x\x00y")); r.StatusCode != 400 {
		t.Errorf("a control character in the user filter: %d; want 400", r.StatusCode)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
