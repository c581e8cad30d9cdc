package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"mari/dbtest"
	"mari/queries"
)

// The alarm levels the migration stores with the targets, judged at, just below and just
// above each level: success rate amber below 97% and red below 92%; any open incident red;
// one stuck payment amber, five red; the last full minute down by more than half on last
// week amber, by more than 80% red.
func TestOpsThresholdLevelsAtTheirEdges(t *testing.T) {
	db := dbtest.New(t)
	levels, err := queries.OpsThresholds(context.Background(), db.PG)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		metric, value, want string
	}{
		{thresholdSuccessRate, "0.99", levelOK},
		{thresholdSuccessRate, "0.97", levelOK}, // at the target: met
		{thresholdSuccessRate, "0.9699", levelAmber},
		{thresholdSuccessRate, "0.92", levelAmber},
		{thresholdSuccessRate, "0.9199", levelRed},
		{thresholdSuccessRate, "0", levelRed},
		{thresholdOpenIncidents, "0", levelOK},
		{thresholdOpenIncidents, "1", levelRed},
		{thresholdOpenIncidents, "2", levelRed},
		{thresholdStuckPayments, "0", levelOK},
		{thresholdStuckPayments, "1", levelAmber},
		{thresholdStuckPayments, "4", levelAmber},
		{thresholdStuckPayments, "5", levelRed},
		{thresholdStuckPayments, "6", levelRed},
		{thresholdMinuteVsWeek, "0.25", levelOK},
		{thresholdMinuteVsWeek, "-0.5", levelOK}, // exactly half: not yet below the level
		{thresholdMinuteVsWeek, "-0.5001", levelAmber},
		{thresholdMinuteVsWeek, "-0.8", levelAmber},
		{thresholdMinuteVsWeek, "-0.8001", levelRed},
		{thresholdMinuteVsWeek, "-1", levelRed},
	} {
		th, ok := levels[c.metric]
		if !ok {
			t.Fatalf("no alarm levels stored for %s: %v", c.metric, levels)
		}
		if got := levelOf(decimal.RequireFromString(c.value), th); got != c.want {
			t.Errorf("%s = %s: %q; want %q", c.metric, c.value, got, c.want)
		}
	}
	// The old targets keep their meaning: only success_rate gained alarm levels.
	if _, ok := levels["fraud_rate"]; ok {
		t.Errorf("fraud_rate has alarm levels: %+v", levels["fraud_rate"])
	}
}

// The tiles of a load carry their level as a class and a word, from the levels stored in
// PostgreSQL: the hand-worked dataset (success 70%, last full minute 0 against 4) with two open
// incidents and two stuck payments is red, red, red, amber; raising the incidents' red level
// to 3 turns that tile amber without a restart of anything but the handler's kept reads.
func TestOpsTilesColouredByStoredLevels(t *testing.T) {
	db := dbtest.New(t)
	insertOpsEvents(t, db.CH, opsEvents)
	seedOpsState(t, db)
	j := loadData(newOps(db, opsNow), queries.OpsFilter{})
	for field, want := range map[string]string{
		"success.rate":   levelRed,   // 70% < 92%
		"week.current":   levelRed,   // 0 against 4: -100%
		"incidents.open": levelRed,   // 2 ≥ 1
		"pending.stuck":  levelAmber, // 1 ≤ 2 < 5: a warning
		"tpm.total":      levelNone,  // no alarm levels
		"week.lastWeek":  levelNone,
	} {
		if got := j.Tiles[field]; got.Level != want || got.Word != levelWords[want] {
			t.Errorf("%s: %+v; want level %q", field, got, want)
		}
	}
	db.Exec(t, `UPDATE kpi_targets SET red = 3 WHERE metric = 'ops_open_incidents'`)
	page := opsGet(t, newOps(db, opsNow).Page, "/ops?wall=1")
	body := page.Body.String()
	if !strings.Contains(body, `data-ops-tile="incidents.open" data-ops-level="amber"`) ||
		!strings.Contains(body, `data-ops-tile="success.rate" data-ops-level="red"`) ||
		!strings.Contains(body, "ops-level-red") || !strings.Contains(body, "■ Alarm") || !strings.Contains(body, "▲ Warning") {
		t.Errorf("wall page after raising the incidents' red level to 3:\n%s", body)
	}
}

// failingThresholds reads the alarm levels until told to fail, as PostgreSQL going away would.
type failingThresholds struct {
	queries.OpsState
	fail *atomic.Bool
}

func (f failingThresholds) Thresholds(ctx context.Context) (map[string]queries.OpsThreshold, error) {
	if f.fail.Load() {
		return nil, errors.New("connection refused")
	}
	return f.OpsState.Thresholds(ctx)
}

// When the levels cannot be read, the last ones read still colour the ClickHouse figures;
// before any was read, no tile claims a level.
func TestOpsLevelsSurviveAPostgresOutage(t *testing.T) {
	db := dbtest.New(t)
	insertOpsEvents(t, db.CH, opsEvents)
	fail := &atomic.Bool{}
	fail.Store(true)
	h := NewOps(queries.Ops{CH: db.CH}, failingThresholds{queries.OpsState{PG: db.PG}, fail},
		OpsOptions{PanelTimeout: 5 * time.Second, Now: func() time.Time { return opsNow }})
	clock := time.Now()
	h.reads.clock = func() time.Time { return clock }
	if got := loadData(h, queries.OpsFilter{}).Tiles["success.rate"]; got.Level != levelNone {
		t.Errorf("levels never read: %+v; want none", got)
	}
	fail.Store(false)
	clock = clock.Add(opsShareFor + time.Second)
	if got := loadData(h, queries.OpsFilter{}).Tiles["success.rate"]; got.Level != levelRed {
		t.Errorf("levels read: %+v; want red", got)
	}
	fail.Store(true)
	clock = clock.Add(opsShareFor + time.Second)
	if got := loadData(h, queries.OpsFilter{}).Tiles["success.rate"]; got.Level != levelRed {
		t.Errorf("levels unreadable after a read: %+v; want the last levels' red", got)
	}
}

// The minute tile compares whole minutes: 20 seconds into 10:30, it shows 10:29 (3 initiated)
// against 10:29 a week earlier (8): -62.5%, a warning. The 5 of the running minute and the 20
// of 10:30 last week are not compared.
func TestOpsMinuteComparedFairly(t *testing.T) {
	db := dbtest.New(t)
	var events []opsEvent
	add := func(n int, at string) {
		for i := 0; i < n; i++ {
			events = append(events, opsEvent{typ: "initiated", at: at})
		}
	}
	add(2, "2026-03-15 10:29:10")
	add(1, "2026-03-15 10:29:59")
	add(5, "2026-03-15 10:30:05")
	add(8, "2026-03-08 10:29:30")
	add(20, "2026-03-08 10:30:10")
	insertOpsEvents(t, db.CH, events)
	h := newOps(db, opsNow)
	j := loadData(h, queries.OpsFilter{})
	if j.Numbers.MinuteNow != 3 || j.Numbers.MinuteLastWeek != 8 || j.Text["week.current"] != "3" || j.Text["week.lastWeek"] != "8" ||
		j.Text["week.change"] != "10:29 (last full minute): -62.5% vs last week" || j.Text["week.minute"] != "10:29" {
		t.Errorf("minute vs week: %d vs %d, %q %q %q %q", j.Numbers.MinuteNow, j.Numbers.MinuteLastWeek,
			j.Text["week.current"], j.Text["week.lastWeek"], j.Text["week.change"], j.Text["week.minute"])
	}
	if got := j.Tiles["week.current"]; got.Level != levelAmber {
		t.Errorf("-62.5%%: %+v; want amber", got)
	}
	rec := opsGet(t, h.CSV, "/ops/week.csv", "file", "week.csv")
	if !strings.Contains(rec.Body.String(), "2026-03-15 10:29,3,2026-03-08 10:29,8") {
		t.Errorf("week.csv:\n%s", rec.Body)
	}
	// Last week had none in that minute: no change and no level, said in words.
	empty := dbtest.New(t)
	insertOpsEvents(t, empty.CH, []opsEvent{{typ: "initiated", at: "2026-03-15 10:29:10"}})
	j = loadData(newOps(empty, opsNow), queries.OpsFilter{})
	if j.Text["week.change"] != "10:29 (last full minute): n/a (none last week)" || j.Tiles["week.current"].Level != levelNone {
		t.Errorf("none last week: %q %+v", j.Text["week.change"], j.Tiles["week.current"])
	}
}

// A bank with no data: the gauge says "no data" with no needle (not a needle at 0%), every
// empty chart says why, and the success tile claims no level.
func TestOpsFilteredBankWithoutData(t *testing.T) {
	db := dbtest.New(t)
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date) VALUES
		('Bank A', 'BANKA', 'active', '2025-01-01'), ('Bank C', 'BANKC', 'active', '2025-01-01')`)
	insertOpsEvents(t, db.CH, opsEvents) // all BANKA
	h := newOps(db, opsNow)
	rec := opsGet(t, h.Data, "/ops/data?bank=BANKC")
	var j opsJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil || rec.Code != 200 {
		t.Fatalf("%d %v %s", rec.Code, err, rec.Body)
	}
	gauge, _ := json.Marshal(j.Panels["success"].Update)
	if !strings.Contains(string(gauge), `"value":null`) || !strings.Contains(string(gauge), `"formatter":"no data"`) ||
		!strings.Contains(string(gauge), `"opacity":0`) {
		t.Errorf("BANKC gauge %s; want no reading, no needle, \"no data\"", gauge)
	}
	for id, want := range map[string]string{
		"tpm":     "No data: no payment initiated in the last 60 minutes.",
		"success": "No data: no payment completed or failed in the last 24 hours.",
		"latency": "No data: no payment completed or failed in the last 24 hours.",
		"errors":  "No data: no payment completed or failed in the last 24 hours.",
	} {
		if got := j.Panels[id].Empty; got != want {
			t.Errorf("BANKC %s says %q; want %q", id, got, want)
		}
	}
	if j.Text["success.rate"] != "n/a" || j.Tiles["success.rate"].Level != levelNone {
		t.Errorf("BANKC success tile %q %+v", j.Text["success.rate"], j.Tiles["success.rate"])
	}
	// Unfiltered, the same charts have data and say nothing of the kind; no failures at all
	// is good news, said as such.
	all := loadData(h, queries.OpsFilter{})
	for _, id := range []string{"tpm", "success", "latency", "errors"} {
		if all.Panels[id].Empty != "" {
			t.Errorf("unfiltered %s says %q", id, all.Panels[id].Empty)
		}
	}
	if got := chartEmpty(errorRateChart.panel.Name, opsNumbers{Completed24h: 3}); got != "No failed payments in the last 24 hours." {
		t.Errorf("no failures: %q", got)
	}
	// The page says it too, before any refresh.
	page := opsGet(t, h.Page, "/ops?bank=BANKC").Body.String()
	if strings.Count(page, "No data: no payment completed or failed in the last 24 hours.") != 3 {
		t.Errorf("BANKC page:\n%s", page)
	}
}
