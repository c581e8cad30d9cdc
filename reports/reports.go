// Package reports computes the figures of a monthly investor report from the rollups, through
// the executive dashboard's own queries (each metric is defined once), and freezes them as
// JSON when a report is published. Growth is always against the previous calendar month, and
// is "n/a" when the previous month's value is zero.
package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/catalogue"
	"mari/metrics"
	"mari/queries"
)

// Source is what the figures are read from; queries.Executive implements it.
type Source interface {
	Monthly(ctx context.Context, r calendar.Range) ([]queries.Month, error)
	TotalUsersAt(ctx context.Context, d calendar.Date) (int64, error)
	Milestones(ctx context.Context) ([]metrics.Milestone, error)
	FirstSignup(ctx context.Context) (time.Time, bool, error)
}

// Period is one calendar month's figures. Decimals marshal as JSON strings, so frozen money
// keeps every cent exactly.
type Period struct {
	Month              string          `json:"month"` // YYYY-MM
	TotalUsers         int64           `json:"total_users"`
	NewUsers           int64           `json:"new_users"`
	MAU                int64           `json:"mau"`
	Transactions       int64           `json:"transactions"`
	CompletedVolume    decimal.Decimal `json:"completed_volume"`
	TransactionRevenue decimal.Decimal `json:"transaction_revenue"` // Mari's share of the fees billed
	LicensingRevenue   decimal.Decimal `json:"licensing_revenue"`
	Revenue            decimal.Decimal `json:"revenue"`
	RollupDays         int64           `json:"rollup_days"`     // days of the month with a rollup row
	RollupComplete     bool            `json:"rollup_complete"` // every day has a row computed after it ended
}

// NorthStar is the month's progress towards the north-star milestone it is heading for.
type NorthStar struct {
	Known           bool            `json:"known"`  // the launch month is known and the month is not before it
	Launch          string          `json:"launch"` // YYYY-MM
	MonthN          int             `json:"month_n"`
	Volume          decimal.Decimal `json:"volume"`           // the month's completed volume
	MilestoneN      int             `json:"milestone_n"`      // 0: no milestone ahead
	MilestoneMonth  string          `json:"milestone_month"`  // YYYY-MM
	MilestoneVolume decimal.Decimal `json:"milestone_volume"` // the target
}

// PercentOfTarget is the month's volume as a fraction of the milestone's target.
func (n NorthStar) PercentOfTarget() (decimal.Decimal, bool) {
	if !n.Known || n.MilestoneN == 0 {
		return decimal.Zero, false
	}
	return metrics.Ratio(n.Volume, n.MilestoneVolume)
}

// Figures are everything a report shows in numbers.
type Figures struct {
	Current    Period    `json:"current"`
	Previous   Period    `json:"previous"` // the previous calendar month
	NorthStar  NorthStar `json:"north_star"`
	ComputedAt time.Time `json:"computed_at"`
}

// Compute reads the figures of the calendar month containing month. launch is the configured
// launch month; zero means the month of the first sign-up, as on the executive dashboard.
func Compute(ctx context.Context, src Source, month, launch calendar.Date, now time.Time) (Figures, error) {
	month = month.MonthStart()
	prev := month.AddMonths(-1)
	f := Figures{ComputedAt: now}
	months, err := src.Monthly(ctx, calendar.Range{From: prev, To: month.MonthEnd()})
	if err != nil {
		return f, err
	}
	if len(months) != 2 || !months[0].Month.Equal(prev) || !months[1].Month.Equal(month) {
		return f, fmt.Errorf("reports: monthly rollup returned %d months for %s", len(months), month.MonthKey())
	}
	for i, p := range []*Period{&f.Previous, &f.Current} {
		m := months[i]
		total, err := src.TotalUsersAt(ctx, m.Month.MonthEnd())
		if err != nil {
			return f, err
		}
		days := int64(m.Month.DaysUntil(m.Month.MonthEnd()) + 1)
		*p = Period{
			Month:              m.Month.MonthKey(),
			TotalUsers:         total,
			NewUsers:           m.NewUsers,
			MAU:                m.MAU,
			Transactions:       m.TotalTransactions,
			CompletedVolume:    m.CompletedVolume,
			TransactionRevenue: m.TransactionRevenue,
			LicensingRevenue:   m.LicensingRevenue,
			Revenue:            m.Revenue(),
			RollupDays:         m.Days,
			RollupComplete:     m.Days == days && m.AllDaysComplete,
		}
	}
	f.NorthStar, err = northStar(ctx, src, month, launch, f.Current.CompletedVolume)
	return f, err
}

func northStar(ctx context.Context, src Source, month, launch calendar.Date, volume decimal.Decimal) (NorthStar, error) {
	n := NorthStar{Volume: volume}
	if launch.IsZero() {
		first, ok, err := src.FirstSignup(ctx)
		if err != nil || !ok {
			return n, err
		}
		launch = calendar.DateOf(first)
	}
	launch = launch.MonthStart()
	n.Launch = launch.MonthKey()
	if month.Before(launch) {
		return n, nil
	}
	n.Known = true
	n.MonthN = launch.MonthsUntil(month) + 1
	milestones, err := src.Milestones(ctx)
	if err != nil {
		return n, err
	}
	for _, m := range milestones { // in month order: the first one not yet behind us
		if m.N >= n.MonthN {
			n.MilestoneN, n.MilestoneVolume = m.N, m.Volume
			n.MilestoneMonth = launch.AddMonths(m.N - 1).MonthKey()
			break
		}
	}
	return n, nil
}

// Ended reports whether the calendar month has ended (SAST) at now.
func Ended(month calendar.Date, now time.Time) bool {
	return !now.Before(month.MonthEnd().End())
}

// CanPublish says why these figures cannot be frozen yet ("" when they can): the month must
// be over and every one of its days rolled up after it ended.
func (f Figures) CanPublish(month calendar.Date, now time.Time) string {
	if !Ended(month, now) {
		return fmt.Sprintf("%s has not ended yet: the draft shows figures so far, and it can be published from %s.",
			month.Time().Format("January 2006"), month.MonthEnd().AddDays(1).String())
	}
	if !f.Current.RollupComplete {
		days := month.DaysUntil(month.MonthEnd()) + 1
		return fmt.Sprintf("The rollups of %s are not final yet (%d of %d days rolled up after they ended); publish once the nightly rollup has run.",
			month.Time().Format("January 2006"), f.Current.RollupDays, days)
	}
	return ""
}

// Marshal is the frozen form stored with a published report.
func (f Figures) Marshal() ([]byte, error) { return json.Marshal(f) }

// Unmarshal reads frozen figures.
func Unmarshal(b []byte) (Figures, error) {
	var f Figures
	err := json.Unmarshal(b, &f)
	return f, err
}

// Kind says how a line's value is shown.
type Kind int

const (
	Count Kind = iota
	Money
)

// Line is one figure of the report with its previous month and growth.
type Line struct {
	Key        string
	Label      string
	GlossaryID string
	Kind       Kind
	Current    decimal.Decimal
	Previous   decimal.Decimal
	Growth     decimal.Decimal
	GrowthOK   bool // false: the previous month's value is zero ("n/a")
}

// Lines are the report's figures in the order the report shows them.
func (f Figures) Lines() []Line {
	c, p := f.Current, f.Previous
	n := decimal.NewFromInt
	lines := []Line{
		{Key: "total_users", Label: "Total users (end of month)", GlossaryID: catalogue.IDTotalUsers, Kind: Count, Current: n(c.TotalUsers), Previous: n(p.TotalUsers)},
		{Key: "new_users", Label: "New users", GlossaryID: catalogue.IDNewUsers, Kind: Count, Current: n(c.NewUsers), Previous: n(p.NewUsers)},
		{Key: "mau", Label: "Monthly active users", GlossaryID: catalogue.IDMAU, Kind: Count, Current: n(c.MAU), Previous: n(p.MAU)},
		{Key: "transactions", Label: "Transactions", GlossaryID: catalogue.IDTransactions, Kind: Count, Current: n(c.Transactions), Previous: n(p.Transactions)},
		{Key: "completed_volume", Label: "Completed volume", GlossaryID: catalogue.IDCompletedVolume, Kind: Money, Current: c.CompletedVolume, Previous: p.CompletedVolume},
		{Key: "revenue", Label: "Revenue (Mari's)", GlossaryID: catalogue.IDRevenue, Kind: Money, Current: c.Revenue, Previous: p.Revenue},
		{Key: "transaction_revenue", Label: "of which transaction fees, net of the banks' shares", GlossaryID: catalogue.IDTransactionRevenue, Kind: Money, Current: c.TransactionRevenue, Previous: p.TransactionRevenue},
		{Key: "licensing_revenue", Label: "of which licensing fees", GlossaryID: catalogue.IDLicensingRevenue, Kind: Money, Current: c.LicensingRevenue, Previous: p.LicensingRevenue},
	}
	for i := range lines {
		lines[i].Growth, lines[i].GrowthOK = metrics.Growth(lines[i].Current, lines[i].Previous)
	}
	return lines
}

// Change is one figure that differs between two versions of a report.
type Change struct {
	Label    string
	Kind     Kind
	Old, New decimal.Decimal
}

// Changes lists the figures of the month that differ from old to new, in report order.
func Changes(old, new Figures) []Change {
	before := map[string]Line{}
	for _, l := range old.Lines() {
		before[l.Key] = l
	}
	var out []Change
	for _, l := range new.Lines() {
		if o := before[l.Key]; !o.Current.Equal(l.Current) {
			out = append(out, Change{Label: l.Label, Kind: l.Kind, Old: o.Current, New: l.Current})
		}
	}
	return out
}
