package handlers

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/dbconn"
	"mari/dbtest"
	"mari/queries"
)

// opsNow is 2026-03-15 10:30:20 SAST: the current minute is 10:30, the 60-minute window is
// 09:31–10:30, the 24-hour window starts 2026-03-14 10:31, the hourly chart 2026-03-14 11:00.
var opsNow = sast("2026-03-15 10:30:20")

type opsEvent struct {
	typ, at       string
	ms            uint32
	reason        string
	bank, channel string // "" for BANKA, online
}

// opsEvents is the hand-worked dataset of the ops tests (all times SAST):
//
//	initiated 09:30:30 ×5        one minute before the window: not counted
//	initiated 09:31:00 ×1        first minute of the window
//	initiated 10:28:xx ×3
//	          10:29              no events: the empty minute, shown as 0
//	initiated 10:30:05, 10:30:10 the current minute: 2
//	initiated 2026-03-08 10:30 ×4  same minute last week: 4
//	completed 2026-03-14 10:30:00 (9 999 ms)  just before the 24 h window: not counted
//	completed 10:05–10:09 ×5 with 100, 200, 300, 400, 500 ms   (hour 10:00)
//	completed 08:10 ×2 with 1 000 ms; failed 08:20 ×3 with 3 000 ms: 2 insufficient_funds,
//	          1 bank_timeout                                     (hour 08:00)
//
// → 24 h: 7 completed, 3 failed: success rate 7/10 = 70%; error rate insufficient_funds
// 2/10 = 20%, bank_timeout 1/10 = 10%. Hour 08:00: p50 = p95 = 3 000 ms (three of five
// values are 3 000, so every estimate agrees); hour 10:00: p50 = 300 ms; hour 09:00: a gap.
var opsEvents = []opsEvent{
	{"initiated", "2026-03-15 09:30:30", 0, "", "", ""}, {"initiated", "2026-03-15 09:30:31", 0, "", "", ""},
	{"initiated", "2026-03-15 09:30:32", 0, "", "", ""}, {"initiated", "2026-03-15 09:30:33", 0, "", "", ""},
	{"initiated", "2026-03-15 09:30:34", 0, "", "", ""},
	{"initiated", "2026-03-15 09:31:00", 0, "", "", ""},
	{"initiated", "2026-03-15 10:28:00", 0, "", "", ""}, {"initiated", "2026-03-15 10:28:30", 0, "", "", ""},
	{"initiated", "2026-03-15 10:28:59", 0, "", "", ""},
	{"initiated", "2026-03-15 10:30:05", 0, "", "", ""}, {"initiated", "2026-03-15 10:30:10", 0, "", "", ""},
	{"initiated", "2026-03-08 10:30:00", 0, "", "", ""}, {"initiated", "2026-03-08 10:30:15", 0, "", "", ""},
	{"initiated", "2026-03-08 10:30:30", 0, "", "", ""}, {"initiated", "2026-03-08 10:30:59", 0, "", "", ""},
	{"completed", "2026-03-14 10:30:00", 9999, "", "", ""},
	{"completed", "2026-03-15 10:05:00", 100, "", "", ""}, {"completed", "2026-03-15 10:06:00", 200, "", "", ""},
	{"completed", "2026-03-15 10:07:00", 300, "", "", ""}, {"completed", "2026-03-15 10:08:00", 400, "", "", ""},
	{"completed", "2026-03-15 10:09:00", 500, "", "", ""},
	{"completed", "2026-03-15 08:10:00", 1000, "", "", ""}, {"completed", "2026-03-15 08:10:30", 1000, "", "", ""},
	{"failed", "2026-03-15 08:20:00", 3000, "insufficient_funds", "", ""},
	{"failed", "2026-03-15 08:20:10", 3000, "insufficient_funds", "", ""},
	{"failed", "2026-03-15 08:20:20", 3000, "bank_timeout", "", ""},
}

// insertOpsEvents writes events through PrepareBatch (the only insert 18.16 takes).
func insertOpsEvents(t *testing.T, ch driver.Conn, events []opsEvent) {
	t.Helper()
	ctx := context.Background()
	batch, err := ch.PrepareBatch(ctx, `INSERT INTO transaction_events (event_id, transaction_id, user_id,
		event_type, timestamp, amount, currency, bank_id, device_type, channel, processing_time_ms,
		sentinel_score, failure_reason, error_code)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		code := ""
		if e.reason != "" {
			code = "E1"
		}
		bank, channel := e.bank, e.channel
		if bank == "" {
			bank = "BANKA"
		}
		if channel == "" {
			channel = "online"
		}
		if err := batch.Append(uuid.New(), uuid.New(), uid("ops"), e.typ, sast(e.at),
			decimal.RequireFromString("10.00"), "ZAR", bank, "android", channel, e.ms, float32(0), e.reason, code); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
}

func newOps(db *dbtest.DB, now time.Time) *Ops {
	return NewOps(queries.Ops{CH: db.CH}, queries.OpsState{PG: db.PG}, OpsOptions{PanelTimeout: 5 * time.Second, Now: func() time.Time { return now }})
}

func TestOpsPanelsHandWorked(t *testing.T) {
	db := dbtest.New(t)
	insertOpsEvents(t, db.CH, opsEvents)
	d := newOps(db, opsNow).load(context.Background(), queries.OpsFilter{})
	for name, err := range map[string]string{"tpm": d.tpm.Err, "final": d.final.Err, "latency": d.latency.Err, "week": d.week.Err, "newest": d.newest.Err} {
		if err != "" {
			t.Fatalf("panel %s unavailable: %s", name, err)
		}
	}

	// Per minute: 60 minutes 09:31 … 10:30, 1 at 09:31, 3 at 10:28, 0 at 10:29, 2 at 10:30.
	if len(d.tpm.V) != 60 {
		t.Fatalf("%d minutes; want 60", len(d.tpm.V))
	}
	want := map[string]uint64{"09:31": 1, "10:28": 3, "10:29": 0, "10:30": 2}
	var total uint64
	for i, m := range d.tpm.V {
		label := sastClock(m.Minute, "15:04")
		if i == 0 && label != "09:31" || i == 59 && label != "10:30" {
			t.Errorf("minute %d is %s", i, label)
		}
		if w, ok := want[label]; ok && m.Events != w {
			t.Errorf("%s: %d initiated; want %d", label, m.Events, w)
		}
		total += m.Events
	}
	if total != 6 {
		t.Errorf("60-minute total %d; want 6 (the 5 at 09:30 are outside)", total)
	}

	// Success rate: 7 completed, 3 failed (the completed event at 10:30 yesterday is outside).
	if d.final.V.Completed != 7 || d.final.V.Failed != 3 {
		t.Errorf("24 h: %d completed, %d failed; want 7, 3", d.final.V.Completed, d.final.V.Failed)
	}
	if r, _ := ratio(d.final.V.Completed, d.final.V.Completed+d.final.V.Failed); r != 0.7 {
		t.Errorf("success rate %v; want 0.7", r)
	}
	rates := reasonRates(d.final.V)
	if len(rates) != 2 || rates[0].Reason != "insufficient_funds" || rates[0].Rate != 0.2 ||
		rates[1].Reason != "bank_timeout" || rates[1].Rate != 0.1 {
		t.Errorf("error rates %+v; want insufficient_funds 0.2, bank_timeout 0.1", rates)
	}

	// Processing time: 24 hours from 11:00 yesterday; 08:00 p50 = p95 = 3000, 09:00 a gap,
	// 10:00 p50 300 and p95 500. Exact, not within a tolerance: with five values per hour
	// every value is its own t-digest centroid, and ClickHouse's t-digest then returns the
	// nearest-rank value (p95 of 100..500 = 500).
	if len(d.latency.V) != 24 || sastClock(d.latency.V[0].Hour, "01-02 15:04") != "03-14 11:00" {
		t.Fatalf("hours: %d from %v", len(d.latency.V), d.latency.V[0].Hour)
	}
	hours := map[string]queries.HourLatency{}
	for _, h := range d.latency.V {
		hours[sastClock(h.Hour, "15:04")] = h
	}
	if h := hours["08:00"]; h.P50 != 3000 || h.P95 != 3000 {
		t.Errorf("08:00: p50 %v p95 %v; want 3000, 3000", h.P50, h.P95)
	}
	if h := hours["09:00"]; !math.IsNaN(h.P50) || !math.IsNaN(h.P95) {
		t.Errorf("09:00 has no final events but shows p50 %v p95 %v", h.P50, h.P95)
	}
	h10 := hours["10:00"]
	if h10.P50 != 300 || h10.P95 != 500 {
		t.Errorf("10:00: p50 %v p95 %v; want 300, 500", h10.P50, h10.P95)
	}

	// This minute against the same minute last week.
	if d.week.V.Current != 2 || d.week.V.LastWeek != 4 {
		t.Errorf("minute vs week %+v; want 2 and 4", d.week.V)
	}
	if txt := opsText(d); txt["week.change"] != "-50.0% vs last week" || txt["success.rate"] != "70.00%" {
		t.Errorf("text %q, %q", txt["week.change"], txt["success.rate"])
	}
	// Newest event: minute 10:30, which has not ended at 10:30:20: age 0, fresh.
	if sastClock(d.newest.V.Minute, "15:04") != "10:30" || freshnessOf(d) != "fresh" {
		t.Errorf("newest %v, %s", d.newest.V.Minute, freshnessOf(d))
	}
}

// The indicator: amber after a minute without events, red after five.
func TestOpsFreshness(t *testing.T) {
	db := dbtest.New(t)
	insertOpsEvents(t, db.CH, opsEvents)
	for _, c := range []struct{ at, want, age string }{
		{"2026-03-15 10:31:59", "fresh", "59s ago"},
		{"2026-03-15 10:32:30", "amber", "1m 30s ago"},
		{"2026-03-15 10:36:00", "red", "5m 00s ago"},
	} {
		d := newOps(db, sast(c.at)).load(context.Background(), queries.OpsFilter{})
		if got := freshnessOf(d); got != c.want || opsText(d)["newest.age"] != c.age {
			t.Errorf("at %s: %s, %q; want %s, %q", c.at, got, opsText(d)["newest.age"], c.want, c.age)
		}
	}
}

func opsGet(t *testing.T, h echo.HandlerFunc, target string, params ...string) *httptest.ResponseRecorder {
	t.Helper()
	e := echo.New()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	rec := httptest.NewRecorder()
	c := e.NewContext(req, rec)
	if len(params) == 2 {
		c.SetParamNames(params[0])
		c.SetParamValues(params[1])
	}
	if err := h(c); err != nil {
		e.HTTPErrorHandler(err, c)
	}
	return rec
}

func TestOpsDataJSON(t *testing.T) {
	db := dbtest.New(t)
	insertOpsEvents(t, db.CH, opsEvents)
	rec := opsGet(t, newOps(db, opsNow).Data, "/ops/data")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var j opsJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	n := j.Numbers
	if len(n.PerMinute) != 60 || n.PerMinute[0] != 1 || n.PerMinute[57] != 3 || n.PerMinute[58] != 0 || n.PerMinute[59] != 2 ||
		n.Minutes[58] != "10:29" {
		t.Errorf("per minute %v %v", n.PerMinute, n.Minutes)
	}
	if n.Completed24h != 7 || n.Failed24h != 3 || n.SuccessRate == nil || *n.SuccessRate != 0.7 {
		t.Errorf("success %d %d %v", n.Completed24h, n.Failed24h, n.SuccessRate)
	}
	if strings.Join(n.ErrorReasons, ",") != "insufficient_funds,bank_timeout" || n.ErrorRates[0] != 0.2 || n.ErrorRates[1] != 0.1 {
		t.Errorf("errors %v %v", n.ErrorReasons, n.ErrorRates)
	}
	if n.MinuteNow != 2 || n.MinuteLastWeek != 4 {
		t.Errorf("week %d %d", n.MinuteNow, n.MinuteLastWeek)
	}
	if n.Hours[21] != "08:00" || *n.P95[21] != 3000 || n.P50[22] != nil {
		t.Errorf("hours %v p95[21] %v p50[22] %v", n.Hours, n.P95[21], n.P50[22])
	}
	if j.UpdatedSAST != "10:30:20" || j.NewestAgeSec == nil || *j.NewestAgeSec != 0 || len(j.Unavailable) != 0 || j.Freshness != "fresh" {
		t.Errorf("meta %+v", j)
	}
	// The chart patch is the same numbers.
	if s, _ := json.Marshal(j.Panels["success"].Update); !strings.Contains(string(s), `"value":70`) {
		t.Errorf("gauge patch %s", s)
	}
}

func TestOpsCSV(t *testing.T) {
	db := dbtest.New(t)
	insertOpsEvents(t, db.CH, opsEvents)
	h := newOps(db, opsNow)
	read := func(file string) [][]string {
		rec := opsGet(t, h.CSV, "/ops/"+file, "file", file)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", file, rec.Code, rec.Body)
		}
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	tpm := read("tpm.csv")
	if len(tpm) != 61 || strings.Join(tpm[1], ",") != "2026-03-15 09:31,1" || strings.Join(tpm[59], ",") != "2026-03-15 10:29,0" ||
		strings.Join(tpm[60], ",") != "2026-03-15 10:30,2" {
		t.Errorf("tpm.csv: %d rows, %v … %v %v", len(tpm), tpm[1], tpm[59], tpm[60])
	}
	if s := read("success.csv"); strings.Join(s[1], ",") != "2026-03-14 10:31 to 2026-03-15 10:31,7,3,0.700000" {
		t.Errorf("success.csv %v", s)
	}
	if e := read("errors.csv"); len(e) != 3 || strings.Join(e[1], ",") != "insufficient_funds,2,10,0.200000" || strings.Join(e[2], ",") != "bank_timeout,1,10,0.100000" {
		t.Errorf("errors.csv %v", e)
	}
	if w := read("week.csv"); strings.Join(w[1], ",") != "2026-03-15 10:30,2,2026-03-08 10:30,4" {
		t.Errorf("week.csv %v", w)
	}
	l := read("latency.csv")
	if len(l) != 25 || strings.Join(l[22], ",") != "2026-03-15 08:00,3000.0,3000.0" || strings.Join(l[23], ",") != "2026-03-15 09:00,," {
		t.Errorf("latency.csv %v", l)
	}
	if rec := opsGet(t, h.CSV, "/ops/nope.csv", "file", "nope.csv"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown panel: %d", rec.Code)
	}
}

// ClickHouse down: every panel says why, the JSON lists them, nothing panics.
func TestOpsClickHouseDown(t *testing.T) {
	dead, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{Addr: "127.0.0.1:1", Database: "default", User: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dead.Close() })
	db := dbtest.New(t)
	seedOpsState(t, db)
	h := NewOps(queries.Ops{CH: dead}, queries.OpsState{PG: db.PG}, OpsOptions{PanelTimeout: 2 * time.Second, Now: func() time.Time { return opsNow }})
	rec := opsGet(t, h.Data, "/ops/data")
	var j opsJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%d %v %s", rec.Code, err, rec.Body)
	}
	if len(j.Unavailable) != 6 || !strings.Contains(j.SourceMessage, "ClickHouse") {
		t.Errorf("unavailable %v, message %q", j.Unavailable, j.SourceMessage)
	}
	// The PostgreSQL tiles do not depend on ClickHouse.
	if j.Numbers.OpenIncidents != 2 || j.Numbers.StuckPending != 2 || j.Text["incidents.open"] != "2" {
		t.Errorf("PostgreSQL tiles with ClickHouse down: %+v %q", j.Numbers, j.Text["incidents.open"])
	}
	page := opsGet(t, h.Page, "/ops?wall=1")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "source unavailable") ||
		!strings.Contains(page.Body.String(), "data-ops-reason>ClickHouse is unreachable") {
		t.Errorf("page %d:\n%s", page.Code, page.Body)
	}
	if rec := opsGet(t, h.CSV, "/ops/tpm.csv", "file", "tpm.csv"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("CSV with ClickHouse down: %d", rec.Code)
	}
}

// seedOpsState writes the PostgreSQL side the wall screen reads, around opsNow (10:30:20 SAST):
// two open incidents (a minor one since 08:00 and a critical one since 09:00), one that ended,
// and one that starts after now; two payments pending since before 10:20:20 (10:05 and
// 10:20:19), one pending since 10:25 (not stuck yet), and a completed one from 09:00.
func seedOpsState(t *testing.T, db *dbtest.DB) {
	t.Helper()
	db.Exec(t, `INSERT INTO incidents (title, severity, is_outage, started_at, ended_at) VALUES
		('Slow SMS gateway', 'minor', false, $1, NULL),
		('Bank API down', 'critical', true, $2, NULL),
		('Old outage', 'major', true, $3, $4),
		('Planned maintenance', 'major', false, $5, NULL)`,
		sast("2026-03-15 08:00:00"), sast("2026-03-15 09:00:00"), sast("2026-03-14 09:00:00"),
		sast("2026-03-14 10:00:00"), sast("2026-03-15 11:00:00"))
	for _, u := range []string{"p1", "p2"} {
		db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at, last_active)
			VALUES ($1, $2, $3, 'key', $4, $4)`, uid(u), "phone-"+u, "blood-"+u, sast("2026-03-01 10:00:00"))
	}
	for i, x := range []struct{ status, at string }{
		{"PENDING", "2026-03-15 10:05:00"}, {"PENDING", "2026-03-15 10:20:19"},
		{"PENDING", "2026-03-15 10:25:00"}, {"COMPLETED", "2026-03-15 09:00:00"},
	} {
		var completed any
		if x.status != "PENDING" {
			completed = sast(x.at)
		}
		db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, created_at, completed_at, channel)
			VALUES ($1, $2, 10.00, $3, $4, $5, $6, 'online')`, uid("p1"), uid("p2"), x.status, fmt.Sprintf("seal-p%d", i), sast(x.at), completed)
	}
}

func TestOpsPostgresTilesHandWorked(t *testing.T) {
	db := dbtest.New(t)
	seedOpsState(t, db)
	d := newOps(db, opsNow).load(context.Background(), queries.OpsFilter{})
	if d.incidents.Err != "" || d.stuck.Err != "" {
		t.Fatalf("unavailable: %q %q", d.incidents.Err, d.stuck.Err)
	}
	if inc := d.incidents.V; inc.Count != 2 || inc.Title != "Bank API down" || inc.Severity != "critical" {
		t.Errorf("open incidents %+v; want 2, the critical 'Bank API down' named", inc)
	}
	if st := d.stuck.V; st.Count != 2 || !st.Oldest.Equal(sast("2026-03-15 10:05:00")) {
		t.Errorf("stuck %+v; want 2, oldest 10:05", st)
	}
	text := opsText(d)
	for k, want := range map[string]string{
		"incidents.open":   "2",
		"incidents.detail": "critical: Bank API down, since 09:00 (+1 more)",
		"pending.stuck":    "2",
		"pending.detail":   "oldest started 25m 20s ago",
	} {
		if text[k] != want {
			t.Errorf("%s = %q; want %q", k, text[k], want)
		}
	}
	// Nothing open, nothing stuck: real zeros, said in words.
	empty := newOps(dbtest.New(t), opsNow).load(context.Background(), queries.OpsFilter{})
	text = opsText(empty)
	if text["incidents.open"] != "0" || text["incidents.detail"] != "none open" || text["pending.stuck"] != "0" {
		t.Errorf("empty database: %v", text)
	}
}

// The bank and channel filter narrows every panel but the stream's freshness. On top of the
// hand-worked dataset (all BANKA, online), BANKB adds offline SMS events: initiated 10:30:01
// and 10:30:02 (this minute), 2026-03-08 10:30:40 (same minute last week), completed 10:10
// (700 ms) and failed 10:11 (bank_timeout, 900 ms).
func TestOpsFilterByBankAndChannel(t *testing.T) {
	db := dbtest.New(t)
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date) VALUES
		('Bank A', 'BANKA', 'active', '2025-01-01'), ('Bank B', 'BANKB', 'active', '2025-01-01')`)
	insertOpsEvents(t, db.CH, append(append([]opsEvent{}, opsEvents...),
		opsEvent{"initiated", "2026-03-15 10:30:01", 0, "", "BANKB", "offline_sms"},
		opsEvent{"initiated", "2026-03-15 10:30:02", 0, "", "BANKB", "offline_sms"},
		opsEvent{"initiated", "2026-03-08 10:30:40", 0, "", "BANKB", "offline_sms"},
		opsEvent{"completed", "2026-03-15 10:10:00", 700, "", "BANKB", "offline_sms"},
		opsEvent{"failed", "2026-03-15 10:11:00", 900, "bank_timeout", "BANKB", "offline_sms"},
	))
	h := newOps(db, opsNow)
	data := func(target string) opsJSON {
		t.Helper()
		rec := opsGet(t, h.Data, target)
		var j opsJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %v %s", target, rec.Code, err, rec.Body)
		}
		return j
	}
	sum := func(xs []uint64) (n uint64) {
		for _, x := range xs {
			n += x
		}
		return n
	}
	// Everything: 6 + 2 initiated in the hour; 8 completed, 4 failed in 24 h; 2 + 2 this minute.
	all := data("/ops/data")
	if sum(all.Numbers.PerMinute) != 8 || all.Numbers.Completed24h != 8 || all.Numbers.Failed24h != 4 || all.Numbers.MinuteNow != 4 || all.Numbers.MinuteLastWeek != 5 {
		t.Errorf("all: %+v", all.Numbers)
	}
	for _, c := range []struct {
		target                               string
		initiated, completed, failed, now, w uint64
	}{
		{"/ops/data?bank=BANKB", 2, 1, 1, 2, 1},
		{"/ops/data?channel=offline_sms", 2, 1, 1, 2, 1},
		{"/ops/data?bank=BANKA&channel=online", 6, 7, 3, 2, 4},
		{"/ops/data?bank=BANKA&channel=offline_sms", 0, 0, 0, 0, 0},
	} {
		j := data(c.target)
		n := j.Numbers
		if sum(n.PerMinute) != c.initiated || n.Completed24h != c.completed || n.Failed24h != c.failed || n.MinuteNow != c.now || n.MinuteLastWeek != c.w {
			t.Errorf("%s: initiated %d, completed %d, failed %d, minute %d vs %d; want %d, %d, %d, %d vs %d", c.target,
				sum(n.PerMinute), n.Completed24h, n.Failed24h, n.MinuteNow, n.MinuteLastWeek, c.initiated, c.completed, c.failed, c.now, c.w)
		}
		// The stream's freshness is the whole stream's: the newest minute is 10:30 whatever the filter.
		if j.NewestMinute != "10:30" {
			t.Errorf("%s: newest minute %q", c.target, j.NewestMinute)
		}
	}
	// BANKB's hour 10:00 holds 700 and 900 ms: p95 is the larger (nearest rank on two values).
	if p95 := data("/ops/data?bank=BANKB").Numbers.P95; p95[len(p95)-1] == nil || *p95[len(p95)-1] != 900 {
		t.Errorf("BANKB p95 this hour: %v", p95[len(p95)-1])
	}
	// The page carries the filter into its refresh address, wall-screen link and CSVs.
	page := opsGet(t, h.Page, "/ops?bank=BANKB&channel=offline_sms")
	body := page.Body.String()
	for _, want := range []string{`data-ops-data="/ops/data?bank=BANKB&amp;channel=offline_sms"`, `href="/ops?wall=1&amp;bank=BANKB&amp;channel=offline_sms"`,
		`/ops/tpm.csv?bank=BANKB&amp;channel=offline_sms`, "Operations · Bank B · Offline (SMS)"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	csv := opsGet(t, h.CSV, "/ops/errors.csv?bank=BANKB", "file", "errors.csv")
	if csv.Code != http.StatusOK || !strings.Contains(csv.Body.String(), "bank_timeout,1,") {
		t.Errorf("BANKB errors CSV %d:\n%s", csv.Code, csv.Body)
	}
	// Bad filters: a clear 400.
	for target, want := range map[string]string{
		"/ops/data?bank=NOPE":              "Unknown bank code",
		"/ops/data?bank=%3Cscript%3E":      "is not a bank code",
		"/ops/data?channel=carrier_pigeon": "Unknown channel",
		"/ops/data?bank=BANKA&bank=BANKB":  "at most one bank",
	} {
		rec := opsGet(t, h.Data, target)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d %s; want a 400 saying %q", target, rec.Code, rec.Body, want)
		}
	}
}

// countingOps counts the ClickHouse loads behind the real statements.
type countingOps struct {
	queries.Ops
	mu    sync.Mutex
	loads int
}

func (c *countingOps) InitiatedPerMinute(ctx context.Context, from, to time.Time, f queries.OpsFilter) ([]queries.MinuteCount, error) {
	c.mu.Lock()
	c.loads++
	c.mu.Unlock()
	return c.Ops.InitiatedPerMinute(ctx, from, to, f)
}

// Screens polling the same filter share one load for opsCacheFor; a new filter, an expired
// load or a failed one loads again.
func TestOpsLoadsAreSharedBetweenViewers(t *testing.T) {
	db := dbtest.New(t)
	insertOpsEvents(t, db.CH, opsEvents)
	src := &countingOps{Ops: queries.Ops{CH: db.CH}}
	h := NewOps(src, queries.OpsState{PG: db.PG}, OpsOptions{PanelTimeout: 5 * time.Second, Now: func() time.Time { return opsNow }})
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if rec := opsGet(t, h.Data, "/ops/data"); rec.Code != http.StatusOK {
				t.Errorf("%d", rec.Code)
			}
		}()
	}
	wg.Wait()
	if src.loads != 1 {
		t.Errorf("10 concurrent viewers caused %d loads; want 1", src.loads)
	}
	opsGet(t, h.Page, "/ops")
	opsGet(t, h.Data, "/ops/data?channel=online")
	if src.loads != 2 {
		t.Errorf("after the page (shared) and another filter: %d loads; want 2", src.loads)
	}
	// Expire the shared load: the next poll loads again.
	h.cache.mu.Lock()
	for _, e := range h.cache.entries {
		e.loaded = e.loaded.Add(-opsCacheFor)
	}
	h.cache.mu.Unlock()
	opsGet(t, h.Data, "/ops/data")
	if src.loads != 3 {
		t.Errorf("after expiry: %d loads; want 3", src.loads)
	}
	// A load with a failed panel is not shared: the next poll tries again.
	dead, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{Addr: "127.0.0.1:1", Database: "default", User: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dead.Close() })
	down := &countingOps{Ops: queries.Ops{CH: dead}}
	hd := NewOps(down, queries.OpsState{PG: db.PG}, OpsOptions{PanelTimeout: 2 * time.Second, Now: func() time.Time { return opsNow }})
	opsGet(t, hd.Data, "/ops/data")
	opsGet(t, hd.Data, "/ops/data")
	if down.loads != 2 {
		t.Errorf("failed loads were shared: %d loads; want 2", down.loads)
	}
}
