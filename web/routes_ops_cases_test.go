package web

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"mari/auth"
)

// opsRouteCases are the route-matrix rows of the ops routes (web/pages.go). The ops
// dashboard is for ops, executives and admins; partnerships get the 403 page. On the empty
// test database: an empty display-link form is a 400, revoking a link that does not exist a
// 400, and a display token that does not exist the one 404 page.
func opsRouteCases() map[string]routeCase {
	empty := func(int64) url.Values { return url.Values{} }
	return map[string]routeCase{
		"GET /ops":                           {target: "/ops", allowed: "200"},
		"GET /ops/data":                      {target: "/ops/data", allowed: "200"},
		"GET /ops/:file":                     {target: "/ops/tpm.csv", allowed: "200"},
		"GET /ops/display-links":             {target: "/ops/display-links", allowed: "200"},
		"POST /ops/display-links":            {target: "/ops/display-links", form: empty, allowed: "400"},
		"POST /ops/display-links/:id/revoke": {target: "/ops/display-links/999999/revoke", form: empty, allowed: "400"},
		"GET /display/:token":                {target: "/display/not-a-real-token", allowed: "404"},
		"GET /display/:token/data":           {target: "/display/not-a-real-token/data", allowed: "404"},
	}
}

var displayURL = regexp.MustCompile(`value="http://[^"/]+/display/([A-Za-z0-9_-]{43})"`)

// A display link's life: created by ops (name required, audited, shown once), opens the wall
// screen without a session or cookie, and once revoked gets exactly the page a forged token
// gets.
func TestDisplayLinkLifecycle(t *testing.T) {
	db, h, svc := testServer(t, Config{})
	e := h.(*echo.Echo)
	newAccount(t, svc, "ops@mari.example", auth.RoleOps)
	staff := newClient(t, e, "192.0.2.50")
	staff.mustSignIn("ops@mari.example")

	r := staff.post("/ops/display-links", url.Values{"name": {"   "}})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "Enter a name for the screen") {
		t.Fatalf("blank name: %d\n%s", r.StatusCode, r.Body)
	}
	if n := count(t, db, `SELECT count(*) FROM display_links`); n != 0 {
		t.Fatalf("a rejected form wrote %d links", n)
	}

	r = staff.post("/ops/display-links", url.Values{"name": {"Ops room TV"}})
	m := displayURL.FindStringSubmatch(r.Body)
	if r.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("create: %d, no link URL in\n%s", r.StatusCode, r.Body)
	}
	token := m[1]
	if again := staff.get("/ops/display-links"); strings.Contains(again.Body, token) || !strings.Contains(again.Body, "Ops room TV") {
		t.Errorf("the list shows the token again, or not the link")
	}
	var id int64
	var hashLen int
	if err := db.PG.QueryRow(context.Background(), `SELECT id, octet_length(token_hash) FROM display_links`).Scan(&id, &hashLen); err != nil || hashLen != 32 {
		t.Fatalf("stored link: %v, hash of %d bytes", err, hashLen)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(token)
	sum := sha256.Sum256(raw)
	if count(t, db, `SELECT count(*) FROM display_links WHERE token_hash = $1`, raw) != 0 ||
		count(t, db, `SELECT count(*) FROM display_links WHERE token_hash = $1`, sum[:]) != 1 {
		t.Errorf("the stored hash is not the SHA-256 of the token")
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'display_link_created' AND actor_email = 'ops@mari.example' AND target = $1`, "display link "+strconv.FormatInt(id, 10)); n != 1 {
		t.Errorf("%d audit entries for the creation; want 1", n)
	}

	screen := newClient(t, e, "192.0.2.51") // the wall screen: never signed in
	wall := screen.get("/display/" + token)
	if wall.StatusCode != http.StatusOK || !strings.Contains(wall.Body, `class="wall"`) || !strings.Contains(wall.Body, "Operations · Ops room TV") ||
		strings.Contains(wall.Body, "site-nav") || strings.Contains(wall.Body, "/signout") || !strings.Contains(wall.Body, `data-ops-data="/display/`+token+`/data"`) {
		t.Fatalf("valid link: %d\n%s", wall.StatusCode, wall.Body)
	}
	data := screen.get("/display/" + token + "/data")
	var j struct {
		Numbers struct {
			PerMinute []uint64 `json:"perMinute"`
		} `json:"numbers"`
	}
	if err := json.Unmarshal([]byte(data.Body), &j); err != nil || data.StatusCode != http.StatusOK || len(j.Numbers.PerMinute) != 60 {
		t.Errorf("display data: %d %v %.200s", data.StatusCode, err, data.Body)
	}
	for _, res := range []response{wall, data} {
		if sc := res.Header.Values("Set-Cookie"); len(sc) != 0 {
			t.Errorf("a /display/ response sets cookies: %v", sc)
		}
	}

	if r := staff.post("/ops/display-links/"+strconv.FormatInt(id, 10)+"/revoke", url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	staff.post("/ops/display-links/"+strconv.FormatInt(id, 10)+"/revoke", url.Values{}) // twice: no second entry
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'display_link_revoked'`); n != 1 {
		t.Errorf("%d audit entries for the revocation; want 1", n)
	}

	var forgedRaw [32]byte
	_, _ = crand.Read(forgedRaw[:])
	forged := base64.RawURLEncoding.EncodeToString(forgedRaw[:])
	revoked := screen.get("/display/" + token)
	for name, res := range map[string]response{
		"revoked":      revoked,
		"revoked data": screen.get("/display/" + token + "/data"),
		"forged":       screen.get("/display/" + forged),
		"malformed":    screen.get("/display/x"),
		"forged data":  screen.get("/display/" + forged + "/data"),
	} {
		if res.StatusCode != http.StatusNotFound || res.Body != revoked.Body || !strings.Contains(res.Body, "This link is not valid.") {
			t.Errorf("%s: %d, body differs from the revoked link's: %v", name, res.StatusCode, res.Body != revoked.Body)
		}
		if sc := res.Header.Values("Set-Cookie"); len(sc) != 0 {
			t.Errorf("%s sets cookies: %v", name, sc)
		}
	}
}
