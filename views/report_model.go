package views

// View models of the investor-report pages (staff) and the shared read-only page (investors).

// ReportFigure is one line of a report's figures table.
type ReportFigure struct {
	Label       string
	GlossaryID  string
	Value       string
	Previous    string
	Growth      string // "+12.3%", or "n/a" when the previous month is zero
	GrowthClass string // "up", "down", "flat"
	Sub         bool   // a breakdown line ("of which ...")
}

// ReportChange is one figure that changed between versions: "old → new".
type ReportChange struct {
	Label, Old, New string
}

// ReportBody is what both the staff page and the shared page show.
type ReportBody struct {
	MonthLabel    string // "February 2026"
	PreviousLabel string // "January 2026"
	VersionLabel  string // "Version 2"
	Status        string // "Published 3 March 2026" / "Draft"
	Live          bool   // a draft: figures live, not frozen
	Figures       []ReportFigure
	Unavailable   string // the live figures could not be computed
	NorthStar     []string
	Milestones    string
	Challenges    string
	NextGoals     string
	Supersedes    string // "Version 2 supersedes version 1 (published ...)"; "" for the first
	Changes       []ReportChange
	NoChanges     bool // supersedes a version and no figure changed
	// SupersededNote is shown on the shared page of a version that a newer published version
	// corrects (as text: the shared page links nowhere).
	SupersededNote string
}

// ReportVersionLink is one version in the list of a month's versions.
type ReportVersionLink struct {
	Href, Label, Status string
	Current             bool
}

// ReportLinkRow is one read-only link in the staff page.
type ReportLinkRow struct {
	ID          int64
	Recipient   string
	Created     string
	Expires     string
	State       string // active, expired, revoked
	Revoked     string
	ReplacedBy  string
	Views       string
	RevokeHref  string
	RotateHref  string
	CanRevoke   bool
	CanRotate   bool
	NumberLabel string // "link 12"
}

// ReportLinkView is one logged view of a link.
type ReportLinkView struct {
	When, Recipient, Link, IP, UserAgent string
}

// ReportPage is GET /reports/:id.
type ReportPage struct {
	ID             int64
	CSRF           string
	Body           ReportBody
	Draft          bool
	SaveHref       string
	PublishHref    string
	NewVersionHref string
	PublishBlock   string // why it cannot be published yet; "" when it can
	SupersededBy   string // an older version: the newer published version's note
	SupersededHref string
	Versions       []ReportVersionLink
	Form           ReportNarrativeForm
	Notice         string
	Error          string
	// Links (published reports only).
	LinksHref  string
	Links      []ReportLinkRow
	Views      []ReportLinkView
	NewLinkURL string // shown once, right after the link is made
	NewLinkFor string
	LinkForm   ReportLinkForm
}

// ReportNarrativeForm is the draft's narrative as typed.
type ReportNarrativeForm struct {
	Milestones, Challenges, NextGoals string
	MaxChars                          int
}

// ReportLinkForm is the new-link form as typed.
type ReportLinkForm struct {
	Recipient, Days string
	Error           string
}

// ReportListMonth is one month of GET /reports.
type ReportListMonth struct {
	MonthLabel string
	Versions   []ReportVersionLink
}

// ReportList is GET /reports.
type ReportList struct {
	CSRF         string
	Months       []ReportListMonth
	DefaultMonth string // YYYY-MM
	MaxMonth     string
	Error        string
}
