package handlers

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// opsShareFor is how long a statement's successful result serves every panel and viewer asking
// for the same filter: shorter than the wall screen's poll, so that each screen sees new
// numbers at every poll. opsFreshShare is how long it serves once newer events have landed in
// ClickHouse (the ingestion shipper's count moved on): a streamed event shows within about a
// second plus its shipping, while screens polling together still share one query set.
const (
	opsShareFor   = 5 * time.Second
	opsFreshShare = time.Second
)

// opsReads shares the operations dashboard's statements among its panels and its viewers.
//
// Viewers asking at the same time share one run of a statement (singleflight). That alone is
// not enough for this page: wall screens, display links and signed-in tabs poll every 5 s,
// each at its own moment, and a load takes milliseconds, so their loads seldom overlap and ten
// screens would cost ten query sets every 5 s. So the last successful result of each
// statement (per filter and minute) is also kept for opsShareFor, and any number of screens
// showing the same filter cost ClickHouse at most one query set per 5 s (auto-refresh that
// re-runs every query for every viewer is how BI tools topple their databases). A failure is
// never kept: the next poll asks again, so a recovered source shows at once.
//
// A statement runs on a context detached from whoever asked first, with the panel timeout: a
// viewer who closes the tab cancels nothing that others wait for. A shared result is read by
// every panel that asked for it and must not be changed.
type opsReads struct {
	timeout time.Duration
	// landed counts the rows the ingestion shipper has written to ClickHouse; nil when nothing
	// streams in this process.
	landed func() uint64
	clock  func() time.Time // the wall clock, for opsShareFor (not OpsOptions.Now, which tests pin)
	group  singleflight.Group

	mu   sync.Mutex
	kept map[string]keptRead
}

// keptRead is a statement's last successful result, when it was read, and how many streamed
// rows had landed then.
type keptRead struct {
	at     time.Time
	landed uint64
	v      any
}

// read returns load's result for key: one kept from the last opsShareFor, or that of a run
// shared with every caller asking for key meanwhile. The caller stops waiting when its ctx
// ends; the run goes on for the others.
func read[T any](ctx context.Context, r *opsReads, key string, load func(context.Context) (T, error)) (T, error) {
	var zero T
	if v, ok := r.recent(key); ok {
		return v.(T), nil
	}
	ch := r.group.DoChan(key, func() (v any, err error) {
		// A run that ended just before this one began may have kept its result.
		if v, ok := r.recent(key); ok {
			return v, nil
		}
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("ops statement %s panicked: %v", key, p)
			}
		}()
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
		defer cancel()
		res, err := load(lctx)
		if err != nil {
			return nil, err
		}
		r.keep(key, res)
		return res, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return zero, res.Err
		}
		return res.Val.(T), nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// recent is key's kept result when it is younger than opsShareFor.
func (r *opsReads) recent(key string) (any, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.kept[key]
	if !ok {
		return nil, false
	}
	age := r.clock().Sub(k.at)
	if age >= opsShareFor || (age >= opsFreshShare && r.landedNow() != k.landed) {
		return nil, false
	}
	return k.v, true
}

// keep stores key's result and forgets every result too old to serve, so the map holds only
// the filters shown in the last few seconds.
func (r *opsReads) keep(key string, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock()
	for k, old := range r.kept {
		if now.Sub(old.at) >= opsShareFor {
			delete(r.kept, k)
		}
	}
	if r.kept == nil {
		r.kept = map[string]keptRead{}
	}
	r.kept[key] = keptRead{at: now, landed: r.landedNow(), v: v}
}

func (r *opsReads) landedNow() uint64 {
	if r.landed == nil {
		return 0
	}
	return r.landed()
}
