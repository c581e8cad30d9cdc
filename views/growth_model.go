package views

import "mari/calendar"

// Option is one choice of a select.
type Option struct{ Value, Label string }

// GrowthForm is the growth dashboard's filter form: the range, the signup source and the
// period sign-ups are grouped by. All of it lives in the URL.
type GrowthForm struct {
	Range   RangeForm
	Source  string // "" for every source
	By      string // "" for automatic
	Sources []Option
	Periods []Option
}

// GrowthSection is one headed group of panels.
type GrowthSection struct {
	ID, Title, HelpID string
	Note              string
	Tiles             []Tile
	Charts            []Chart
	Tables            []BankTable
}

// Growth is GET /growth.
type Growth struct {
	Form        GrowthForm
	Range       calendar.Range
	Previous    calendar.Range
	Filters     string // "All sources · by ISO week"
	Tiles       []Tile
	Sections    []GrowthSection
	GeneratedAt string
	FiguresAsOf string
}
