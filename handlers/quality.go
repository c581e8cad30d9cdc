package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"

	"mari/auth"
	"mari/calendar"
	"mari/catalogue"
	"mari/metrics"
	"mari/queries"
	"mari/views"
)

// QualityOptions configure the data-quality page.
type QualityOptions struct {
	PanelTimeout time.Duration    // each panel's own time limit
	Now          func() time.Time // the clock
	Log          *slog.Logger
}

// Quality serves /quality: can the numbers be trusted right now? Its panels are one file each
// (quality_*.go): freshness of each source in PostgreSQL and in ClickHouse, the two stores
// compared day by day, the rollup runs, the dead letters, and the app's own server time and
// uptime (package selfmon). The four headline tiles come from those panels.
type Quality struct {
	pg    queries.Querier
	ch    driver.Conn
	opts  QualityOptions
	group singleflight.Group
}

// NewQuality returns the handler: pg and ch are the two stores it checks.
func NewQuality(pg queries.Querier, ch driver.Conn, opts QualityOptions) *Quality {
	panelDefaults(&opts.PanelTimeout, &opts.Now, &opts.Log)
	return &Quality{pg: pg, ch: ch, opts: opts}
}

// qualityIn is what every panel loads from: the handler and the instant the page is for.
type qualityIn struct {
	h   *Quality
	now time.Time
}

// Page shows the page. Every panel loads at once; one whose database is down or slow says
// "unavailable" and why, and the rest show.
func (h *Quality) Page(c echo.Context) error {
	ctx := c.Request().Context()
	in := qualityIn{h: h, now: h.opts.Now()}
	var (
		freshPG     qualityFreshPG
		freshCH     views.QualityFreshness
		accuracy    qualityAccuracy
		rollups     views.QualityRollups
		deadLetters views.QualityDeadLetters
		server      qualityServer
		reasons     [6]string
	)
	var wg sync.WaitGroup
	wg.Go(func() { freshPG, reasons[0] = qualityPanel(ctx, in, "freshness-pg", dbPG, loadFreshnessPG) })
	wg.Go(func() { freshCH, reasons[1] = qualityPanel(ctx, in, "freshness-ch", dbCH, loadFreshnessCH) })
	wg.Go(func() { accuracy, reasons[2] = qualityPanel(ctx, in, "accuracy", dbPG+" or "+dbCH, loadAccuracy) })
	wg.Go(func() { rollups, reasons[3] = qualityPanel(ctx, in, "rollups", dbPG, loadRollupRuns) })
	wg.Go(func() { deadLetters, reasons[4] = qualityPanel(ctx, in, "dead-letters", dbPG, loadDeadLetters) })
	wg.Go(func() { server, reasons[5] = qualityPanel(ctx, in, "server", dbPG, loadServer) })
	wg.Wait()

	freshPG.Table.Unavailable, freshCH.Unavailable = reasons[0], reasons[1]
	accuracy.View.Unavailable, rollups.Unavailable, deadLetters.Unavailable = reasons[2], reasons[3], reasons[4]
	server.View.Unavailable = reasons[5]
	v := views.QualityPage{
		AsOf: in.now.In(calendar.SAST).Format("2 Jan 2006 15:04:05") + " SAST",
		Tiles: []views.QualityTile{
			qualityTileOr(freshPG.Tile, reasons[0], catalogue.IDQualityFreshness, "Data freshness", "target ≤ 5 min"),
			qualityTileOr(accuracy.Tile, reasons[2], catalogue.IDQualityAccuracy, "Data accuracy", "target ≥ 99.9%"),
			qualityTileOr(server.P95, reasons[5], catalogue.IDQualityQueryP95, "Query p95", "target ≤ 2 s"),
			qualityTileOr(server.Uptime, reasons[5], catalogue.IDQualityUptime, "Dashboard uptime", "target ≥ 99.9%"),
		},
		FreshPG: freshPG.Table, FreshCH: freshCH, Accuracy: accuracy.View, Rollups: rollups, DeadLetters: deadLetters,
		Server: server.View,
	}
	if a, ok := auth.Current(c); ok && a.Role == auth.RoleAdmin {
		v.IngestLink = true
	}
	return render(c, http.StatusOK, views.Quality(v))
}

// qualityTileOr is a panel's tile, or the tile that says why it is unavailable.
func qualityTileOr(t views.QualityTile, unavailable, id, title, target string) views.QualityTile {
	if unavailable != "" {
		return views.QualityTile{MetricID: id, Title: title, Target: target, Verdict: views.VerdictUnknown, Unavailable: unavailable}
	}
	t.MetricID, t.Title, t.Target = id, title, target
	return t
}

// dbError names the database a panel reading both stores failed on.
type dbError struct {
	db  string
	err error
}

func (e dbError) Error() string { return e.db + ": " + e.err.Error() }
func (e dbError) Unwrap() error { return e.err }

// qualityPanel loads one panel the way the dashboards' panels load (panel.go): on a context
// detached from the request, within the panel timeout, shared by the viewers who ask in the
// same second. It returns the panel, or why it could not be loaded, in a few words.
func qualityPanel[T any](ctx context.Context, in qualityIn, name, db string, load func(context.Context, qualityIn) (T, error)) (T, string) {
	h := in.h
	key := name + "\x00" + strconv.FormatInt(in.now.Unix(), 10)
	ch := h.group.DoChan(key, func() (v any, err error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.opts.PanelTimeout)
		defer cancel()
		defer func() {
			if r := recover(); r != nil {
				h.opts.Log.Error("quality panel panicked", "panel", name, "panic", r, "stack", string(debug.Stack()))
				err = fmt.Errorf("panel %s panicked", name)
			}
		}()
		v, err = load(lctx, in)
		if err != nil {
			h.opts.Log.Warn("quality panel unavailable", "panel", name, "err", err)
		}
		return v, err
	})
	var zero T
	var err error
	select {
	case res := <-ch:
		if res.Err == nil {
			return res.Val.(T), ""
		}
		err = res.Err
	case <-ctx.Done():
		err = ctx.Err()
	}
	var named dbError
	if errors.As(err, &named) {
		db = named.db
	}
	reason := shortReason(err, db, h.opts.PanelTimeout)
	if reason == "" {
		reason = "internal error (logged)"
	}
	return zero, reason
}

// verdictAtMost is whether d meets a target of at most target.
func verdictAtMost(d, target time.Duration) views.Verdict {
	if d <= target {
		return views.VerdictMet
	}
	return views.VerdictNotMet
}

// qualityClock is an instant as the page shows it: SAST, to the second (freshness is about
// minutes).
func qualityClock(t time.Time) string { return t.In(calendar.SAST).Format("2 Jan 15:04:05") }

// qualityAge is a duration in words: "12 s", "4 min 10 s", "2 h 05 min", "3 days 4 h".
func qualityAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min %02d s", s/60, s%60)
	case s < 48*3600:
		return fmt.Sprintf("%d h %02d min", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%d days %d h", s/86400, s%86400/3600)
}

// verdictOf is a target's outcome as the page's verdict.
func verdictOf(s metrics.Status) views.Verdict {
	switch s {
	case metrics.Met:
		return views.VerdictMet
	case metrics.Missed:
		return views.VerdictNotMet
	}
	return views.VerdictUnknown
}
