package handlers

import (
	"context"
	"fmt"
	"time"

	"mari/catalogue"
	"mari/views"
)

// newestPanel: how long ago the newest event of the whole stream arrived, for the status line
// and its freshness indicator. Its table holds the newest minute and the age in seconds, from
// which the wall screen keeps ageing the figure between refreshes.
var newestPanel = panelSpec[opsIn]{Name: "newest", Title: "Newest event", Metric: catalogue.IDOpsNewestEvent, DB: dbCH,
	Load: func(ctx context.Context, in opsIn) (panelOut, error) {
		n, err := in.newest(ctx)
		if err != nil {
			return panelOut{}, err
		}
		t := Table{Columns: []Column{{Name: "newest_minute_sast"}, {Name: "age_seconds", Unit: catalogue.Count}}}
		if !n.OK {
			return panelOut{Tile: views.Tile{Value: dash}, Table: t}, nil // no event since yesterday
		}
		age := newestAge(in.now, n.Minute)
		t.Rows = [][]any{{opsMinute(n.Minute), int64(age / time.Second)}}
		return panelOut{Tile: views.Tile{Value: humanAge(age), Lines: []string{sastClock(n.Minute, "15:04")}}, Table: t}, nil
	}}

const dash = "—"

// newestAge is how long ago the newest event was, measured from the end of its minute (the
// pre-aggregation's resolution), never negative.
func newestAge(now, minute time.Time) time.Duration {
	return max(now.Sub(minute.Add(time.Minute)), 0)
}

// newestOf reads the newest-event panel's table: the newest minute and its age.
func newestOf(o panelOut) (minute time.Time, age time.Duration, ok bool) {
	if o.Tile.Unavailable != "" || len(o.Table.Rows) == 0 {
		return minute, 0, false
	}
	r := o.Table.Rows[0]
	m, _ := r[0].(opsMinute)
	s, _ := r[1].(int64)
	return time.Time(m), time.Duration(s) * time.Second, true
}

// opsFreshness is the status line's indicator: amber after a minute without new events, red after
// five, unknown when no event is known (or the stream cannot be read).
func opsFreshness(age time.Duration, ok bool) string {
	switch {
	case !ok:
		return "unknown"
	case age >= opsRedAfter:
		return "red"
	case age >= opsAmberAfter:
		return "amber"
	}
	return "fresh"
}

func humanAge(a time.Duration) string {
	s := int64(a / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds ago", s)
	case s < 3600:
		return fmt.Sprintf("%dm %02ds ago", s/60, s%60)
	}
	return fmt.Sprintf("%dh %02dm ago", s/3600, (s%3600)/60)
}
