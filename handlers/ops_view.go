package handlers

import (
	"slices"
	"strconv"
	"time"

	"mari/views"
)

// The page and its JSON refresh are built from the same panel outputs by the same functions:
// a figure's text is the panel's tile, and a chart's refresh is the data of the very options
// the page draws (chartData), so the wall screen after a refresh shows exactly what a reload
// would.

// opsPanelJSON is one chart panel in GET /ops/data.
type opsPanelJSON struct {
	Unavailable string         `json:"unavailable,omitempty"` // why the panel has no data now
	Update      map[string]any `json:"update,omitempty"`      // ECharts setOption patch (data only)
	Empty       string         `json:"empty,omitempty"`       // why the chart has nothing to draw
}

// opsTileJSON is one headline figure's alarm state in GET /ops/data, by the data-ops-field
// name of its value.
type opsTileJSON struct {
	Level       string `json:"level"`                 // ok, amber, red; "" for no alarm levels
	Word        string `json:"word"`                  // what the tile says beside its colour
	Unavailable string `json:"unavailable,omitempty"` // why the figure could not be read now
}

// opsJSON is GET /ops/data.
type opsJSON struct {
	ServerTime    time.Time               `json:"serverTime"`
	UpdatedSAST   string                  `json:"updatedSast"` // hh:mm:ss
	NewestMinute  string                  `json:"newestMinuteSast,omitempty"`
	NewestAgeSec  *int64                  `json:"newestAgeSeconds"` // null when unknown
	Freshness     string                  `json:"freshness"`        // fresh, amber, red, unknown
	Unavailable   []string                `json:"unavailable"`      // panels that failed
	SourceMessage string                  `json:"sourceMessage,omitempty"`
	Panels        map[string]opsPanelJSON `json:"panels"`
	Text          map[string]string       `json:"text"` // what the page shows, by data-ops-field
	Tiles         map[string]opsTileJSON  `json:"tiles"`
	Numbers       opsNumbers              `json:"numbers"`
	Alerts        *opsBannerJSON          `json:"alerts,omitempty"` // the firing alert rules (PostgreSQL)
}

// opsNumbers are the raw numbers (for machines and tests), read from the panels' tables: the
// numbers the CSVs print. Text has them as the page shows them.
type opsNumbers struct {
	PerMinute      []uint64  `json:"perMinute"`
	Minutes        []string  `json:"minutesSast"`
	Completed24h   uint64    `json:"completed24h"`
	Failed24h      uint64    `json:"failed24h"`
	SuccessRate    *float64  `json:"successRate"`
	Hours          []string  `json:"hoursSast"`
	P50            []*int64  `json:"p50Ms"` // null for an hour without final events
	P95            []*int64  `json:"p95Ms"`
	HourEvents     []uint64  `json:"hourFinalEvents"` // the final events each hour's percentiles are of
	ErrorReasons   []string  `json:"errorReasons"`
	ErrorRates     []float64 `json:"errorRates"`
	MinuteNow      uint64    `json:"currentMinute"`
	MinuteLastWeek uint64    `json:"sameMinuteLastWeek"`
	OpenIncidents  int64     `json:"openIncidents"` // PostgreSQL
	StuckPending   int64     `json:"stuckPending"`  // PostgreSQL: pending over 10 minutes
}

// figureText is what a headline figure shows: its value and the line under it, or why it is
// unavailable.
func figureText(o panelOut) (value, line string) {
	if o.Tile.Unavailable != "" {
		return dash, "unavailable — " + o.Tile.Unavailable
	}
	if len(o.Tile.Lines) > 0 {
		line = o.Tile.Lines[0]
	}
	return o.Tile.Value, line
}

// opsData is the refresh: the status, every figure's text, every chart's data and the raw
// numbers.
func opsData(l opsLoad) opsJSON {
	now := l.in.now
	j := opsJSON{ServerTime: now.UTC(), UpdatedSAST: sastClock(now, "15:04:05"), Unavailable: []string{},
		Panels: map[string]opsPanelJSON{}, Text: map[string]string{"updated": sastClock(now, "15:04:05")}, Tiles: map[string]opsTileJSON{}}
	failed := func(name, reason string) {
		if reason == "" {
			return
		}
		if !slices.Contains(j.Unavailable, name) {
			j.Unavailable = append(j.Unavailable, name)
		}
		if j.SourceMessage == "" {
			j.SourceMessage = reason
		}
	}

	minute, age, ok := newestOf(l.newest)
	j.Freshness = opsFreshness(age, ok)
	if ok {
		s := int64(age / time.Second)
		j.NewestAgeSec, j.NewestMinute = &s, sastClock(minute, "15:04")
	}
	j.Text["newest.age"], _ = figureText(l.newest)
	failed(newestPanel.Name, l.newest.Tile.Unavailable)

	j.Numbers = opsNumbersOf(l)
	for i, f := range opsFigures {
		o := l.figures[i]
		j.Text[f.field], j.Text[f.detail] = figureText(o)
		failed(f.panel.Name, o.Tile.Unavailable)
		t := opsTileJSON{Unavailable: o.Tile.Unavailable}
		if t.Unavailable == "" {
			t.Level = figureLevel(f.panel.Name, j.Numbers, l.levels)
			t.Word = levelWords[t.Level]
		}
		j.Tiles[f.field] = t
	}
	for i, c := range opsCharts {
		o := l.charts[i]
		p := opsPanelJSON{Unavailable: o.Chart.Unavailable}
		if p.Unavailable == "" {
			options, _ := o.Chart.Options.(map[string]any)
			p.Update = chartData(options)
			p.Empty = chartEmpty(c.panel.Name, j.Numbers)
		}
		j.Panels[c.panel.Name] = p
		failed(c.panel.Name, o.Chart.Unavailable)
	}
	j.Alerts = l.banner
	return j
}

// chartEmpty says why a chart has nothing to draw ("" when it has): a blank chart reads as
// broken, and a filtered bank may simply have had no payments.
func chartEmpty(name string, n opsNumbers) string {
	final := n.Completed24h + n.Failed24h
	switch name {
	case perMinuteChart.panel.Name:
		for _, m := range n.PerMinute {
			if m > 0 {
				return ""
			}
		}
		return "No data: no payment initiated in the last 60 minutes."
	case successGaugeChart.panel.Name, processingTimeChart.panel.Name:
		if final == 0 {
			return "No data: no payment completed or failed in the last 24 hours."
		}
	case errorRateChart.panel.Name:
		if final == 0 {
			return "No data: no payment completed or failed in the last 24 hours."
		}
		if n.Failed24h == 0 {
			return "No failed payments in the last 24 hours."
		}
	}
	return ""
}

// opsNumbersOf reads the raw numbers from the panels' tables.
func opsNumbersOf(l opsLoad) opsNumbers {
	var n opsNumbers
	table := func(outs []panelOut, i int) [][]any { return outs[i].Table.Rows }
	for i, c := range opsCharts {
		rows := table(l.charts, i)
		switch c.panel.Name {
		case perMinuteChart.panel.Name:
			for _, r := range rows {
				n.PerMinute, n.Minutes = append(n.PerMinute, cellCount(r[1])), append(n.Minutes, cellClock(r[0], "15:04"))
			}
		case successGaugeChart.panel.Name:
			for _, r := range rows {
				n.Completed24h, n.Failed24h, n.SuccessRate = cellCount(r[1]), cellCount(r[2]), cellRate(r[3])
			}
		case processingTimeChart.panel.Name:
			for _, r := range rows {
				n.Hours = append(n.Hours, cellClock(r[0], "15:04"))
				n.P50, n.P95, n.HourEvents = append(n.P50, cellMS(r[1])), append(n.P95, cellMS(r[2])), append(n.HourEvents, cellCount(r[3]))
			}
		case errorRateChart.panel.Name:
			for _, r := range rows {
				reason, _ := r[0].(string)
				rate := cellRate(r[3])
				if rate == nil {
					continue
				}
				n.ErrorReasons, n.ErrorRates = append(n.ErrorReasons, reason), append(n.ErrorRates, *rate)
			}
		}
	}
	for i, f := range opsFigures {
		rows := table(l.figures, i)
		if len(rows) == 0 {
			continue
		}
		switch f.panel.Name {
		case thisMinuteTile.panel.Name:
			n.MinuteNow, n.MinuteLastWeek = cellCount(rows[0][1]), cellCount(rows[0][3])
		case openIncidentsTile.panel.Name:
			n.OpenIncidents, _ = rows[0][0].(int64)
		case stuckPaymentsTile.panel.Name:
			n.StuckPending, _ = rows[0][0].(int64)
		}
	}
	return n
}

// opsViewOptions are how a page shows the dashboard: signed in, or through a display link.
type opsViewOptions struct {
	DataURL              string
	CSV                  bool
	CSVQuery             string // the filter, carried into the CSV links
	WallHref, NormalHref string
	Title                string
}

// opsView is the page: the refresh's texts in their places, and the charts the refresh's data
// comes from.
func opsView(l opsLoad, o opsViewOptions) views.Ops {
	j := opsData(l)
	v := views.Ops{Wall: l.in.wall, DataURL: o.DataURL, Updated: j.UpdatedSAST, NewestAge: j.Text["newest.age"],
		Freshness: j.Freshness, WallHref: o.WallHref, NormalHref: o.NormalHref, Title: o.Title, SourceMessage: j.SourceMessage,
		Alerts: bannerView(j.Alerts)}
	if j.NewestAgeSec != nil {
		v.AgeSeconds = strconv.FormatInt(*j.NewestAgeSec, 10)
	}
	if v.Title == "" {
		v.Title = "Operations"
	}
	for i, f := range opsFigures {
		t := j.Tiles[f.field]
		v.Figures = append(v.Figures, views.OpsFigure{Label: l.figures[i].Tile.Title, MetricID: f.panel.Metric,
			Field: f.field, Value: j.Text[f.field], DetailField: f.detail, Detail: j.Text[f.detail],
			Level: t.Level, Word: t.Word})
	}
	for i, c := range opsCharts {
		out := l.charts[i]
		options := out.Chart.Options
		if out.Chart.Unavailable != "" || options == nil {
			options = c.empty(l.in.wall)
		}
		p := views.OpsChart{ID: c.panel.Name, Title: out.Chart.Title, MetricID: c.panel.Metric, Options: options,
			Unavailable: out.Chart.Unavailable, Empty: j.Panels[c.panel.Name].Empty}
		if o.CSV {
			p.CSVHref = withQuery("/ops/"+c.panel.Name+".csv", o.CSVQuery)
		}
		v.Charts = append(v.Charts, p)
	}
	if o.CSV {
		v.WeekCSV = withQuery("/ops/"+thisMinuteTile.panel.Name+".csv", o.CSVQuery)
	}
	return v
}
