package handlers

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mari/views"
)

// The panel framework: concurrent viewers share one load; a viewer who leaves cancels nothing
// the others wait for; a load that fails or runs out of time shows why on its panel only.
func TestPanelsShareLoadsAndSurviveALeavingViewer(t *testing.T) {
	ps := &panels{timeout: 2 * time.Second, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var loads atomic.Int32
	release := make(chan struct{})
	slow := panelSpec[int]{Name: "slow", DB: dbPG, Load: func(ctx context.Context, in int) (panelOut, error) {
		loads.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
			return panelOut{}, ctx.Err()
		}
		return panelOut{Tile: views.Tile{Value: "42"}}, nil
	}}

	// The first viewer leaves while the load runs; nine others wait for it.
	leaving, leave := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	results := make([]panelOut, 10)
	for i := range results {
		ctx := context.Background()
		if i == 0 {
			ctx = leaving
		}
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = runOne(ctx, ps, "range", slow, 0) }()
	}
	time.Sleep(100 * time.Millisecond) // all ten are waiting on the one load
	leave()
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Errorf("%d loads for ten concurrent viewers; want 1", n)
	}
	if results[0].Tile.Unavailable != "request cancelled" {
		t.Errorf("the viewer who left: %+v", results[0].Tile)
	}
	for i, r := range results[1:] {
		if r.Tile.Value != "42" || r.Tile.Unavailable != "" {
			t.Errorf("viewer %d got %+v; want the loaded 42", i+1, r.Tile)
		}
	}

	// A failure is the panel's alone and is not kept: the next request loads again.
	fail := panelSpec[int]{Name: "fail", Title: "Failing", DB: dbPG, Load: func(context.Context, int) (panelOut, error) {
		return panelOut{}, errors.New("boom")
	}}
	out := run(context.Background(), ps, "range", []panelSpec[int]{fail, {Name: "ok", Load: func(context.Context, int) (panelOut, error) {
		return panelOut{Tile: views.Tile{Value: "fine"}}, nil
	}}}, 0)
	if out[0].Tile.Unavailable != "PostgreSQL query failed (details in the server log)" || out[0].Tile.Title != "Failing" || out[1].Tile.Value != "fine" {
		t.Errorf("a failing panel beside a good one: %+v / %+v", out[0].Tile, out[1].Tile)
	}

	// A load past the panel's timeout says so.
	ps.timeout = 50 * time.Millisecond
	stuck := panelSpec[int]{Name: "stuck", DB: dbCH, Load: func(ctx context.Context, _ int) (panelOut, error) {
		<-ctx.Done()
		return panelOut{}, ctx.Err()
	}}
	if o := runOne(context.Background(), ps, "range", stuck, 0); o.Tile.Unavailable != "ClickHouse did not answer within 50ms" {
		t.Errorf("a stuck panel: %q", o.Tile.Unavailable)
	}
}

// Busy is the union of the loads' intervals: overlapping loads count once.
func TestLoadTimesBusy(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	var lt LoadTimes
	lt.add(at(0), at(30))
	lt.add(at(10), at(20)) // inside the first
	lt.add(at(25), at(50)) // overlaps its end
	lt.add(at(70), at(80)) // apart
	if got := lt.Busy(); got != 60*time.Millisecond {
		t.Errorf("busy %s; want 60ms (0–50 and 70–80)", got)
	}
}
