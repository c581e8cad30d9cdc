package handlers

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"mari/rollup"
)

// CohortsInput asks for the cohorts of a range.
type CohortsInput struct {
	RangeParams
}

// APICohortCell is one cell of the retention heatmap: a signup month's users active in one
// month since sign-up.
type APICohortCell struct {
	CohortMonth       string  `json:"cohort_month" example:"2026-03" doc:"The calendar month (SAST) the cohort signed up in."`
	MonthsSinceSignup int64   `json:"months_since_signup" doc:"0 is the signup month."`
	ActivityMonth     string  `json:"activity_month" example:"2026-05"`
	CohortSize        *int64  `json:"cohort_size" doc:"Users who signed up in the cohort month; null for a month that has not begun."`
	ActiveUsers       *int64  `json:"active_users" doc:"Of them, those who sent a transaction in the activity month; null for a month that has not begun."`
	Retention         *string `json:"retention" doc:"active_users / cohort_size as a decimal fraction; null when it cannot be computed or the month has not begun."`
	State             string  `json:"state" enum:"complete,month_to_date,not_begun" doc:"month_to_date: the current month, still counting; not_begun: a month after today, no figure."`
}

// CohortsOutput is the heatmap's cells.
type CohortsOutput struct {
	Body struct {
		Meta
		From  string          `json:"from" format:"date"`
		To    string          `json:"to" format:"date"`
		Cells []APICohortCell `json:"cells" doc:"One per signup month of the range (at least the 12 ending with the range's last month, at most the latest 36) and month since sign-up, as the growth page's heatmap draws them."`
	}
}

// Cohorts is the growth page's retention heatmap, cell by cell.
func (a *API) Cohorts(ctx context.Context, in *CohortsInput) (*CohortsOutput, error) {
	caller, err := apiCaller(ctx)
	if err != nil {
		return nil, err
	}
	if caller.Bank != "" {
		return nil, huma.Error403Forbidden("this key sees one bank's figures, and the signup cohorts are not broken down by bank")
	}
	now := a.Now()
	rc, err := a.rangeOf(ctx, in.RangeParams, now)
	if err != nil {
		return nil, err
	}
	o, err := heatmapChartPanel.Load(ctx, a.GrowthPages.input(growthFilter{rc: rc}, now))
	if err != nil {
		return nil, a.logged("cohorts", err)
	}
	asOf, err := a.rollupAsOfFor(ctx, rollup.JobCohorts)
	if err != nil {
		return nil, a.logged("cohorts", err)
	}
	out := &CohortsOutput{}
	b := &out.Body
	b.Meta, b.From, b.To = meta(asOf), rc.Range.From.String(), rc.Range.To.String()
	t := o.Table
	b.Cells = make([]APICohortCell, 0, len(t.Rows))
	for _, row := range t.Rows {
		c := APICohortCell{CohortMonth: tableString(t, row, 0), ActivityMonth: tableString(t, row, 2),
			CohortSize: tableCount(t, row, 3), ActiveUsers: tableCount(t, row, 4), Retention: tableText(t, row, 5)}
		if n := tableCount(t, row, 1); n != nil {
			c.MonthsSinceSignup = *n
		}
		switch mtd, _ := row[6].(bool); {
		case c.CohortSize == nil:
			c.State = "not_begun"
		case mtd:
			c.State = "month_to_date"
		default:
			c.State = "complete"
		}
		b.Cells = append(b.Cells, c)
	}
	return out, nil
}
