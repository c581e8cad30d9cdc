package handlers

import (
	"context"
	"sync"

	"github.com/shopspring/decimal"

	"mari/metrics"
	"mari/queries"
)

// The wall screen is an alarm: each headline figure with alarm levels (kpi_targets.amber and
// .red, read from PostgreSQL) is ok, amber or red, shown by colour and by a word, so a screen
// seen from across the room, or by someone who cannot tell red from green, still says it.

// The tiles' levels.
const (
	levelNone  = ""      // the figure has no alarm levels, or no value to judge
	levelOK    = "ok"    // within its levels
	levelAmber = "amber" // a warning
	levelRed   = "red"   // an alarm
)

// levelWords are what a tile says beside its colour.
var levelWords = map[string]string{levelOK: "✓ OK", levelAmber: "▲ Warning", levelRed: "■ Alarm"}

// The kpi_targets keys of the dashboard's alarm levels.
const (
	thresholdSuccessRate   = "success_rate"
	thresholdOpenIncidents = "ops_open_incidents"
	thresholdStuckPayments = "ops_stuck_payments"
	thresholdMinuteVsWeek  = "ops_minute_vs_week"
)

// levelOf judges v against t: for an at_least metric, below red is red and below amber amber;
// for an at_most metric, at or above red is red and at or above amber amber.
func levelOf(v decimal.Decimal, t queries.OpsThreshold) string {
	reached := func(level *decimal.Decimal) bool {
		if level == nil {
			return false
		}
		if t.AtLeast {
			return v.LessThan(*level)
		}
		return v.GreaterThanOrEqual(*level)
	}
	switch {
	case reached(t.Red):
		return levelRed
	case reached(t.Amber):
		return levelAmber
	}
	return levelOK
}

// opsThresholds are the alarm levels a load judges its figures by, and whether they are the
// last ones read because PostgreSQL cannot be read now.
type opsThresholds struct {
	levels map[string]queries.OpsThreshold
	stale  bool
}

// lastThresholds keeps the last alarm levels read, so that a PostgreSQL outage does not turn
// the ClickHouse figures' alarms off.
type lastThresholds struct {
	mu     sync.Mutex
	levels map[string]queries.OpsThreshold
}

// thresholds reads the alarm levels, shared among the load's viewers like the panels'
// statements; when they cannot be read, the last ones read serve (none before the first read).
func (h *Ops) thresholds(ctx context.Context, in opsIn) opsThresholds {
	all := in
	all.filter = queries.OpsFilter{} // the levels are the whole dashboard's
	levels, err := read(ctx, &h.reads, all.readKey("thresholds"), func(ctx context.Context) (map[string]queries.OpsThreshold, error) {
		return h.state.Thresholds(ctx)
	})
	h.lastTh.mu.Lock()
	defer h.lastTh.mu.Unlock()
	if err != nil {
		h.opts.Log.Warn("ops: alarm levels unavailable", "err", err)
		return opsThresholds{levels: h.lastTh.levels, stale: true}
	}
	h.lastTh.levels = levels
	return opsThresholds{levels: levels}
}

// figureLevel is the level of one headline figure of a load, from the numbers the figure
// shows; levelNone for a figure without levels, without a value, or whose panel failed.
func figureLevel(name string, n opsNumbers, th opsThresholds) string {
	judge := func(key string, v decimal.Decimal) string {
		t, ok := th.levels[key]
		if !ok {
			return levelNone
		}
		return levelOf(v, t)
	}
	switch name {
	case successRateTile.panel.Name:
		if n.SuccessRate == nil {
			return levelNone
		}
		return judge(thresholdSuccessRate, decimal.NewFromFloat(*n.SuccessRate))
	case thisMinuteTile.panel.Name:
		g, ok := metrics.Growth(decimal.NewFromUint64(n.MinuteNow), decimal.NewFromUint64(n.MinuteLastWeek))
		if !ok {
			return levelNone
		}
		return judge(thresholdMinuteVsWeek, g)
	case openIncidentsTile.panel.Name:
		return judge(thresholdOpenIncidents, decimal.NewFromInt(n.OpenIncidents))
	case stuckPaymentsTile.panel.Name:
		return judge(thresholdStuckPayments, decimal.NewFromInt(n.StuckPending))
	}
	return levelNone
}
