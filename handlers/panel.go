package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/sync/singleflight"

	"mari/calendar"
	"mari/catalogue"
	"mari/views"
)

// A dashboard is made of panels: each is one file that loads its own data and builds what the
// page shows (a tile or a chart) and, for a chart, the typed table its CSV download prints.
//
// A panel loads on a context detached from the request, with its own timeout: a viewer who
// closes the tab cancels nothing that others wait for. Viewers asking for the same panel with
// the same inputs at the same time share one load (singleflight); its outcome is theirs, and a
// failure is not kept for the next request.
type panelSpec[In any] struct {
	Name   string // the CSV file's name and the DOM id
	Title  string
	Metric string // the catalogue metric a tile shows (its glossary link)
	DB     string // the database it reads, named when it is unavailable
	Chart  bool   // a chart (with a CSV), else a tile
	Tall   bool
	Load   func(ctx context.Context, in In) (panelOut, error)
}

// panelOut is what a panel shows: a tile, or a chart and its table.
type panelOut struct {
	Tile  views.Tile
	Chart views.Chart
	Table Table
}

// panels runs a dashboard's panels for its viewers.
type panels struct {
	timeout time.Duration
	log     *slog.Logger
	group   singleflight.Group
}

// run loads every panel of list concurrently for in, keyed by key (the inputs that change the
// panels' data: the range, the filters), and returns their outputs in list's order. A panel
// that fails or runs out of time shows why, in a few words; the others are unaffected.
func run[In any](ctx context.Context, ps *panels, key string, list []panelSpec[In], in In) []panelOut {
	ctx = catalogue.WithMemo(ctx) // the panels of one page share the metric inputs they load
	out := make([]panelOut, len(list))
	var wg sync.WaitGroup
	for i, p := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = runOne(ctx, ps, key, p, in)
		}()
	}
	wg.Wait()
	return out
}

func runOne[In any](ctx context.Context, ps *panels, key string, p panelSpec[In], in In) panelOut {
	kind := "tile"
	if p.Chart {
		kind = "chart" // a tile and a chart may share a name (the metric's)
	}
	ch := ps.group.DoChan(kind+"\x00"+p.Name+"\x00"+key, func() (any, error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ps.timeout)
		defer cancel()
		defer recordLoad(ctx, time.Now())
		o, err := loadPanel(lctx, ps.log, p, in)
		if err != nil && errors.Is(lctx.Err(), context.DeadlineExceeded) {
			panelTimedOut(ctx, p.Name) // once per load, however many viewers share it
		}
		return o, err
	})
	var err error
	var o panelOut
	select {
	case res := <-ch:
		if res.Err != nil {
			err = res.Err
		} else {
			o = res.Val.(panelOut)
		}
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		return unavailable(p, shortReason(err, p.DB, ps.timeout))
	}
	return o
}

// LoadTimes records when the panel loads of one request ran, so the benchmark can set a page's
// time beside the time its panels spent loading (their queries, mostly): the rest is the cost
// of everything around them (sessions, parsing, rendering).
type LoadTimes struct {
	mu    sync.Mutex
	spans [][2]time.Time
}

type loadTimesKey struct{}

// WithLoadTimes makes the panels of requests with ctx record their loads in t.
func WithLoadTimes(ctx context.Context, t *LoadTimes) context.Context {
	return context.WithValue(ctx, loadTimesKey{}, t)
}

// recordLoad records, for the benchmark, a load of ctx's page that began at start and ends now.
func recordLoad(ctx context.Context, start time.Time) {
	if t, ok := ctx.Value(loadTimesKey{}).(*LoadTimes); ok {
		t.add(start, time.Now())
	}
}

func (t *LoadTimes) add(start, end time.Time) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.spans = append(t.spans, [2]time.Time{start, end})
}

// Busy is how long at least one panel was loading: the union of the loads' intervals (they run
// concurrently), 0 when none ran.
func (t *LoadTimes) Busy() time.Duration {
	t.mu.Lock()
	spans := append([][2]time.Time(nil), t.spans...)
	t.mu.Unlock()
	slices.SortFunc(spans, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	var busy time.Duration
	var end time.Time
	for _, s := range spans {
		switch {
		case s[0].After(end):
			busy += s[1].Sub(s[0])
			end = s[1]
		case s[1].After(end):
			busy += s[1].Sub(end)
			end = s[1]
		}
	}
	return busy
}

// loadPanel runs a panel's Load, turning a panic into an error (logged with its stack).
func loadPanel[In any](ctx context.Context, log *slog.Logger, p panelSpec[In], in In) (o panelOut, err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("panel panicked", "panel", p.Name, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("panel %s panicked", p.Name)
		}
	}()
	o, err = p.Load(ctx, in)
	if err != nil {
		log.Warn("panel unavailable", "panel", p.Name, "db", p.DB, "err", err)
		return o, err
	}
	o.Tile.MetricID, o.Chart.ID = p.Metric, p.Name
	if o.Tile.Title == "" {
		o.Tile.Title = p.Title
	}
	if o.Chart.Title == "" {
		o.Chart.Title = p.Title
	}
	o.Chart.Tall = p.Tall
	return o, nil
}

// unavailable is what a panel shows when it could not load.
func unavailable[In any](p panelSpec[In], reason string) panelOut {
	if reason == "" {
		reason = "internal error (logged)"
	}
	return panelOut{
		Tile:  views.Tile{MetricID: p.Metric, Title: p.Title, Unavailable: reason},
		Chart: views.Chart{ID: p.Name, Title: p.Title, Unavailable: reason, Tall: p.Tall},
	}
}

// findPanel returns the panel of list with name.
func findPanel[In any](list []panelSpec[In], name string) (panelSpec[In], bool) {
	for _, p := range list {
		if p.Name == name {
			return p, true
		}
	}
	return panelSpec[In]{}, false
}

// Table is a panel's numbers, typed: the CSV download prints each cell exactly (plain
// decimals, SAST dates), the chart and the page format the same values.
type Table struct {
	Columns []Column
	Rows    [][]any // per cell: string, int64, decimal.Decimal, catalogue.Value, calendar.Date, bool, or nil (empty)
}

// Column names a column (as the CSV header) and says what its numbers are.
type Column struct {
	Name  string
	Unit  catalogue.Unit
	Label string // the workbook's heading; "" makes one of Name ("completed_volume" → "Completed volume (R)")
}

// cols makes columns of names; units are set per column where they matter.
func cols(names ...string) []Column {
	out := make([]Column, len(names))
	for i, n := range names {
		out[i] = Column{Name: n}
	}
	return out
}

// strings is the table as the CSV writes it.
func (t Table) strings() table {
	out := table{Header: make([]string, len(t.Columns))}
	for i, c := range t.Columns {
		out.Header[i] = c.Name
	}
	for _, r := range t.Rows {
		row := make([]string, len(r))
		for i, cell := range r {
			var unit catalogue.Unit
			if i < len(t.Columns) {
				unit = t.Columns[i].Unit
			}
			row[i] = csvCell(cell, unit)
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// csvCell is a cell as the CSV prints it: money and per-user figures to the cent, counts as
// integers, ratios in full, n/a and missing values empty.
func csvCell(cell any, unit catalogue.Unit) string {
	switch v := cell.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case bool:
		return yesNo(v)
	case calendar.Date:
		return v.String()
	case catalogue.Value:
		if !v.OK {
			return ""
		}
		return csvCell(v.V, unit)
	case decimal.Decimal:
		switch unit {
		case catalogue.Count:
			return v.Round(0).String()
		case catalogue.Ratio:
			return v.String()
		}
		return v.StringFixed(2)
	}
	return fmt.Sprint(cell)
}
