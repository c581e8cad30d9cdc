package selfmon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"mari/queries"
)

// Retention is how long the measurements are kept: the longest window the page shows (30
// days of uptime) and a margin.
const Retention = 35 * 24 * time.Hour

// Monitor writes an instance's measurements to PostgreSQL once a minute: the finished minutes
// of its Recorder, and a heartbeat for the minute when the instance is ready.
type Monitor struct {
	Recorder *Recorder
	PG       queries.DB
	// Ready says whether the instance can serve pages: nil when it can. serve passes the
	// readiness check's pings (PostgreSQL and ClickHouse).
	Ready    func(ctx context.Context) error
	Instance string
	Now      func() time.Time
	Log      *slog.Logger
	// Timeout bounds each round's database work, so a database that hangs delays only the
	// next round.
	Timeout time.Duration

	lastPrune time.Time
	wasReady  *bool // the last readiness logged, so an outage is logged when it starts and ends
}

// NewMonitor returns a monitor of rec writing to pg as a new instance id (host, process and a
// random suffix: a restarted process is another instance).
func NewMonitor(rec *Recorder, pg queries.DB, ready func(ctx context.Context) error, log *slog.Logger) *Monitor {
	if log == nil {
		log = slog.Default()
	}
	return &Monitor{Recorder: rec, PG: pg, Ready: ready, Instance: InstanceID(), Now: rec.now, Log: log, Timeout: 20 * time.Second}
}

// InstanceID names this process among the instances writing measurements.
func InstanceID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	if len(host) > 60 {
		host = host[:60]
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Tick is one round, run once a minute: the heartbeat of the current minute when the instance
// is ready, then the finished minutes, then (once an hour) the pruning of old rows. A failure
// keeps the minutes for the next round; it is returned for the log.
func (m *Monitor) Tick(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, m.timeout())
	defer cancel()
	now := m.Now()
	minute := now.Truncate(time.Minute)
	var firstErr error
	ready := m.Ready == nil || m.Ready(ctx) == nil
	if ready {
		if err := queries.SelfmonHeartbeat(ctx, m.PG, minute, m.Instance); err != nil {
			firstErr = fmt.Errorf("heartbeat: %w", err)
			ready = false
		}
	}
	m.logReadiness(ready)
	if err := m.flush(ctx, minute); err != nil && firstErr == nil {
		firstErr = err
	}
	if now.Sub(m.lastPrune) >= time.Hour {
		if err := queries.SelfmonPrune(ctx, m.PG, now.Add(-Retention)); err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("prune: %w", err)
			}
		} else {
			m.lastPrune = now
		}
	}
	return firstErr
}

// flush writes the minutes that started before before; those it cannot write go back.
func (m *Monitor) flush(ctx context.Context, before time.Time) error {
	ms := m.Recorder.take(before)
	if len(ms) == 0 {
		return nil
	}
	if err := queries.SelfmonWriteMinutes(ctx, m.PG, m.Instance, ms); err != nil {
		m.Recorder.putBack(ms)
		return fmt.Errorf("writing %d minute rows: %w", len(ms), err)
	}
	return nil
}

// Run ticks a few seconds into every minute until ctx ends, then writes what it holds, the
// current minute included (the process is stopping: no request will follow).
func (m *Monitor) Run(ctx context.Context) {
	m.Log.Info("self-measurement", "instance", m.Instance)
	if err := m.Tick(ctx); err != nil && ctx.Err() == nil { // the first minute's heartbeat
		m.Log.Warn("self-measurement: kept in memory for the next minute", "err", err)
	}
	for {
		now := m.Now()
		next := now.Truncate(time.Minute).Add(time.Minute + 5*time.Second)
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := m.flush(final, m.Now().Add(time.Minute)); err != nil {
				m.Log.Warn("self-measurement: the last minutes were not written", "err", err)
			}
			cancel()
			return
		case <-time.After(next.Sub(now)):
		}
		if err := m.Tick(ctx); err != nil && ctx.Err() == nil {
			m.Log.Warn("self-measurement: kept in memory for the next minute", "err", err, "dropped_requests", m.Recorder.Dropped())
		}
	}
}

func (m *Monitor) timeout() time.Duration {
	if m.Timeout <= 0 {
		return 20 * time.Second
	}
	return m.Timeout
}

func (m *Monitor) logReadiness(ready bool) {
	if m.wasReady != nil && *m.wasReady == ready {
		return
	}
	m.wasReady = &ready
	if !ready {
		m.Log.Warn("self-measurement: not ready; no heartbeat this minute")
	}
}
