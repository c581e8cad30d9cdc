package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"mari/calendar"
	"mari/dbconn"
	"mari/dbtest"
	"mari/queries"
)

// The wall screen is an alarm. Through a display link, at 1280×720 and 1920×1080: the red
// tiles (success rate 75%, below the 92% alarm level; one open incident) carry the red class
// and say "Alarm" in words, and no tile text is cut off. Then ClickHouse goes away (its link
// cut by a proxy): the ClickHouse figures keep their last numbers, dimmed, saying since when,
// and come back by themselves when the link does.
func TestWallAlarmInBrowser(t *testing.T) {
	db := dbtest.New(t)
	proxy := dbtest.NewTCPProxy(t, db.CHOpts.Addr)
	chOpts := db.CHOpts
	chOpts.Addr = proxy.Addr()
	ch, err := dbconn.ClickHouse(chOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.Close() })
	t.Cleanup(func() { proxy.Set(dbtest.LinkDown) }) // before the pool closes: nothing waits on the link

	now := time.Now().UTC().Truncate(time.Minute).Add(30 * time.Second)
	insertEvents(t, db.CH, "initiated", 3, now.Add(-time.Minute), "")
	insertEvents(t, db.CH, "completed", 3, now.Add(-time.Minute), "")
	insertEvents(t, db.CH, "failed", 1, now.Add(-time.Minute), "bank_timeout")
	db.Exec(t, `INSERT INTO incidents (title, severity, is_outage, started_at) VALUES
		('Bank B answers slowly, payments time out after 30 seconds', 'critical', true, $1)`, now.Add(-20*time.Minute))

	url, b := opsApp(t, db, ch, now) // signed in as ops, for the dashboard itself
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	hash := sha256.Sum256(raw[:])
	if _, err := queries.InsertDisplayLink(context.Background(), db.PG, "Ops room TV", hash[:], queries.Actor{Email: "e2e"}, now); err != nil {
		t.Fatal(err)
	}
	wall := url + "/display/" + token

	tab, err := b.NewTab(url)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	ctx, cancel := context.WithTimeout(tab.Ctx, 150*time.Second)
	defer cancel()

	// state reads every tile's level, word, value, dimming and stale note, and the texts that
	// do not fit their box (scrollWidth beyond clientWidth).
	const state = `JSON.stringify((() => {
		const tiles = {};
		document.querySelectorAll("[data-ops-tile]").forEach(el => {
			tiles[el.getAttribute("data-ops-tile")] = {
				red: el.classList.contains("ops-level-red"), amber: el.classList.contains("ops-level-amber"),
				stale: el.classList.contains("ops-stale"),
				word: el.querySelector("[data-ops-badge]").textContent,
				value: el.querySelector(".ops-num").textContent,
				opacity: Number(getComputedStyle(el.querySelector(".ops-num")).opacity),
				note: el.querySelector("[data-ops-stale]").hidden ? "" : el.querySelector("[data-ops-stale]").textContent};
		});
		const cut = [];
		document.querySelectorAll(".ops-figure, .ops-figure h3, .ops-figure p, .ops-panel h2, .ops-status").forEach(el => {
			if (!el.hidden && el.scrollWidth > el.clientWidth) cut.push((el.getAttribute("data-ops-field") || el.className || el.tagName) + ": " + el.textContent.trim() + " (" + el.scrollWidth + " > " + el.clientWidth + ")");
		});
		return {tiles, cut, source: document.querySelector("[data-ops-source]").hidden ? "" : document.querySelector("[data-ops-source]").textContent.replace(/\s+/g, " ").trim(),
			scroll: document.documentElement.scrollWidth > window.innerWidth};
	})())`
	type tileState struct {
		Red, Amber, Stale bool
		Word, Value, Note string
		Opacity           float64
	}
	type wallState struct {
		Tiles  map[string]tileState
		Cut    []string
		Source string
		Scroll bool
	}
	read := func() wallState {
		t.Helper()
		out, err := chromedp.Run(ctx, chromedp.Evaluate[string](state))
		if err != nil {
			t.Fatal(err)
		}
		var s wallState
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		time.Sleep(700 * time.Millisecond) // the charts' 300 ms animations
		snap, err := tab.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		saveScreenshot(t, "WallAlarm_"+name, snap.Screenshot)
		for _, p := range snap.Problems() {
			t.Errorf("%s: %s", name, p)
		}
	}

	for _, size := range []struct {
		name string
		w, h int64
	}{{"1280x720", 1280, 720}, {"1920x1080", 1920, 1080}, {"390", 390, 844}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(wall),
			chromedp.WaitVisible(`[data-echarts-drawn="true"]`)); err != nil {
			t.Fatal(err)
		}
		s := read()
		for _, field := range []string{"success.rate", "incidents.open"} {
			if tile := s.Tiles[field]; !tile.Red || tile.Word != "■ Alarm" {
				t.Errorf("%s: %s tile %+v; want the red class and the word Alarm", size.name, field, tile)
			}
		}
		if tile := s.Tiles["pending.stuck"]; tile.Red || tile.Amber || tile.Word != "✓ OK" {
			t.Errorf("%s: stuck payments (none) %+v; want OK", size.name, tile)
		}
		if len(s.Cut) > 0 || s.Scroll {
			t.Errorf("%s: texts cut off: %v; page wider than the screen: %v", size.name, s.Cut, s.Scroll)
		}
		shot(size.name)
	}

	colours := func(scheme string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
			t.Fatal(err)
		}
	}
	// The signed-in dashboard shows the same levels, light and dark.
	for _, scheme := range []string{"light", "dark"} {
		colours(scheme)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900),
			chromedp.Navigate(url+"/ops"), chromedp.WaitVisible(`[data-echarts-drawn="true"]`)); err != nil {
			t.Fatal(err)
		}
		s := read()
		if tile := s.Tiles["incidents.open"]; !tile.Red || tile.Word != "■ Alarm" || len(s.Cut) > 0 {
			t.Errorf("/ops (%s): incidents %+v, cut off %v", scheme, tile, s.Cut)
		}
		shot("ops_1440_" + scheme)
	}
	colours("dark")

	// A bank without any payment: "no data" in words, on the gauge and on every empty chart.
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date) VALUES ('Bank C', 'BANKC', 'active', '2025-01-01')`)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720), chromedp.Navigate(url+"/ops?wall=1&bank=BANKC"),
		chromedp.WaitVisible(`[data-echarts-drawn="true"]`)); err != nil {
		t.Fatal(err)
	}
	empty, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("[data-ops-empty]")).filter(e => !e.hidden).map(e => e.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(empty) != 4 || !strings.HasPrefix(empty[0], "No data:") {
		t.Errorf("BANKC: empty charts say %q; want all four to say why", empty)
	}
	shot("no_data_1280x720")

	// The source goes away under the 1920×1080 screen.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(wall),
		chromedp.WaitVisible(`[data-echarts-drawn="true"]`)); err != nil {
		t.Fatal(err)
	}
	proxy.Set(dbtest.LinkDown)
	wait := func(what string, ok func(wallState) bool) wallState {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			s := read()
			if ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30 s: %+v", what, s)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	down := wait("ClickHouse down: the success rate dimmed", func(s wallState) bool { return s.Tiles["success.rate"].Stale })
	since := now.In(calendar.SAST).Format("15:04:05")
	if tile := down.Tiles["success.rate"]; tile.Value != "75.00%" || tile.Opacity > 0.5 ||
		!strings.Contains(tile.Note, "stale since "+since+" SAST") || !strings.Contains(tile.Note, "ClickHouse") {
		t.Errorf("stale success rate %+v; want 75.00%% kept, dimmed, stale since %s", tile, since)
	}
	if tile := down.Tiles["incidents.open"]; tile.Stale || !tile.Red || tile.Opacity < 1 {
		t.Errorf("open incidents (PostgreSQL, still up) %+v; want red, not dimmed", tile)
	}
	if !strings.Contains(down.Source, "source unavailable") || !strings.Contains(down.Source, since) {
		t.Errorf("source banner %q; want unavailable, with the time of the dimmed numbers", down.Source)
	}
	shot("clickhouse_down_1920x1080")

	proxy.Set(dbtest.LinkUp)
	up := wait("ClickHouse back: nothing dimmed", func(s wallState) bool {
		return !s.Tiles["success.rate"].Stale && s.Source == ""
	})
	if tile := up.Tiles["success.rate"]; tile.Value != "75.00%" || tile.Opacity < 1 || tile.Note != "" || !tile.Red {
		t.Errorf("after recovery %+v", tile)
	}
	shot("recovered_1920x1080")
}
