package views

// Ops is the operations dashboard, signed in (/ops) or on a wall screen through a display link
// (/display/<token>).
type Ops struct {
	Title         string
	Wall          bool   // no navigation, dark theme, large numerals, fills the screen
	DataURL       string // polled every 10 s by static/ops.js
	Updated       string // hh:mm:ss SAST of the numbers shown
	NewestAge     string // how long ago the newest event arrived ("3m 22s ago"; "—" when unknown)
	Freshness     string // fresh, amber, red, unknown
	AgeSeconds    string // age of the newest event in seconds; "" when unknown
	SourceMessage string // why a panel is unavailable; "" when all are up
	Figures       []OpsFigure
	Charts        []OpsChart
	WeekCSV       string
	WallHref      string
	NormalHref    string

	Filter OpsFilterForm // the bank/channel filter (signed-in page only)
	Alerts OpsAlerts     // the banner of firing alert rules
}

// OpsAlerts is the banner of the alert rules firing; the refresh rewrites it.
type OpsAlerts struct {
	Shown       bool // the dashboard has an alerts source
	Firing      int  // rules firing
	Loud        int  // of them, not silenced
	Title       string
	Items       []OpsAlert
	Unavailable string
}

// OpsAlert is one firing rule in the banner.
type OpsAlert struct {
	Name, Since, Detail string
	Silenced            bool
}

// OpsFigure is one headline figure: its value and the line under it, each in an element the
// refresh rewrites by its data-ops-field name.
type OpsFigure struct {
	Label, MetricID     string
	Field, Value        string
	DetailField, Detail string
	Level               string // ok, amber, red; "" for a figure without alarm levels
	Word                string // the level in words ("▲ Warning"), never colour alone
}

// OpsFilterForm is the operations dashboard's bank and channel filter.
type OpsFilterForm struct {
	Bank, Channel string   // chosen ("" for all)
	Label         string   // what the filter shows, for the title ("" for everything)
	Banks         []Option // every bank partnership
	Channels      []Option
}

// OpsChart is one chart panel.
type OpsChart struct {
	ID, Title, MetricID string
	Options             any
	Unavailable         string
	Empty               string // why the chart has nothing to draw; "" when it has
	CSVHref             string
}

// DisplayLinksPage is /ops/display-links.
type DisplayLinksPage struct {
	Links   []DisplayLinkRow
	Name    string // refills the form after an error
	Error   string
	NewURL  string // the new link, shown once
	NewName string
	Revoked bool
}

// DisplayLinkRow is one display link in the list.
type DisplayLinkRow struct {
	ID        int64
	Name      string
	CreatedBy string
	CreatedAt string
	RevokedAt string // "" while active
}

func boolAttr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
