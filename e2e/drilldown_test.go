package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/calendar"
	"mari/dbtest"
	"mari/e2e/browser"
	"mari/rollup"
	"mari/web"
)

// The rows behind a number: an executive clicks the day's bar of the daily chart, lands on the
// transactions page, and the page's count and sum are the bar's, with the rows listed adding
// up to it; the same day's point on the transactions line opens all of that day's payments.
// The page is looked at on a phone, a laptop and a wide screen.
//
// The dataset is made by hand around day D, three SAST days ago:
//
//	D−1 23:59:59  ABSA  COMPLETED  5 000.00   the day before: not D's
//	D   00:00:00  ABSA  COMPLETED  1 250.50   D's first second
//	D   09:15:00  FNB   COMPLETED    300.25
//	D   11:00:00  ABSA  FAILED        80.00
//	D   13:30:00  ABSA  COMPLETED     99.99   offline SMS
//	D   16:00:00  FNB   PENDING       45.00
//	D   23:59:59  FNB   COMPLETED     10.00   D's last second
//	D+1 00:00:00  ABSA  COMPLETED  7 000.00   the day after: not D's
//
// → D's completed volume (the bar) 1 660.74 over 4 payments; D's transactions (the line) 6,
// 1 785.74 in all.
func TestDrillDownFromTheDailyChart(t *testing.T) {
	today := calendar.Today(time.Now())
	d := today.AddDays(-3)
	at := func(day calendar.Date, clock string) string { return day.String() + " " + clock }
	db := dbtest.New(t)
	for _, b := range []string{"ABSA", "FNB"} {
		dbtest.Bank{Code: b, Start: today.AddDays(-400).String()}.Insert(t, db)
	}
	for _, u := range []string{"alice", "bob", "carol"} {
		dbtest.User{Name: u, Created: at(today.AddDays(-30), "08:00:00")}.Insert(t, db)
	}
	for _, x := range []dbtest.Tx{
		{From: "alice", To: "bob", Amount: "5000.00", Status: "COMPLETED", At: at(d.AddDays(-1), "23:59:59"), Bank: "ABSA"},
		{From: "alice", To: "bob", Amount: "1250.50", Status: "COMPLETED", At: at(d, "00:00:00"), Bank: "ABSA"},
		{From: "bob", To: "carol", Amount: "300.25", Status: "COMPLETED", At: at(d, "09:15:00"), Bank: "FNB"},
		{From: "carol", To: "alice", Amount: "80.00", Status: "FAILED", At: at(d, "11:00:00"), Bank: "ABSA"},
		{From: "carol", To: "bob", Amount: "99.99", Status: "COMPLETED", At: at(d, "13:30:00"), Bank: "ABSA", Channel: "offline_sms"},
		{From: "alice", To: "carol", Amount: "45.00", Status: "PENDING", At: at(d, "16:00:00"), Bank: "FNB"},
		{From: "bob", To: "alice", Amount: "10.00", Status: "COMPLETED", At: at(d, "23:59:59"), Bank: "FNB"},
		{From: "alice", To: "bob", Amount: "7000.00", Status: "COMPLETED", At: at(d.AddDays(1), "00:00:00"), Bank: "ABSA"},
	} {
		x.Insert(t, db)
	}
	ctx := context.Background()
	if err := rollup.New(db.PG, nil, nil).Backfill(ctx, today.AddDays(-30), today, io.Discard); err != nil {
		t.Fatalf("rollup backfill: %v", err)
	}
	url, b := drillApp(t, db)

	tab, err := b.NewTab(url)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	tctx, cancel := context.WithTimeout(tab.Ctx, 2*time.Minute)
	defer cancel()
	dashboard := fmt.Sprintf("%s/?from=%s&to=%s", url, today.AddDays(-6), today)

	// clickPoint opens the dashboard, clicks series' point for day D with the mouse, where the
	// chart draws it, and returns the point's value and the page it landed on.
	clickPoint := func(series string, yFraction float64) (float64, string) {
		t.Helper()
		if err := chromedp.Do(tctx, chromedp.EmulateViewport(1440, 900), chromedp.Navigate(dashboard)); err != nil {
			t.Fatalf("open the dashboard: %v", err)
		}
		waitTrue(t, tctx, `(() => { const el = document.querySelector('[data-echarts="chart-daily"]');
			return !!(el && el.getAttribute('data-echarts-drawn') && echarts.getInstanceByDom(el)); })()`, "the daily chart to draw")
		if err := waitStill(tctx); err != nil {
			t.Fatal(err)
		}
		js := fmt.Sprintf(`(() => {
			const el = document.querySelector('[data-echarts="chart-daily"]');
			el.scrollIntoView({block: 'center'});
			const c = echarts.getInstanceByDom(el), o = c.getOption();
			const i = o.xAxis[0].data.indexOf(%q);
			const s = o.series.findIndex(s => s.name === %q);
			const d = o.series[s].data[i];
			const v = Number(typeof d === 'object' ? d.value : d);
			const p = c.convertToPixel({seriesIndex: s}, [i, v * %g]);
			const r = el.getBoundingClientRect();
			return JSON.stringify({x: r.left + p[0], y: r.top + p[1], value: v, index: i, drill: (d && d.drill) || ''});
		})()`, d.String(), series, yFraction)
		raw, err := chromedp.Run(tctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("find %s's point for %s: %v", series, d, err)
		}
		var pt struct {
			X, Y, Value float64
			Index       int
			Drill       string
		}
		if err := json.Unmarshal([]byte(raw), &pt); err != nil || pt.Index < 0 || pt.Drill == "" {
			t.Fatalf("%s's point for %s: %s (%v)", series, d, raw, err)
		}
		// As a person would: the pointer rests on the point (its tooltip shows, which must log
		// nothing), then clicks.
		if err := chromedp.Do(tctx, chromedp.MouseEvent(chromedp.MouseMoved, pt.X, pt.Y)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		if err := chromedp.Do(tctx, chromedp.MouseClickXY(pt.X, pt.Y)); err != nil {
			t.Fatalf("click %s at (%.0f, %.0f): %v", series, pt.X, pt.Y, err)
		}
		waitTrue(t, tctx, `location.pathname === '/transactions' && document.readyState === 'complete' && !!document.querySelector('[data-tx-count]')`,
			"the transactions page after clicking "+series)
		loc, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`location.pathname + location.search`))
		return pt.Value, loc
	}

	// readPage is the transactions page's count, sum and listed amounts, as numbers.
	readPage := func() (count int64, sum decimal.Decimal, listed decimal.Decimal, rows int, title string) {
		t.Helper()
		raw, err := chromedp.Run(tctx, chromedp.Evaluate[string](`JSON.stringify({
			count: document.querySelector('[data-tx-count]').textContent,
			sum: document.querySelector('[data-tx-sum]').textContent,
			amounts: Array.from(document.querySelectorAll('[data-tx-amount]')).map(e => e.textContent),
			title: document.querySelector('h1').textContent})`))
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Count, Sum, Title string
			Amounts           []string
		}
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			t.Fatal(err)
		}
		count = mustInt(t, p.Count)
		sum = mustRand(t, p.Sum)
		listed = decimal.Zero
		for _, a := range p.Amounts {
			listed = listed.Add(mustRand(t, a))
		}
		return count, sum, listed, len(p.Amounts), p.Title
	}

	// The bar: D's completed volume, clicked halfway up.
	value, loc := clickPoint("Completed volume", 0.5)
	count, sum, listed, rows, title := readPage()
	bar := decimal.NewFromFloat(value).Round(2)
	if !bar.Equal(decimal.RequireFromString("1660.74")) {
		t.Errorf("the bar for %s is %s; want 1 660.74 (the hand-made dataset)", d, bar)
	}
	if !sum.Equal(bar) || !listed.Equal(bar) || count != 4 || rows != 4 {
		t.Errorf("the bar shows %s; its page %s says %d payments, %s, and lists %d adding up to %s", bar, loc, count, sum, rows, listed)
	}
	if want := "Completed payments initiated on " + d.Time().Format("2 Jan 2006"); title != want {
		t.Errorf("the page is titled %q; want %q", title, want)
	}
	if !strings.Contains(loc, "status=COMPLETED") || !strings.Contains(loc, "from="+d.String()) || !strings.Contains(loc, "to="+d.String()) {
		t.Errorf("the bar led to %s", loc)
	}
	snap, err := tab.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range snap.Problems() {
		t.Errorf("dashboard → transactions: %s", p)
	}

	// The line: D's transactions, every status, clicked on the point.
	value, loc = clickPoint("Transactions", 1)
	count, sum, listed, rows, _ = readPage()
	if value != 6 || count != 6 || rows != 6 || !sum.Equal(decimal.RequireFromString("1785.74")) || !listed.Equal(sum) {
		t.Errorf("the line shows %v for %s; its page %s says %d payments, %s, and lists %d adding up to %s; want 6, 1 785.74",
			value, d, loc, count, sum, rows, listed)
	}

	// The page at three widths: nothing broken, its content inside the window on a phone (the
	// table scrolls in its own box).
	for _, w := range []int64{390, 1440, 1920} {
		if err := chromedp.Do(tctx, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		overflow, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`(() => {
			const m = document.querySelector('main');
			return m.scrollWidth > m.clientWidth || m.getBoundingClientRect().right > window.innerWidth;
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if overflow {
			t.Errorf("at %d px the transactions page's content is wider than the window", w)
		}
		boxed, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`(() => {
			const box = document.querySelector('.tx-scroll'), table = box && box.querySelector('table');
			return !!table && box.getBoundingClientRect().right <= window.innerWidth + 1;
		})()`))
		if err != nil || !boxed {
			t.Errorf("at %d px the table's box does not fit the window (%v)", w, err)
		}
		snap, err := tab.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		saveScreenshot(t, fmt.Sprintf("DrillDownTransactions_%d", w), snap.Screenshot)
		for _, p := range snap.Problems() {
			t.Errorf("at %d px: %s", w, p)
		}
	}
}

// On the operations dashboard, a minute of the per-minute chart (a line without markers: the
// click lands beside it) opens the payments initiated in that minute: three, in the chart
// (counted from the ClickHouse events) and on the page (the PostgreSQL rows).
func TestDrillDownFromTheOpsChart(t *testing.T) {
	now := time.Now()
	minute := now.Truncate(time.Minute).Add(-5 * time.Minute)
	db := dbtest.New(t)
	dbtest.Bank{Code: "ABSA", Start: "2025-01-01"}.Insert(t, db)
	dbtest.User{Name: "alice", Created: "2025-06-01 08:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2025-06-01 08:00:00"}.Insert(t, db)
	ctx := context.Background()
	batch, err := db.CH.PrepareBatch(ctx, `INSERT INTO transaction_events (event_id, transaction_id, user_id,
		event_type, timestamp, amount, currency, bank_id, device_type, channel, processing_time_ms,
		sentinel_score, failure_reason, error_code)`)
	if err != nil {
		t.Fatal(err)
	}
	for i, amount := range []string{"12.00", "30.50", "7.25"} {
		at := minute.Add(time.Duration(10*(i+1)) * time.Second)
		dbtest.Tx{From: "alice", To: "bob", Amount: amount, Status: "PENDING", At: at.In(calendar.SAST).Format("2006-01-02 15:04:05"), Bank: "ABSA"}.Insert(t, db)
		if err := batch.Append(uuid.New(), uuid.New(), dbtest.UserID("alice"), "initiated", at,
			decimal.RequireFromString(amount), "ZAR", "ABSA", "android", "online", uint32(0), float32(0), "", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
	url, b := drillApp(t, db)
	tab, err := b.NewTab(url)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	tctx, cancel := context.WithTimeout(tab.Ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(1440, 900), chromedp.Navigate(url+"/ops")); err != nil {
		t.Fatal(err)
	}
	waitTrue(t, tctx, `(() => { const el = document.querySelector('[data-echarts="chart-ops-tpm"]');
		return !!(el && el.getAttribute('data-echarts-drawn') && echarts.getInstanceByDom(el)); })()`, "the per-minute chart to draw")
	if err := waitStill(tctx); err != nil {
		t.Fatal(err)
	}
	label := minute.In(calendar.SAST).Format("15:04")
	raw, err := chromedp.Run(tctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const el = document.querySelector('[data-echarts="chart-ops-tpm"]');
		el.scrollIntoView({block: 'center'});
		const c = echarts.getInstanceByDom(el), o = c.getOption();
		const i = o.xAxis[0].data.indexOf(%q);
		const d = o.series[0].data[i];
		const v = Number(typeof d === 'object' ? d.value : d);
		const p = c.convertToPixel({seriesIndex: 0}, [i, 0]);
		const top = c.convertToPixel({seriesIndex: 0}, [i, v]);
		const r = el.getBoundingClientRect();
		return JSON.stringify({x: r.left + p[0], y: r.top + (p[1] + top[1]) / 2 - 30, value: v, index: i});
	})()`, label)))
	if err != nil {
		t.Fatal(err)
	}
	var pt struct {
		X, Y, Value float64
		Index       int
	}
	if err := json.Unmarshal([]byte(raw), &pt); err != nil || pt.Index < 0 {
		t.Fatalf("the minute %s on the chart: %s (%v)", label, raw, err)
	}
	if pt.Value != 3 {
		t.Errorf("the chart shows %v payments at %s; want 3", pt.Value, label)
	}
	if err := chromedp.Do(tctx, chromedp.MouseClickXY(pt.X, pt.Y)); err != nil {
		t.Fatal(err)
	}
	waitTrue(t, tctx, `location.pathname === '/transactions' && !!document.querySelector('[data-tx-count]')`, "the transactions page after clicking the minute")
	got, err := chromedp.Run(tctx, chromedp.Evaluate[string](`[document.querySelector('[data-tx-count]').textContent,
		document.querySelector('[data-tx-sum]').textContent, document.querySelector('h1').textContent].join('|')`))
	if err != nil {
		t.Fatal(err)
	}
	want := "3|R\u00a049.75|All payments initiated in the minute " + label + "–" + minute.Add(time.Minute).In(calendar.SAST).Format("15:04") +
		" SAST on " + calendar.DateOf(minute).Time().Format("2 Jan 2006")
	if got != want {
		t.Errorf("the minute's page says %q; want %q", got, want)
	}
	snap, err := tab.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range snap.Problems() {
		t.Errorf("ops → transactions: %s", p)
	}
}

// drillApp serves the app on db (no demo data) and returns its address and a browser signed
// in as an executive.
func drillApp(t *testing.T, db *dbtest.DB) (string, *browser.Browser) {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	params := auth.TestHashParams
	srv := httptest.NewServer(web.NewServer(web.Deps{
		Config: web.Config{PanelTimeout: 5 * time.Second}, PG: db.PG, CH: db.CH, Log: logger, PasswordParams: &params,
	}))
	t.Cleanup(srv.Close)
	svc := &auth.Service{DB: db.PG, Params: auth.TestHashParams}
	acc, once, err := svc.Create(ctx, auth.Actor{Email: "e2e"}, "exec@mari.example", "Executive", auth.RoleExecutive)
	if err != nil {
		t.Fatal(err)
	}
	password := "executive password " + once
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
	return srv.URL, b
}

// waitTrue polls js until it is true.
func waitTrue(t *testing.T, ctx context.Context, js, what string) {
	t.Helper()
	deadline := time.Now().Add(PageTimeout)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s (%v)", PageTimeout, what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitStill waits until the charts' canvases stop changing (ECharts animates its first draw),
// so a point is clicked where it ends up.
func waitStill(ctx context.Context) error {
	last, same := "", 0
	for i := 0; i < 50 && same < 2; i++ {
		fp, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('[data-echarts] canvas')).map(c => c.toDataURL().length + ':' + c.toDataURL().slice(-64)).join('|')`))
		if err != nil {
			return err
		}
		if fp == last {
			same++
		} else {
			last, same = fp, 0
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	d, err := decimal.NewFromString(strings.ReplaceAll(s, "\u00a0", ""))
	if err != nil {
		t.Fatalf("%q is not a count", s)
	}
	return d.IntPart()
}

// mustRand reads "R 1 234.56" (no-break spaces) as an exact amount.
func mustRand(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(strings.ReplaceAll(strings.TrimPrefix(s, "R"), "\u00a0", ""))
	if err != nil {
		t.Fatalf("%q is not an amount in rand", s)
	}
	return d
}
