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

// timeouts counts what a PanelObserver hears.
type timeouts struct {
	mu    sync.Mutex
	panel map[string]int
}

func (o *timeouts) PanelTimedOut(panel string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.panel[panel]++
}

// A panel load that runs out of its own time is told to the request's observer once, however
// many viewers shared it; a failure of another kind, a viewer who leaves, and a request
// without an observer are not timeouts.
func TestPanelTimeoutsAreObservedOncePerLoad(t *testing.T) {
	ps := &panels{timeout: 50 * time.Millisecond, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	obs := &timeouts{panel: map[string]int{}}
	ctx := WithPanelObserver(context.Background(), obs)
	var loads atomic.Int32
	stuck := panelSpec[int]{Name: "stuck", DB: dbPG, Load: func(ctx context.Context, _ int) (panelOut, error) {
		loads.Add(1)
		<-ctx.Done()
		return panelOut{}, ctx.Err()
	}}
	failing := panelSpec[int]{Name: "failing", DB: dbPG, Load: func(context.Context, int) (panelOut, error) {
		return panelOut{}, errors.New("boom")
	}}
	fine := panelSpec[int]{Name: "fine", Load: func(context.Context, int) (panelOut, error) {
		return panelOut{Tile: views.Tile{Value: "1"}}, nil
	}}

	// Five viewers of one page at once: the stuck panel's one load times out once.
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := run(ctx, ps, "range", []panelSpec[int]{stuck, failing, fine}, 0)
			if out[0].Tile.Unavailable != "PostgreSQL did not answer within 50ms" {
				t.Errorf("stuck panel: %q", out[0].Tile.Unavailable)
			}
		}()
	}
	wg.Wait()
	// However many loads the five shared (one, unless a viewer came late), each counts once.
	loadsBefore := int(loads.Load())
	if got := obs.panel; len(got) != 1 || got["stuck"] != loadsBefore || loadsBefore < 1 || loadsBefore > 5 {
		t.Fatalf("observed %v for %d loads; want one timeout of stuck per load", got, loadsBefore)
	}
	t.Logf("five viewers, %d load(s) of the stuck panel", loadsBefore)

	// A viewer who leaves before the panel's own timeout: not a timeout of the panel.
	leaving, leave := context.WithCancel(ctx)
	leave()
	slowButFine := panelSpec[int]{Name: "slow", Load: func(ctx context.Context, _ int) (panelOut, error) {
		time.Sleep(10 * time.Millisecond)
		return panelOut{Tile: views.Tile{Value: "2"}}, nil
	}}
	if o := runOne(leaving, ps, "other", slowButFine, 0); o.Tile.Unavailable != "request cancelled" {
		t.Errorf("a viewer who left: %q", o.Tile.Unavailable)
	}

	// Without an observer: nothing to tell, nothing breaks.
	if o := runOne(context.Background(), ps, "third", stuck, 0); o.Tile.Unavailable == "" {
		t.Error("stuck panel without an observer loaded")
	}
	time.Sleep(20 * time.Millisecond)
	if got := obs.panel; len(got) != 1 || got["stuck"] != loadsBefore {
		t.Errorf("observed %v after the others; want stuck still at %d", got, loadsBefore)
	}
}
