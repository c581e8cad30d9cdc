package views

import "mari/calendar"

// The view models the templates render. Handlers compute every number; templates only lay
// them out.

// Page is what every page's layout needs.
type Page struct {
	Title  string
	Active string // "executive", "glossary", or ""
	// Charts loads ECharts (1 MB as written, 300 KB compressed): only pages that draw a chart
	// set it, so sign-in, the glossary, incidents and the rest do without.
	Charts bool
}

// Tile is one headline number.
type Tile struct {
	MetricID    string   // glossary anchor
	Title       string   // "Total users"
	Value       string   // "12 345" or "n/a"
	Exact       string   // exact value shown on hover (title attribute), optional
	Lines       []string // small print under the value
	Delta       string   // "+12.3% vs 1–26 Oct"; "" for none
	DeltaClass  string   // "up", "down", "flat"
	Target      string   // "target ≥ 97.00%"; "" for none
	Status      string   // "met", "missed", "no data"; "" for none
	Unavailable string   // reason the tile could not be computed; "" when fine
	Live        bool
}

// Chart is one chart panel; Options is the ECharts option object, emitted as JSON.
type Chart struct {
	ID          string // DOM id base, also the CSV panel name
	Title       string
	Note        string
	Notes       []string
	CSVHref     string
	Options     any
	Unavailable string
	Empty       string // message when there is no data to draw
	Tall        bool
}

// PresetLink is one quick range choice.
type PresetLink struct {
	Label, Href string
	Active      bool
}

// RangeForm is the date-range selector's state (always in the URL).
type RangeForm struct {
	From, To string
	Preset   string // a relative choice's preset, posted back so unchanged dates stay relative
	Presets  []PresetLink
	Error    string
}

// Executive is the executive dashboard.
type Executive struct {
	Form        RangeForm
	Range       calendar.Range
	Previous    calendar.Range
	Tiles       []Tile
	KPIs        []Tile
	Charts      []Chart
	GeneratedAt string
	FiguresAsOf string // how fresh the rollups behind the page are
}
