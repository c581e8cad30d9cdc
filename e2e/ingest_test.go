package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"mari/auth"
	"mari/dbtest"
	"mari/e2e/browser"
	"mari/ingest"
	"mari/web"
)

// An admin makes an ingestion token on the Ingestion page (on a phone), a producer posts
// payments with it, and the operations wall screen, open at 1920×1080 and never reloaded,
// counts them within seconds; then the admin revokes the token and its next post is refused.
// The app is wired as `mari serve` wires it: the shipper woken by each stored batch.
func TestIngestTokenToWallScreenInBrowser(t *testing.T) {
	db := dbtest.New(t)
	dbtest.Bank{Code: "BANKA", Start: "2025-01-01"}.Insert(t, db)
	dbtest.User{Name: "alice", Created: "2026-01-05 09:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2026-01-06 09:00:00"}.Insert(t, db)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	shipper := ingest.NewShipper(db.PG, db.CH, logger)
	shipCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); shipper.Run(shipCtx) }()
	t.Cleanup(func() { stop(); <-done })
	params := auth.TestHashParams
	srv := httptest.NewServer(web.NewServer(web.Deps{
		Config: web.Config{PanelTimeout: 2 * time.Second}, PG: db.PG, CH: db.CH, Log: logger,
		PasswordParams: &params, IngestCommitted: shipper.Wake, Landed: shipper.Landed,
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	svc := &auth.Service{DB: db.PG, Params: auth.TestHashParams}
	acc, once, err := svc.Create(ctx, auth.Actor{Email: "e2e"}, "admin@mari.example", "Admin", auth.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	password := "admin password " + once
	if err := svc.ChangePassword(ctx, acc, "127.0.0.1", once, password, password); err != nil {
		t.Fatal(err)
	}
	b, err := browser.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if _, err := b.SignIn(srv.URL+"/signin", acc.Email, password, PageTimeout); err != nil {
		t.Fatal(err)
	}

	// On a phone: name a token, press Create, read it off the page.
	phone, err := b.NewTab(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer phone.Close()
	phone.AcceptDialogs(true) // revoking the token asks first; the admin answers OK
	pctx, cancel := context.WithTimeout(phone.Ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(pctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(srv.URL+"/admin/ingest"),
		chromedp.SendKeys(`form[action="/admin/ingest/tokens"] input[name=name]`, "mobile-backend"),
		chromedp.Click(`form[action="/admin/ingest/tokens"] button[type=submit]`),
		chromedp.WaitVisible(`#new-ingest-token`)); err != nil {
		t.Fatalf("create a token: %v", err)
	}
	token, err := chromedp.Run(pctx, chromedp.Evaluate[string](`document.getElementById('new-ingest-token').textContent`))
	if err != nil || !strings.HasPrefix(token, ingest.TokenPrefix) {
		t.Fatalf("the page shows %q (%v)", token, err)
	}
	// The page's own content fits the phone (its wide tables scroll inside their box). The
	// site header's menu is wider than a phone on every page: a known fault of the layout,
	// not of this page.
	overflow, err := chromedp.Run(pctx, chromedp.Evaluate[bool](`(() => {
		const m = document.querySelector('main');
		return m.scrollWidth > m.clientWidth || m.getBoundingClientRect().right > window.innerWidth;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Errorf("the Ingestion page's content is wider than a 390 px phone")
	}
	snap, err := phone.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	saveScreenshot(t, "IngestTokenCreated_390", snap.Screenshot)
	for _, p := range snap.Problems() {
		t.Errorf("/admin/ingest: %s", p)
	}

	// The wall screen, open before anything is posted.
	wall, err := b.NewTab(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer wall.Close()
	wctx, wcancel := context.WithTimeout(wall.Ctx, 2*time.Minute)
	defer wcancel()
	if err := chromedp.Do(wctx, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(srv.URL+"/ops?wall=1"),
		chromedp.WaitVisible(`[data-echarts-drawn="true"]`)); err != nil {
		t.Fatal(err)
	}
	hourTotal := func() string {
		t.Helper()
		s, err := chromedp.Run(wctx, chromedp.Evaluate[string](`document.querySelector('[data-ops-field="tpm.total"]').textContent`))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(s)
	}
	if got := hourTotal(); got != "0" {
		t.Fatalf("before any event the wall screen counts %q payments in the hour", got)
	}

	post := func(tok string) (int, map[string]any) {
		t.Helper()
		var lines []string
		now := time.Now()
		for i := range 3 {
			tx := uuid.New()
			lines = append(lines, fmt.Sprintf(`{"event_id":%q,"transaction_id":%q,"user_id":%q,"event_type":"initiated","timestamp":%q,"amount":"25.00","bank_id":"BANKA","channel":"online","recipient_id":%q,"physics_seal_hash":%q}`,
				uuid.NewString(), tx, dbtest.UserID("alice"), now.Add(-time.Duration(i)*time.Second).Format(time.RFC3339), dbtest.UserID("bob"), "seal-"+tx.String()))
		}
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/ingest/v1/transaction-events", strings.NewReader(strings.Join(lines, "\n")))
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var answer map[string]any
		_ = json.NewDecoder(res.Body).Decode(&answer)
		return res.StatusCode, answer
	}
	posted := time.Now()
	if status, answer := post(token); status != http.StatusOK || answer["accepted"] != 3.0 {
		t.Fatalf("post: %d %v", status, answer)
	}
	deadline := time.Now().Add(20 * time.Second)
	for hourTotal() != "3" {
		if time.Now().After(deadline) {
			t.Fatalf("20 s after the post the wall screen still counts %q", hourTotal())
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The page polls every 5 s; the rest is the shipper and the shared reads.
	t.Logf("posted events showed on the wall screen after %s", time.Since(posted).Round(100*time.Millisecond))
	time.Sleep(time.Second) // the update's 300 ms animation, before the screenshot
	snap, err = wall.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	saveScreenshot(t, "IngestWallScreen_1920x1080", snap.Screenshot)

	// Revoke, with the button in the list, and the token stops working.
	if err := chromedp.Do(pctx, chromedp.Navigate(srv.URL+"/admin/ingest"),
		chromedp.Click(`form[action$="/revoke"] button[type=submit]`),
		chromedp.WaitVisible(`p.notice`)); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	text, err := chromedp.Run(pctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil || !strings.Contains(text, "revoked") || !strings.Contains(text, "mobile-backend") {
		t.Errorf("after revoking the page reads:\n%s", text)
	}
	if status, _ := post(token); status != http.StatusUnauthorized {
		t.Errorf("a post with the revoked token: %d, want 401", status)
	}
}
