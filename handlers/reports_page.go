package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/calendar"
	"mari/queries"
	"mari/reports"
	"mari/views"
)

// linkViewsShown bounds the view log on a report's page.
const linkViewsShown = 200

// report loads a report; missing is the status for an id that does not exist (404 for a page,
// 400 for an action).
func (h *Reports) report(ctx context.Context, id int64, missing int) (queries.Report, error) {
	r, ok, err := queries.ReportByID(ctx, h.db, id)
	if err != nil {
		return r, err
	}
	if !ok {
		return r, echo.NewHTTPError(missing, fmt.Sprintf("There is no report %d.", id))
	}
	return r, nil
}

// figures are a report's numbers: frozen for a published report, live for a draft.
func (h *Reports) figures(ctx context.Context, r queries.Report) (reports.Figures, error) {
	if r.Published() {
		return reports.Unmarshal(r.Figures)
	}
	ctx, cancel := context.WithTimeout(ctx, h.opts.Timeout)
	defer cancel()
	return reports.Compute(ctx, queries.Executive{PG: h.db}, r.Month, h.opts.LaunchMonth, h.opts.Now())
}

// page builds the staff page of report id; typed, when set, refills the narrative form with
// what was submitted.
func (h *Reports) page(c echo.Context, id int64, typed *queries.Narrative) (views.ReportPage, error) {
	ctx := c.Request().Context()
	missing := http.StatusNotFound
	if c.Request().Method != http.MethodGet {
		missing = http.StatusBadRequest
	}
	r, err := h.report(ctx, id, missing)
	if err != nil {
		return views.ReportPage{}, err
	}
	versions, err := queries.ReportVersions(ctx, h.db, r.Month)
	if err != nil {
		return views.ReportPage{}, err
	}
	f, ferr := h.figures(ctx, r)
	if ferr != nil {
		if r.Published() {
			return views.ReportPage{}, ferr // frozen figures that cannot be read are a bug
		}
		h.opts.Log.Warn("report figures unavailable", "report", r.ID, "err", ferr)
	}
	p := views.ReportPage{
		ID:             r.ID,
		CSRF:           auth.CSRFToken(c),
		Body:           reportBody(r, versions, f, ferr),
		Draft:          !r.Published(),
		SaveHref:       reportHref(r.ID),
		PublishHref:    reportHref(r.ID) + "/publish",
		NewVersionHref: "/reports/" + r.Month.MonthKey() + "/new-version",
		LinksHref:      reportHref(r.ID) + "/links",
		LinkForm:       views.ReportLinkForm{Days: strconv.Itoa(defaultLinkDays)},
		Form: views.ReportNarrativeForm{
			Milestones: r.Milestones, Challenges: r.Challenges, NextGoals: r.NextMonthGoals,
			MaxChars: MaxNarrativeChars,
		},
	}
	if typed != nil {
		p.Form.Milestones, p.Form.Challenges, p.Form.NextGoals = typed.Milestones, typed.Challenges, typed.NextMonthGoals
	}
	if p.Draft {
		if ferr != nil {
			p.PublishBlock = "The figures cannot be computed right now, so the report cannot be published."
		} else {
			p.PublishBlock = f.CanPublish(r.Month, h.opts.Now())
		}
	}
	for _, v := range versions {
		p.Versions = append(p.Versions, views.ReportVersionLink{
			Href: reportHref(v.ID), Label: fmt.Sprintf("Version %d", v.Version), Status: v.Status, Current: v.ID == r.ID,
		})
		if r.Published() && v.Published() && v.Version > r.Version && v.PublishedAt != nil {
			p.SupersededBy = fmt.Sprintf("Version %d (published %s) supersedes this version: read it instead.", v.Version, sastTime(*v.PublishedAt))
			p.SupersededHref = reportHref(v.ID)
		}
	}
	if r.Published() {
		if err := h.fillLinks(ctx, &p, r.ID); err != nil {
			return p, err
		}
	}
	return p, nil
}

func (h *Reports) fillLinks(ctx context.Context, p *views.ReportPage, reportID int64) error {
	links, err := queries.LinkList(ctx, h.db, reportID)
	if err != nil {
		return err
	}
	now := h.opts.Now()
	for _, l := range links {
		state := l.State(now)
		row := views.ReportLinkRow{
			ID:          l.ID,
			NumberLabel: "link " + strconv.FormatInt(l.ID, 10),
			Recipient:   l.RecipientName,
			Created:     sastTime(l.CreatedAt) + " by " + l.CreatedByEmail,
			Expires:     sastTime(l.ExpiresAt),
			State:       state,
			Views:       views.Count(l.Views),
			RevokeHref:  fmt.Sprintf("%s/links/%d/revoke", reportHref(reportID), l.ID),
			RotateHref:  fmt.Sprintf("%s/links/%d/rotate", reportHref(reportID), l.ID),
			CanRevoke:   state == queries.LinkActive,
			CanRotate:   state != queries.LinkRevoked,
		}
		if l.RevokedAt != nil {
			row.Revoked = "on " + sastTime(*l.RevokedAt)
		}
		if l.ReplacedBy != nil {
			row.ReplacedBy = "replaced by link " + strconv.FormatInt(*l.ReplacedBy, 10)
		}
		p.Links = append(p.Links, row)
	}
	vs, err := queries.LinkViews(ctx, h.db, reportID, linkViewsShown)
	if err != nil {
		return err
	}
	for _, v := range vs {
		p.Views = append(p.Views, views.ReportLinkView{
			When: sastTime(v.ViewedAt), Recipient: v.RecipientName,
			Link: "link " + strconv.FormatInt(v.LinkID, 10), IP: v.IP, UserAgent: v.UserAgent,
		})
	}
	return nil
}

// reportBody is the report as staff, investors and paper see it. versions are the month's
// versions; f are r's figures (ferr: they could not be computed).
func reportBody(r queries.Report, versions []queries.Report, f reports.Figures, ferr error) views.ReportBody {
	b := views.ReportBody{
		MonthLabel:    reportMonthName(r.Month),
		PreviousLabel: reportMonthName(r.Month.AddMonths(-1)),
		VersionLabel:  fmt.Sprintf("Version %d", r.Version),
		Status:        "Draft",
		Live:          !r.Published(),
		Milestones:    r.Milestones,
		Challenges:    r.Challenges,
		NextGoals:     r.NextMonthGoals,
	}
	if r.PublishedAt != nil {
		b.Status = "Published " + sastTime(*r.PublishedAt) + " SAST"
	}
	if ferr != nil {
		b.Unavailable = "The live figures are unavailable right now (the database did not answer); reload to try again."
		return b
	}
	for _, l := range f.Lines() {
		row := views.ReportFigure{
			Label: l.Label, GlossaryID: l.GlossaryID,
			Value: formatLine(l.Kind, l.Current), Previous: formatLine(l.Kind, l.Previous),
			Growth: views.NA, GrowthClass: "flat",
			Sub: l.Key == "transaction_revenue" || l.Key == "licensing_revenue",
		}
		if l.GrowthOK {
			row.Growth = views.SignedPercent(l.Growth, 1)
			// Colour what the reader sees: a change that rounds to +0.0% is flat, not growth.
			switch shown := l.Growth.Shift(2).Round(1); {
			case shown.IsPositive():
				row.GrowthClass = "up"
			case shown.IsNegative():
				row.GrowthClass = "down"
			}
		}
		b.Figures = append(b.Figures, row)
	}
	b.NorthStar = northStarLines(f.NorthStar)
	if !reports.Ended(r.Month, f.ComputedAt) {
		b.NorthStar = append(b.NorthStar, "The month is not over: every figure is month to date.")
	}
	// The published version this one supersedes (or, for a draft, will supersede).
	var prev *queries.Report
	for i := range versions {
		v := versions[i]
		if v.Published() && v.Version < r.Version && (prev == nil || v.Version > prev.Version) {
			prev = &v
		}
	}
	if prev != nil && prev.PublishedAt != nil {
		verb := "supersedes"
		if !r.Published() {
			verb = "will supersede"
		}
		b.Supersedes = fmt.Sprintf("Version %d %s version %d, published %s SAST.", r.Version, verb, prev.Version, sastTime(*prev.PublishedAt))
		if old, err := reports.Unmarshal(prev.Figures); err == nil {
			for _, ch := range reports.Changes(old, f) {
				b.Changes = append(b.Changes, views.ReportChange{
					Label: ch.Label, Old: formatLine(ch.Kind, ch.Old), New: formatLine(ch.Kind, ch.New),
				})
			}
			b.NoChanges = len(b.Changes) == 0
		}
	}
	return b
}

// formatLine shows a figure exactly: counts grouped, money to the cent.
func formatLine(k reports.Kind, v decimal.Decimal) string {
	if k == reports.Money {
		return views.Rand(v)
	}
	return views.Count(v.IntPart())
}

// northStarLines say where the month stands against the milestone it is heading for.
func northStarLines(n reports.NorthStar) []string {
	if !n.Known {
		return []string{"North-star progress: n/a (the launch month is unknown, or this month is before it)."}
	}
	launch, _ := calendar.ParseMonth(n.Launch)
	out := []string{fmt.Sprintf("Month %d since launch (launch month %s): completed volume %s.",
		n.MonthN, reportMonthName(launch), views.Rand(n.Volume))}
	if n.MilestoneN == 0 {
		return append(out, "Every north-star milestone is behind this month: there is no target ahead.")
	}
	due, _ := calendar.ParseMonth(n.MilestoneMonth)
	pct, ok := n.PercentOfTarget()
	share := views.NA
	if ok {
		share = views.Percent(pct, 2)
	}
	return append(out, fmt.Sprintf("Heading for the month-%d milestone (%s): %s of completed volume in a month. This month reached %s of it.",
		n.MilestoneN, reportMonthName(due), views.Rand(n.MilestoneVolume), share))
}
