package handlers

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/chtest"
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
//	initiated 10:30:05, 10:30:10 the current minute: 2 (not compared: it has only begun)
//	initiated 2026-03-08 10:29 ×4  the last full minute (10:29) a week earlier: 4
//	completed 2026-03-14 10:30:00 (9 999 ms)  just before the 24 h window: not counted
//	completed 10:05–10:09 ×5 with 100, 200, 300, 400, 500 ms   (hour 10:00)
//	completed 08:10 ×2 with 1 000 ms; failed 08:20 ×3 with 3 000 ms: 2 insufficient_funds,
//	          1 bank_timeout                                     (hour 08:00)
//
// → 24 h: 7 completed, 3 failed: success rate 7/10 = 70%; error rate insufficient_funds
// 2/10 = 20%, bank_timeout 1/10 = 10%. Hour 08:00: 1 000 1 000 3 000 3 000 3 000, so p50
// (rank 3) = p95 (rank 5) = 3 000 ms; hour 10:00: p50 300 ms (rank 3), p95 500 ms (rank 5);
// hour 09:00: a gap.
var opsEvents = []opsEvent{
	{"initiated", "2026-03-15 09:30:30", 0, "", "", ""}, {"initiated", "2026-03-15 09:30:31", 0, "", "", ""},
	{"initiated", "2026-03-15 09:30:32", 0, "", "", ""}, {"initiated", "2026-03-15 09:30:33", 0, "", "", ""},
	{"initiated", "2026-03-15 09:30:34", 0, "", "", ""},
	{"initiated", "2026-03-15 09:31:00", 0, "", "", ""},
	{"initiated", "2026-03-15 10:28:00", 0, "", "", ""}, {"initiated", "2026-03-15 10:28:30", 0, "", "", ""},
	{"initiated", "2026-03-15 10:28:59", 0, "", "", ""},
	{"initiated", "2026-03-15 10:30:05", 0, "", "", ""}, {"initiated", "2026-03-15 10:30:10", 0, "", "", ""},
	{"initiated", "2026-03-08 10:29:00", 0, "", "", ""}, {"initiated", "2026-03-08 10:29:15", 0, "", "", ""},
	{"initiated", "2026-03-08 10:29:30", 0, "", "", ""}, {"initiated", "2026-03-08 10:29:59", 0, "", "", ""},
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

// loadData is one load of every panel, as the refresh sends it.
func loadData(h *Ops, f queries.OpsFilter) opsJSON {
	return opsData(h.load(context.Background(), f, false))
}

func TestOpsPanelsHandWorked(t *testing.T) {
	db := dbtest.New(t)
	insertOpsEvents(t, db.CH, opsEvents)
	j := loadData(newOps(db, opsNow), queries.OpsFilter{})
	if len(j.Unavailable) != 0 {
		t.Fatalf("panels unavailable: %v (%s)", j.Unavailable, j.SourceMessage)
	}
	n := j.Numbers

	// Per minute: 60 minutes 09:31 … 10:30, 1 at 09:31, 3 at 10:28, 0 at 10:29, 2 at 10:30.
	if len(n.PerMinute) != 60 || n.Minutes[0] != "09:31" || n.Minutes[59] != "10:30" {
		t.Fatalf("%d minutes, %v … %v; want 60, 09:31 … 10:30", len(n.PerMinute), n.Minutes[0], n.Minutes[len(n.Minutes)-1])
	}
	want := map[string]uint64{"09:31": 1, "10:28": 3, "10:29": 0, "10:30": 2}
	var total uint64
	for i, m := range n.Minutes {
		if w, ok := want[m]; ok && n.PerMinute[i] != w {
			t.Errorf("%s: %d initiated; want %d", m, n.PerMinute[i], w)
		}
		total += n.PerMinute[i]
	}
	if total != 6 || j.Text["tpm.total"] != "6" || j.Text["tpm.avg"] != "0.1 per minute on average" {
		t.Errorf("60-minute total %d, tile %q %q; want 6 (the 5 at 09:30 are outside), 0.1 per minute", total, j.Text["tpm.total"], j.Text["tpm.avg"])
	}

	// Success rate: 7 completed, 3 failed (the completed event at 10:30 yesterday is outside).
	if n.Completed24h != 7 || n.Failed24h != 3 || n.SuccessRate == nil || *n.SuccessRate != 0.7 {
		t.Errorf("24 h: %d completed, %d failed, rate %v; want 7, 3, 0.7", n.Completed24h, n.Failed24h, n.SuccessRate)
	}
	if j.Text["success.rate"] != "70.00%" || j.Text["success.detail"] != "7 completed · 3 failed" {
		t.Errorf("success tile %q, %q", j.Text["success.rate"], j.Text["success.detail"])
	}
	if strings.Join(n.ErrorReasons, ",") != "insufficient_funds,bank_timeout" || len(n.ErrorRates) != 2 || n.ErrorRates[0] != 0.2 || n.ErrorRates[1] != 0.1 {
		t.Errorf("error rates %v %v; want insufficient_funds 0.2, bank_timeout 0.1", n.ErrorReasons, n.ErrorRates)
	}

	// Processing time: 24 hours from 11:00 yesterday; 08:00 p50 = p95 = 3000, 09:00 a gap,
	// 10:00 p50 300 and p95 500: nearest rank, exact.
	if len(n.Hours) != 24 || n.Hours[0] != "11:00" || n.Hours[23] != "10:00" {
		t.Fatalf("hours: %v", n.Hours)
	}
	for _, c := range []struct {
		i           int
		events      uint64
		p50, p95    int64
		hour, empty string
	}{{i: 21, hour: "08:00", events: 5, p50: 3000, p95: 3000}, {i: 22, hour: "09:00"}, {i: 23, hour: "10:00", events: 5, p50: 300, p95: 500}} {
		if n.Hours[c.i] != c.hour || n.HourEvents[c.i] != c.events {
			t.Errorf("%s: %d events; want %d", n.Hours[c.i], n.HourEvents[c.i], c.events)
		}
		if c.events == 0 {
			if n.P50[c.i] != nil || n.P95[c.i] != nil {
				t.Errorf("%s has no final events but shows p50 %v p95 %v", c.hour, n.P50[c.i], n.P95[c.i])
			}
		} else if n.P50[c.i] == nil || *n.P50[c.i] != c.p50 || *n.P95[c.i] != c.p95 {
			t.Errorf("%s: p50 %v p95 %v; want %d, %d", c.hour, n.P50[c.i], n.P95[c.i], c.p50, c.p95)
		}
	}

	// The last full minute (10:29: none) against the same minute last week (4); the 2 of the
	// current minute, 20 seconds old, are not compared.
	if n.MinuteNow != 0 || n.MinuteLastWeek != 4 || j.Text["week.current"] != "0" || j.Text["week.lastWeek"] != "4" ||
		j.Text["week.change"] != "10:29 (last full minute): -100.0% vs last week" || j.Text["week.minute"] != "10:29" {
		t.Errorf("minute vs week %d, %d, text %v", n.MinuteNow, n.MinuteLastWeek, j.Text)
	}
	// Newest event: minute 10:30, which has not ended at 10:30:20: age 0, fresh.
	if j.NewestMinute != "10:30" || j.Freshness != "fresh" || j.NewestAgeSec == nil || *j.NewestAgeSec != 0 || j.Text["newest.age"] != "0s ago" {
		t.Errorf("newest %q, %s, %v, %q", j.NewestMinute, j.Freshness, j.NewestAgeSec, j.Text["newest.age"])
	}
}

// No final event in the last 24 hours: the success rate is n/a (not 0% or 100%), the gauge
// has no reading, and there is no error rate.
func TestOpsSuccessRateWithoutFinalEvents(t *testing.T) {
	db := dbtest.New(t)
	insertOpsEvents(t, db.CH, opsEvents[:11]) // initiated events only
	j := loadData(newOps(db, opsNow), queries.OpsFilter{})
	if j.Numbers.SuccessRate != nil || j.Text["success.rate"] != "n/a" || j.Text["success.detail"] != "0 completed · 0 failed" ||
		len(j.Numbers.ErrorReasons) != 0 {
		t.Errorf("without final events: rate %v, %q %q, reasons %v", j.Numbers.SuccessRate, j.Text["success.rate"], j.Text["success.detail"], j.Numbers.ErrorReasons)
	}
	// The gauge says "no data" in words and hides its needle (a needle at 0% reads as an
	// outage), and the empty charts say why they are empty.
	if s, _ := json.Marshal(j.Panels["success"].Update); !strings.Contains(string(s), `"value":null`) ||
		!strings.Contains(string(s), `"formatter":"no data"`) || !strings.Contains(string(s), `"opacity":0`) {
		t.Errorf("gauge patch %s; want no reading, no needle and \"no data\"", s)
	}
	for _, id := range []string{"success", "latency", "errors"} {
		if p := j.Panels[id]; p.Empty != "No data: no payment completed or failed in the last 24 hours." {
			t.Errorf("%s without final events says %q", id, p.Empty)
		}
	}
	if p := j.Panels["tpm"]; p.Empty != "" {
		t.Errorf("the per-minute chart has initiated events but says %q", p.Empty)
	}
	if tile := j.Tiles["success.rate"]; tile.Level != levelNone || tile.Word != "" {
		t.Errorf("success rate n/a has level %+v; want none", tile)
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
		j := loadData(newOps(db, sast(c.at)), queries.OpsFilter{})
		if j.Freshness != c.want || j.Text["newest.age"] != c.age {
			t.Errorf("at %s: %s, %q; want %s, %q", c.at, j.Freshness, j.Text["newest.age"], c.want, c.age)
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
	if n.MinuteNow != 0 || n.MinuteLastWeek != 4 {
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
	if w := read("week.csv"); strings.Join(w[1], ",") != "2026-03-15 10:29,0,2026-03-08 10:29,4" {
		t.Errorf("week.csv %v", w)
	}
	l := read("latency.csv")
	if len(l) != 25 || strings.Join(l[0], ",") != "hour_sast,p50_ms,p95_ms,final_events" ||
		strings.Join(l[22], ",") != "2026-03-15 08:00,3000,3000,5" || strings.Join(l[23], ",") != "2026-03-15 09:00,,,0" ||
		strings.Join(l[24], ",") != "2026-03-15 10:00,300,500,5" {
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
	// Every ClickHouse panel, each named once: the newest event, the four ClickHouse figures
	// (success rate, this minute, the same minute last week, the last 60 minutes: a figure and
	// its chart share a name) and the two charts of their own.
	if strings.Join(j.Unavailable, ",") != "newest,success,week,last-week,tpm,latency,errors" || j.SourceMessage != "ClickHouse is unreachable" {
		t.Errorf("unavailable %v, message %q", j.Unavailable, j.SourceMessage)
	}
	for _, k := range []string{"success.detail", "week.change", "tpm.avg"} {
		if j.Text[k] != "unavailable — ClickHouse is unreachable" {
			t.Errorf("%s = %q with ClickHouse down", k, j.Text[k])
		}
	}
	for id, p := range j.Panels {
		if p.Unavailable != "ClickHouse is unreachable" || p.Update != nil {
			t.Errorf("chart %s with ClickHouse down: %+v", id, p)
		}
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
	j := loadData(newOps(db, opsNow), queries.OpsFilter{})
	if j.Numbers.OpenIncidents != 2 || j.Numbers.StuckPending != 2 {
		t.Errorf("open incidents %d, stuck %d; want 2, 2", j.Numbers.OpenIncidents, j.Numbers.StuckPending)
	}
	for k, want := range map[string]string{
		"incidents.open":   "2",
		"incidents.detail": "critical: Bank API down, since 09:00 (+1 more)",
		"pending.stuck":    "2",
		"pending.detail":   "oldest started 25m 20s ago",
	} {
		if j.Text[k] != want {
			t.Errorf("%s = %q; want %q", k, j.Text[k], want)
		}
	}
	// Nothing open, nothing stuck: real zeros, said in words.
	text := loadData(newOps(dbtest.New(t), opsNow), queries.OpsFilter{}).Text
	if text["incidents.open"] != "0" || text["incidents.detail"] != "none open" || text["pending.stuck"] != "0" ||
		text["pending.detail"] != "none pending over 10 min" {
		t.Errorf("empty database: %v", text)
	}
}

// The bank and channel filter narrows every panel but the stream's freshness. On top of the
// hand-worked dataset (all BANKA, online), BANKB adds offline SMS events: initiated 10:29:01
// and 10:29:02 (the last full minute), 2026-03-08 10:29:40 (same minute last week), completed 10:10
// (700 ms) and failed 10:11 (bank_timeout, 900 ms).
func TestOpsFilterByBankAndChannel(t *testing.T) {
	db := dbtest.New(t)
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date) VALUES
		('Bank A', 'BANKA', 'active', '2025-01-01'), ('Bank B', 'BANKB', 'active', '2025-01-01')`)
	insertOpsEvents(t, db.CH, append(append([]opsEvent{}, opsEvents...),
		opsEvent{"initiated", "2026-03-15 10:29:01", 0, "", "BANKB", "offline_sms"},
		opsEvent{"initiated", "2026-03-15 10:29:02", 0, "", "BANKB", "offline_sms"},
		opsEvent{"initiated", "2026-03-08 10:29:40", 0, "", "BANKB", "offline_sms"},
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
	// Everything: 6 + 2 initiated in the hour; 8 completed, 4 failed in 24 h; 0 + 2 in the last
	// full minute (10:29) against 4 + 1 a week earlier.
	all := data("/ops/data")
	if sum(all.Numbers.PerMinute) != 8 || all.Numbers.Completed24h != 8 || all.Numbers.Failed24h != 4 || all.Numbers.MinuteNow != 2 || all.Numbers.MinuteLastWeek != 5 {
		t.Errorf("all: %+v", all.Numbers)
	}
	for _, c := range []struct {
		target                               string
		initiated, completed, failed, now, w uint64
	}{
		{"/ops/data?bank=BANKB", 2, 1, 1, 2, 1},
		{"/ops/data?channel=offline_sms", 2, 1, 1, 2, 1},
		{"/ops/data?bank=BANKA&channel=online", 6, 7, 3, 0, 4},
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

// The processing-time chart, its refresh and its CSV show exact nearest-rank percentiles for
// every hour and every filter of the page: the hand-worked dataset chtest.ProcessingTimeEvents,
// seen at 04:10:20 SAST on 15 March (the chart's 24 hours run from 05:00 on 14 March to 04:00).
func TestOpsProcessingTimeExactForEveryFilter(t *testing.T) {
	db := dbtest.New(t)
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date) VALUES
		('Bank A', 'BANKA', 'active', '2025-01-01'), ('Bank B', 'BANKB', 'active', '2025-01-01')`)
	chtest.Insert(t, db.CH, chtest.ProcessingTimeEvents)
	h := newOps(db, chtest.SAST("2026-03-15 04:10:20"))

	// hours renders the non-empty hours of the refresh as "hh:mm n p50 p95", and checks that
	// every empty hour has neither percentile.
	hours := func(target string) string {
		t.Helper()
		rec := opsGet(t, h.Data, target)
		var j opsJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %v %s", target, rec.Code, err, rec.Body)
		}
		n := j.Numbers
		if len(n.Hours) != 24 || n.Hours[0] != "05:00" || n.Hours[23] != "04:00" || len(n.P50) != 24 || len(n.P95) != 24 || len(n.HourEvents) != 24 {
			t.Fatalf("%s: hours %v", target, n.Hours)
		}
		var out []string
		for i := range n.Hours {
			if n.HourEvents[i] == 0 {
				if n.P50[i] != nil || n.P95[i] != nil {
					t.Errorf("%s: %s has no final events but p50 %v p95 %v", target, n.Hours[i], n.P50[i], n.P95[i])
				}
				continue
			}
			out = append(out, fmt.Sprintf("%s n%d %d %d", n.Hours[i], n.HourEvents[i], *n.P50[i], *n.P95[i]))
		}
		return strings.Join(out, ", ")
	}
	for target, want := range map[string]string{
		"/ops/data": "22:00 n1 60000 60000, 23:00 n1 5000 5000, 00:00 n2 100 7000, 01:00 n20 900 2918, " +
			"02:00 n5 800 1000, 03:00 n1 1234 1234, 04:00 n1 60000 60000",
		"/ops/data?bank=BANKA": "22:00 n1 60000 60000, 23:00 n1 5000 5000, 00:00 n1 100 100, 01:00 n17 900 2918, " +
			"02:00 n5 800 1000, 04:00 n1 60000 60000",
		"/ops/data?bank=BANKB":                     "00:00 n1 7000 7000, 01:00 n3 1300 3515, 03:00 n1 1234 1234",
		"/ops/data?channel=offline_sms":            "01:00 n5 1300 3515",
		"/ops/data?channel=online":                 "22:00 n1 60000 60000, 23:00 n1 5000 5000, 00:00 n2 100 7000, 01:00 n15 900 2918, 02:00 n5 800 1000, 03:00 n1 1234 1234, 04:00 n1 60000 60000",
		"/ops/data?bank=BANKA&channel=offline_sms": "01:00 n2 610 2100",
		"/ops/data?bank=BANKB&channel=online":      "00:00 n1 7000 7000, 03:00 n1 1234 1234",
		"/ops/data?bank=BANKB&channel=offline_sms": "01:00 n3 1300 3515",
	} {
		if got := hours(target); got != want {
			t.Errorf("%s:\n got  %s\n want %s", target, got, want)
		}
	}

	// The CSV is the same numbers, with each hour's count of final events.
	rec := opsGet(t, h.CSV, "/ops/latency.csv?channel=offline_sms", "file", "latency.csv")
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || rec.Code != http.StatusOK || len(rows) != 25 {
		t.Fatalf("latency.csv: %d %v %d rows", rec.Code, err, len(rows))
	}
	for i, want := range map[int]string{
		0:  "hour_sast,p50_ms,p95_ms,final_events",
		1:  "2026-03-14 05:00,,,0",
		21: "2026-03-15 01:00,1300,3515,5",
		22: "2026-03-15 02:00,,,0",
	} {
		if got := strings.Join(rows[i], ","); got != want {
			t.Errorf("latency.csv row %d: %s; want %s", i, got, want)
		}
	}
}

// statementRuns counts the statements run behind the real ones, by name.
type statementRuns struct {
	mu   sync.Mutex
	runs map[string]int
}

func (r *statementRuns) add(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.runs == nil {
		r.runs = map[string]int{}
	}
	r.runs[name]++
}

func (r *statementRuns) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := []string{"per-minute", "final", "hourly", "week", "newest", "incidents", "stuck"}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%s %d", n, r.runs[n])
	}
	return strings.Join(out, ", ")
}

// countingOps and countingState run the real statements and count them.
type countingOps struct {
	queries.Ops
	runs *statementRuns
}

func (c countingOps) InitiatedPerMinute(ctx context.Context, from, to time.Time, f queries.OpsFilter) ([]queries.MinuteCount, error) {
	c.runs.add("per-minute")
	return c.Ops.InitiatedPerMinute(ctx, from, to, f)
}

func (c countingOps) FinalEvents(ctx context.Context, from, to time.Time, f queries.OpsFilter) (queries.FinalEvents, error) {
	c.runs.add("final")
	return c.Ops.FinalEvents(ctx, from, to, f)
}

func (c countingOps) ProcessingHourly(ctx context.Context, from, to time.Time, f queries.OpsFilter) ([]queries.HourLatency, error) {
	c.runs.add("hourly")
	return c.Ops.ProcessingHourly(ctx, from, to, f)
}

func (c countingOps) MinuteVsWeek(ctx context.Context, minute time.Time, f queries.OpsFilter) (uint64, uint64, error) {
	c.runs.add("week")
	return c.Ops.MinuteVsWeek(ctx, minute, f)
}

func (c countingOps) NewestMinute(ctx context.Context, now time.Time) (time.Time, bool, error) {
	c.runs.add("newest")
	return c.Ops.NewestMinute(ctx, now)
}

type countingState struct {
	queries.OpsState
	runs *statementRuns
}

func (c countingState) OpenIncidents(ctx context.Context, now time.Time) (queries.OpenIncidents, error) {
	c.runs.add("incidents")
	return c.OpsState.OpenIncidents(ctx, now)
}

func (c countingState) StuckPending(ctx context.Context, before time.Time) (queries.StuckPending, error) {
	c.runs.add("stuck")
	return c.OpsState.StuckPending(ctx, before)
}

// Viewers of the same filter share one query set: those asking at once share each statement's
// run, and those who come within opsShareFor get its kept result. Another filter, the end of
// the window or a failure loads again.
func TestOpsLoadsAreSharedBetweenViewers(t *testing.T) {
	db := dbtest.New(t)
	insertOpsEvents(t, db.CH, opsEvents)
	seedOpsState(t, db)
	runs := &statementRuns{}
	h := NewOps(countingOps{queries.Ops{CH: db.CH}, runs}, countingState{queries.OpsState{PG: db.PG}, runs},
		OpsOptions{PanelTimeout: 5 * time.Second, Now: func() time.Time { return opsNow }})
	clock := time.Now()
	h.reads.clock = func() time.Time { return clock }

	// 12 viewers at once, on every face of the dashboard: the signed-in page, the wall screen,
	// its refresh, a CSV. Each of the 7 statements runs once, and every viewer sees its numbers.
	targets := []string{"/ops", "/ops?wall=1", "/ops/data", "/ops/data", "/ops/data", "/ops/data",
		"/ops?wall=1", "/ops/data", "/ops", "/ops/data", "/ops/data", "/ops/errors.csv"}
	var wg sync.WaitGroup
	for _, target := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			handler, params := h.Data, []string(nil)
			switch {
			case strings.HasSuffix(target, ".csv"):
				handler, params = h.CSV, []string{"file", "errors.csv"}
			case strings.HasPrefix(target, "/ops?"), target == "/ops":
				handler = h.Page
			}
			rec := opsGet(t, handler, target, params...)
			if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `data-ops-source-down="true"`) {
				t.Errorf("%s: %d\n%s", target, rec.Code, rec.Body)
			}
			if target == "/ops/data" {
				var j opsJSON
				if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil || len(j.Unavailable) != 0 ||
					j.Numbers.Completed24h != 7 || j.Numbers.MinuteLastWeek != 4 || j.Numbers.OpenIncidents != 2 {
					t.Errorf("a viewer's numbers: %v %+v", err, j.Numbers)
				}
			}
		}()
	}
	wg.Wait()
	one := "per-minute 1, final 1, hourly 1, week 1, newest 1, incidents 1, stuck 1"
	if runs.String() != one {
		t.Errorf("12 concurrent viewers ran %s; want %s", runs, one)
	}
	// Polls within opsShareFor get the kept results.
	clock = clock.Add(opsShareFor - time.Millisecond)
	opsGet(t, h.Data, "/ops/data")
	opsGet(t, h.Page, "/ops?wall=1")
	if runs.String() != one {
		t.Errorf("polls within %s ran %s; want %s", opsShareFor, runs, one)
	}
	// Another filter has its own ClickHouse statements; the stream's newest event, incidents
	// and stuck payments are the same for every filter.
	opsGet(t, h.Data, "/ops/data?channel=online")
	if want := "per-minute 2, final 2, hourly 2, week 2, newest 1, incidents 1, stuck 1"; runs.String() != want {
		t.Errorf("after another filter: %s; want %s", runs, want)
	}
	// opsShareFor after the first load, the next poll loads again.
	clock = clock.Add(time.Millisecond)
	opsGet(t, h.Data, "/ops/data")
	if want := "per-minute 3, final 3, hourly 3, week 3, newest 2, incidents 2, stuck 2"; runs.String() != want {
		t.Errorf("after %s: %s; want %s", opsShareFor, runs, want)
	}

	// A failure is never kept: with ClickHouse down, every poll asks ClickHouse again, while
	// the PostgreSQL results are kept as usual. (A failure is shared only by the panels that
	// were waiting for it: one that asks after a quick refusal asks again, so a statement two
	// panels read may run twice in a poll.)
	dead, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{Addr: "127.0.0.1:1", Database: "default", User: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dead.Close() })
	down := &statementRuns{}
	hd := NewOps(countingOps{queries.Ops{CH: dead}, down}, countingState{queries.OpsState{PG: db.PG}, down},
		OpsOptions{PanelTimeout: 2 * time.Second, Now: func() time.Time { return opsNow }})
	count := func(name string) int {
		down.mu.Lock()
		defer down.mu.Unlock()
		return down.runs[name]
	}
	before := map[string]int{}
	for poll := 1; poll <= 2; poll++ {
		opsGet(t, hd.Data, "/ops/data")
		for _, name := range []string{"per-minute", "final", "hourly", "week", "newest"} {
			if count(name) <= before[name] {
				t.Errorf("poll %d with ClickHouse down did not ask again for %s (%s)", poll, name, down)
			}
			before[name] = count(name)
		}
	}
	if count("incidents") != 1 || count("stuck") != 1 {
		t.Errorf("two polls with ClickHouse down ran %s; want the PostgreSQL statements once", down)
	}
}

// gatedOps holds the final-events statement until the gate opens, and records whether the
// context it ran on was ever cancelled.
type gatedOps struct {
	queries.Ops
	started   chan struct{}
	gate      chan struct{}
	runs      atomic.Int32
	cancelled atomic.Bool
}

func (g *gatedOps) FinalEvents(ctx context.Context, from, to time.Time, f queries.OpsFilter) (queries.FinalEvents, error) {
	if g.runs.Add(1) == 1 {
		close(g.started)
	}
	select {
	case <-g.gate:
	case <-ctx.Done():
		g.cancelled.Store(true)
		return queries.FinalEvents{}, ctx.Err()
	}
	return g.Ops.FinalEvents(ctx, from, to, f)
}

// opsGetCtx is opsGet on a request with the given context (a viewer who may leave).
func opsGetCtx(ctx context.Context, h echo.HandlerFunc, target string) *httptest.ResponseRecorder {
	e := echo.New()
	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, target, nil).WithContext(ctx), rec)
	if err := h(c); err != nil {
		e.HTTPErrorHandler(err, c)
	}
	return rec
}

// A viewer who closes the tab while the numbers load cancels nothing that another viewer
// waits for: the shared statement runs on to its end, once, and the other viewer gets every
// number. The one who left is answered at once, without waiting.
func TestOpsViewerWhoLeavesCancelsNothing(t *testing.T) {
	db := dbtest.New(t)
	insertOpsEvents(t, db.CH, opsEvents)
	g := &gatedOps{Ops: queries.Ops{CH: db.CH}, started: make(chan struct{}), gate: make(chan struct{})}
	h := NewOps(g, queries.OpsState{PG: db.PG}, OpsOptions{PanelTimeout: 30 * time.Second, Now: func() time.Time { return opsNow }})

	leaving, leave := context.WithCancel(context.Background())
	first := make(chan *httptest.ResponseRecorder, 1)
	go func() { first <- opsGetCtx(leaving, h.Data, "/ops/data") }()
	<-g.started // the first viewer's load is under way, held at the final-events statement
	second := make(chan *httptest.ResponseRecorder, 1)
	go func() { second <- opsGetCtx(context.Background(), h.Data, "/ops/data") }()
	time.Sleep(100 * time.Millisecond) // let the second viewer join the load under way
	leave()

	select {
	case rec := <-first:
		var j opsJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil || j.Panels["success"].Unavailable != "request cancelled" {
			t.Errorf("the viewer who left: %v %s", err, rec.Body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the viewer who left was kept waiting for the statement")
	}
	close(g.gate)
	rec := <-second
	var j opsJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("the viewer who stayed: %d %v %s", rec.Code, err, rec.Body)
	}
	if len(j.Unavailable) != 0 || j.Numbers.Completed24h != 7 || j.Numbers.Failed24h != 3 || j.Text["success.rate"] != "70.00%" {
		t.Errorf("the viewer who stayed got unavailable %v (%s), %d completed, %d failed, %q",
			j.Unavailable, j.SourceMessage, j.Numbers.Completed24h, j.Numbers.Failed24h, j.Text["success.rate"])
	}
	if g.runs.Load() != 1 || g.cancelled.Load() {
		t.Errorf("the final-events statement ran %d times, cancelled %v; want once, never cancelled", g.runs.Load(), g.cancelled.Load())
	}
}

// A refresh shows exactly what a reload would: the page's figures are the refresh's texts,
// and each chart's data on the page (signed in or on the wall screen) is the refresh's patch.
func TestOpsRefreshIsTheReload(t *testing.T) {
	db := dbtest.New(t)
	insertOpsEvents(t, db.CH, opsEvents)
	seedOpsState(t, db)
	h := newOps(db, opsNow)
	var j opsJSON
	if err := json.Unmarshal(opsGet(t, h.Data, "/ops/data").Body.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	normal := func(v any) string {
		b, _ := json.Marshal(v)
		var x any
		_ = json.Unmarshal(b, &x)
		b, _ = json.Marshal(x)
		return string(b)
	}
	fields := regexp.MustCompile(`data-ops-field="([^"]+)">([^<]*)<`)
	scripts := regexp.MustCompile(`<script id="chart-ops-([a-z]+)" type="application/json">([^<]*)</script>`)
	for _, target := range []string{"/ops", "/ops?wall=1"} {
		body := opsGet(t, h.Page, target).Body.String()
		seen := 0
		for _, m := range fields.FindAllStringSubmatch(body, -1) {
			seen++
			if got := html.UnescapeString(m[2]); got != j.Text[m[1]] {
				t.Errorf("%s: %s shows %q; the refresh %q", target, m[1], got, j.Text[m[1]])
			}
		}
		if seen != 14 { // updated, newest age, and 6 figures of two texts each
			t.Errorf("%s: %d refreshable texts; want 14", target, seen)
		}
		charts := scripts.FindAllStringSubmatch(body, -1)
		if len(charts) != 4 {
			t.Fatalf("%s: %d charts", target, len(charts))
		}
		for _, m := range charts {
			var options map[string]any
			if err := json.Unmarshal([]byte(m[2]), &options); err != nil {
				t.Fatalf("%s chart %s: %v", target, m[1], err)
			}
			if _, axes := options["yAxis"]; axes != (m[1] != "success") {
				t.Errorf("%s chart %s: yAxis present %v; only the gauge has none", target, m[1], axes)
			}
			page, refresh := normal(chartData(options)), normal(j.Panels[m[1]].Update)
			if page != refresh || !strings.Contains(page, `"data"`) {
				t.Errorf("%s chart %s:\n page    %s\n refresh %s", target, m[1], page, refresh)
			}
		}
	}
}
