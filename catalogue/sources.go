package catalogue

import (
	"context"
	"fmt"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"golang.org/x/sync/singleflight"

	"mari/metrics"
	"mari/queries"
)

// Sources are the databases the metrics read. Loads of the same input (the same statement
// over the same range and filters) that run at the same time share one query: a page's
// panels, or many viewers of one page, ask for the same daily facts at once.
type Sources struct {
	PG queries.Querier
	CH driver.Conn

	group singleflight.Group
}

// NewSources returns the metrics' view of the two databases.
func NewSources(pg queries.Querier, ch driver.Conn) *Sources {
	return &Sources{PG: pg, CH: ch}
}

// shared runs load once for every concurrent caller with the same key. A failure is not
// kept: the next caller after it tries again. Within one page (a context made by WithMemo)
// each input is loaded once, whenever its panels ask for it.
func shared[T any](ctx context.Context, s *Sources, key string, load func(context.Context) (T, error)) (T, error) {
	flight := func() (any, error) {
		v, err, _ := s.group.Do(key, func() (any, error) { return load(ctx) })
		return v, err
	}
	var v any
	var err error
	if m, ok := ctx.Value(memoKey{}).(*memo); ok {
		v, err = m.do(key, flight)
	} else {
		v, err = flight()
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// A memo keeps the inputs one page has loaded: its panels ask for the same daily facts over
// the same range again and again (every tile of a range, each part of the revenue), one after
// another, which singleflight alone (in flight only) would load each time.
type memo struct {
	mu    sync.Mutex
	calls map[string]*memoCall
	cover *factsCover
}

type memoCall struct {
	done chan struct{}
	v    any
	err  error
}

type memoKey struct{}

// WithMemo returns a context under which each metric input is loaded at most once: the
// context of one page's panels.
func WithMemo(ctx context.Context) context.Context {
	if _, ok := ctx.Value(memoKey{}).(*memo); ok {
		return ctx
	}
	return context.WithValue(ctx, memoKey{}, &memo{calls: map[string]*memoCall{}})
}

func (m *memo) do(key string, load func() (any, error)) (any, error) {
	m.mu.Lock()
	c, ok := m.calls[key]
	if !ok {
		c = &memoCall{done: make(chan struct{})}
		m.calls[key] = c
	}
	m.mu.Unlock()
	if ok {
		<-c.done
		return c.v, c.err
	}
	defer close(c.done)
	c.v, c.err = load()
	return c.v, c.err
}

func key(parts ...any) string { return fmt.Sprint(parts...) }

// Targets reads the KPI targets (kpi_targets), keyed by Metric.Target; shared like the facts.
func (s *Sources) Targets(ctx context.Context) (map[string]metrics.Target, error) {
	return shared(ctx, s, "targets", func(ctx context.Context) (map[string]metrics.Target, error) {
		return queries.ExecKPITargets(ctx, s.PG)
	})
}
