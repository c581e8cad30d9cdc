package e2e

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/dbconn"
	"mari/dbtest"
	"mari/e2e/browser"
	"mari/migrations"
	"mari/queries"
	"mari/web"
)

// opsApp serves the app with a pinned clock (so the 60-minute window cannot roll over while
// the test waits) and returns its address and a signed-in browser (an ops account).
func opsApp(t *testing.T, db *dbtest.DB, ch driver.Conn, now time.Time) (string, *browser.Browser) {
	t.Helper()
	params := auth.TestHashParams
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(web.NewServer(web.Deps{
		Config: web.Config{PanelTimeout: 2 * time.Second}, PG: db.PG, CH: ch, Log: logger,
		Now: func() time.Time { return now }, PasswordParams: &params,
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	svc := &auth.Service{DB: db.PG, Params: auth.TestHashParams}
	acc, once, err := svc.Create(ctx, auth.Actor{Email: "e2e"}, "wall@mari.example", "Wall", auth.RoleOps)
	if err != nil {
		t.Fatal(err)
	}
	password := "wall password " + once
	if err := svc.ChangePassword(ctx, acc, "127.0.0.1", once, password, password); err != nil {
		t.Fatal(err)
	}
	b, err := browser.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if _, err := b.SignIn(srv.URL+"/signin", acc.Email, password, PageTimeout); err != nil {
		t.Fatal(err)
	}
	return srv.URL, b
}

// insertEvents writes n events of one type at `at` (PrepareBatch: the only insert 18.16 takes).
func insertEvents(t *testing.T, ch driver.Conn, typ string, n int, at time.Time, reason string) {
	t.Helper()
	ctx := context.Background()
	batch, err := ch.PrepareBatch(ctx, `INSERT INTO transaction_events (event_id, transaction_id, user_id,
		event_type, timestamp, amount, currency, bank_id, device_type, channel, processing_time_ms,
		sentinel_score, failure_reason, error_code)`)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := batch.Append(uuid.New(), uuid.New(), uuid.New(), typ, at,
			decimal.RequireFromString("10.00"), "ZAR", "BANKA", "android", "online", uint32(250), float32(0), reason, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
}

// The wall screen draws its four charts at 1920×1080 without scrolling, then, without a
// reload, picks up events inserted into ClickHouse: the numerals and the same chart instance
// change.
func TestOpsWallScreenInBrowser(t *testing.T) {
	db := dbtest.New(t)
	now := time.Now().UTC().Truncate(time.Minute).Add(30 * time.Second)
	// Before: 3 initiated a minute ago; 3 completed, 1 failed (75% success).
	insertEvents(t, db.CH, "initiated", 3, now.Add(-time.Minute), "")
	insertEvents(t, db.CH, "completed", 3, now.Add(-time.Minute), "")
	insertEvents(t, db.CH, "failed", 1, now.Add(-time.Minute), "bank_timeout")
	url, b := opsApp(t, db, db.CH, now)

	res, err := b.Load(url+"/ops?wall=1", url, PageTimeout)
	if res != nil && len(res.Screenshot) > 0 {
		saveScreenshot(t, "OpsWallScreenInBrowser", res.Screenshot)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems() {
		t.Errorf("/ops?wall=1: %s", p)
	}
	if res.Charts != 4 || !strings.Contains(res.Text, "75.00%") || strings.Contains(res.Text, "unavailable") {
		t.Fatalf("wall screen: %d charts; text:\n%s", res.Charts, res.Text)
	}

	tab, err := b.NewTab(url)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	ctx, cancel := context.WithTimeout(tab.Ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(url+"/ops?wall=1"),
		chromedp.WaitVisible(`[data-echarts-drawn="true"]`)); err != nil {
		t.Fatal(err)
	}
	// state reads the numerals, the per-minute chart's last point and its instance id.
	const state = `JSON.stringify((() => {
		const f = k => document.querySelector('[data-ops-field="' + k + '"]').textContent;
		const c = echarts.getInstanceByDom(document.querySelector('[data-echarts="chart-ops-tpm"]'));
		const d = c.getOption().series[0].data.map(p => p !== null && typeof p === "object" ? p.value : p);
		return {total: f("tpm.total"), current: f("week.current"), success: f("success.rate"),
			last: d[d.length - 1], prev: d[d.length - 2], id: c.id,
			scroll: document.documentElement.scrollHeight > window.innerHeight};
	})())`
	type wallState struct {
		Total, Current, Success string
		Last, Prev              float64
		ID                      string
		Scroll                  bool
	}
	read := func() wallState {
		t.Helper()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](state))
		if err != nil {
			t.Fatal(err)
		}
		var s wallState
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := read()
	// The minute tile compares the last full minute: the 3 of a minute ago.
	if before.Total != "3" || before.Current != "3" || before.Prev != 3 || before.Last != 0 || before.Success != "75.00%" {
		t.Fatalf("before: %+v", before)
	}
	if before.Scroll {
		t.Errorf("the wall screen scrolls at 1920×1080")
	}

	// New events this minute: 7 initiated, 1 more completed → 10 in the hour, success 4/5 =
	// 80%; the minute tile still shows the last full minute's 3.
	insertEvents(t, db.CH, "initiated", 7, now.Add(-10*time.Second), "")
	insertEvents(t, db.CH, "completed", 1, now.Add(-10*time.Second), "")
	deadline := time.Now().Add(25 * time.Second)
	var after wallState
	for {
		after = read()
		if after.Total == "10" || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if after.Total != "10" || after.Current != "3" || after.Last != 7 || after.Success != "80.00%" {
		t.Errorf("25 s after the insert, without a reload: %+v; want total 10, last full minute 3, success 80.00%%", after)
	}
	if after.ID != before.ID {
		t.Errorf("the chart was re-created (%s → %s); want the same instance updated", before.ID, after.ID)
	}
	time.Sleep(time.Second) // let the update's 300 ms animation finish before the screenshot
	snap, err := tab.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	saveScreenshot(t, "OpsWallScreenInBrowser_updated_1920x1080", snap.Screenshot)
	for _, p := range snap.Problems() {
		t.Errorf("after refresh: %s", p)
	}
}

// ClickHouse down: the wall screen still loads, says "source unavailable", draws (empty)
// charts, and has no console errors.
func TestOpsWallScreenClickHouseDownInBrowser(t *testing.T) {
	dead, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{Addr: "127.0.0.1:1", Database: "default", User: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dead.Close() })
	db := dbtest.New(t)
	url, b := opsApp(t, db, dead, time.Now())
	res, err := b.Load(url+"/ops?wall=1", url, PageTimeout)
	if res != nil && len(res.Screenshot) > 0 {
		saveScreenshot(t, "OpsWallScreenClickHouseDownInBrowser", res.Screenshot)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems() {
		t.Errorf("%s", p)
	}
	if !strings.Contains(res.Text, "source unavailable") || !strings.Contains(res.Text, "unavailable — ClickHouse is unreachable") {
		t.Errorf("ClickHouse is down but the wall screen does not say so:\n%s", res.Text)
	}
}

// The other ops pages in a browser: the signed-in dashboard, the display-link page, and a
// display link opened by a browser that is signed out.
func TestOpsPagesInBrowser(t *testing.T) {
	db := dbtest.New(t)
	now := time.Now().UTC().Truncate(time.Minute).Add(30 * time.Second)
	insertEvents(t, db.CH, "initiated", 4, now.Add(-2*time.Minute), "")
	insertEvents(t, db.CH, "completed", 3, now.Add(-2*time.Minute), "")
	insertEvents(t, db.CH, "failed", 1, now.Add(-2*time.Minute), "insufficient_funds")
	url, b := opsApp(t, db, db.CH, now)

	var raw [32]byte
	_, _ = rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	hash := sha256.Sum256(raw[:])
	if _, err := queries.InsertDisplayLink(context.Background(), db.PG, "Ops room TV", hash[:], queries.Actor{Email: "e2e"}, now); err != nil {
		t.Fatal(err)
	}
	signedOut, err := browser.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(signedOut.Close)

	for _, c := range []struct {
		name, path string
		b          *browser.Browser
		charts     int
		want       string
	}{
		{"dashboard", "/ops", b, 4, "75.00%"},
		{"display_links", "/ops/display-links", b, 0, "Create display link"},
		{"display_link", "/display/" + token, signedOut, 4, "Operations · Ops room TV"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := c.b.Load(url+c.path, url, PageTimeout)
			if res != nil && len(res.Screenshot) > 0 {
				saveScreenshot(t, screenshotName(t.Name()), res.Screenshot)
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range res.Problems() {
				t.Errorf("%s: %s", c.path, p)
			}
			if res.Charts != c.charts || !strings.Contains(res.Text, c.want) {
				t.Errorf("%s: %d charts (want %d), %q missing?\n%s", c.path, res.Charts, c.charts, c.want, res.Text)
			}
		})
	}
}

// throwawayClickHouse starts a ClickHouse of the test's own (own port, own data folder, as
// TestClickHouseOutageAndRecovery does) and returns its address and a start/stop function.
func throwawayClickHouse(t *testing.T) (string, func(cmd string)) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dbctl := filepath.Join(filepath.Dir(file), "..", "scripts", "dbctl.sh")
	port := strconv.Itoa(freePort(t))
	env := append(os.Environ(), "MARI_DATA_DIR="+t.TempDir(),
		"MARI_CH_PORT="+port, "MARI_CH_HTTP_PORT="+strconv.Itoa(freePort(t)))
	run := func(cmd string) {
		t.Helper()
		out, err := os.CreateTemp(t.TempDir(), "dbctl-*.log")
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		c := exec.CommandContext(ctx, dbctl, cmd)
		c.Env, c.Stdout, c.Stderr = env, out, out
		if err := c.Run(); err != nil {
			log, _ := os.ReadFile(out.Name())
			t.Fatalf("dbctl %s: %v\n%s", cmd, err, log)
		}
	}
	run("start-clickhouse")
	t.Cleanup(func() { run("stop-clickhouse") })
	return "127.0.0.1:" + port, run
}

// The wall screen left open through a ClickHouse outage: it says "source unavailable" at its
// next poll and comes back by itself, without a reload, when ClickHouse does.
func TestOpsWallScreenOutageAndRecoveryInBrowser(t *testing.T) {
	addr, run := throwawayClickHouse(t)
	ch, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{Addr: addr, Database: "default", User: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.Close() })
	if err := migrations.ClickHouse(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Minute).Add(30 * time.Second)
	insertEvents(t, ch, "initiated", 5, now.Add(-time.Minute), "")
	db := dbtest.New(t)
	// PostgreSQL-backed tiles: one open incident; they must keep their numbers throughout.
	db.Exec(t, `INSERT INTO incidents (title, severity, is_outage, started_at) VALUES ('Event stream maintenance', 'major', false, $1)`, now.Add(-time.Hour))
	url, b := opsApp(t, db, ch, now)

	tab, err := b.NewTab(url)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	ctx, cancel := context.WithTimeout(tab.Ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"/ops?wall=1"), chromedp.WaitVisible(`[data-echarts-drawn="true"]`)); err != nil {
		t.Fatal(err)
	}
	const state = `JSON.stringify({down: document.querySelector("[data-ops-data]").getAttribute("data-ops-source-down"),
		total: document.querySelector('[data-ops-field="tpm.total"]').textContent,
		incidents: document.querySelector('[data-ops-field="incidents.open"]').textContent,
		incidentDetail: document.querySelector('[data-ops-field="incidents.detail"]').textContent,
		panelsDown: document.querySelectorAll("[data-ops-unavailable]:not([hidden])").length,
		source: document.querySelector("[data-ops-source]").hidden ? "" : document.querySelector("[data-ops-source]").textContent})`
	type wallState struct {
		Down, Total, Incidents, IncidentDetail, Source string
		PanelsDown                                     int
	}
	waitFor := func(what string, ok func(wallState) bool) wallState {
		t.Helper()
		deadline := time.Now().Add(25 * time.Second)
		for {
			raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](state))
			if err != nil {
				t.Fatal(err)
			}
			var s wallState
			_ = json.Unmarshal([]byte(raw), &s)
			if ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 25 s; the page shows %+v", what, s)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	waitFor("up", func(s wallState) bool {
		return s.Down == "false" && s.Total == "5" && s.Incidents == "1" && s.PanelsDown == 0
	})
	run("stop-clickhouse")
	// Every ClickHouse chart panel (4) says unavailable; the PostgreSQL tile still has its number.
	down := waitFor("source unavailable", func(s wallState) bool { return s.Down == "true" && s.PanelsDown == 4 })
	if !strings.Contains(down.Source, "source unavailable — ClickHouse") {
		t.Errorf("outage message %q", down.Source)
	}
	if down.Incidents != "1" || !strings.Contains(down.IncidentDetail, "Event stream maintenance") {
		t.Errorf("open-incidents tile during the ClickHouse outage: %q / %q", down.Incidents, down.IncidentDetail)
	}
	run("start-clickhouse")
	waitFor("recovered", func(s wallState) bool {
		return s.Down == "false" && s.Total == "5" && s.Source == "" && s.PanelsDown == 0 && s.Incidents == "1"
	})
}
