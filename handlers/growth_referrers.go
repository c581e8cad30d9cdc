package handlers

import (
	"context"
	"fmt"

	"mari/catalogue"
	"mari/metrics"
	"mari/views"
)

// referrersTablePanel: the users whose referrals signed up most in the range, by blood hash
// only, with how many of their referrals activated. A page-only table with its CSV; the page
// lays it out with referrersTable.
var referrersTablePanel = panelSpec[growthIn]{Name: "referrers", Title: "Top referrers", Metric: catalogue.IDGrowthTopReferrers,
	DB: dbPG, Chart: true,
	Load: func(ctx context.Context, in growthIn) (panelOut, error) {
		r, err := in.topReferrers(ctx)
		if err != nil {
			return panelOut{}, err
		}
		t := Table{Columns: cols("rank", "referrer_blood_hash", "referred", "activated", "activation_known", "activated_of_known", "activation_rate", "not_yet_known")}
		for i, x := range r.Top {
			t.Rows = append(t.Rows, []any{int64(i + 1), x.BloodHash, x.Referred, x.ActivatedAll,
				x.Known, x.ActivatedKnown, fraction(countRatio(x.ActivatedKnown, x.Known)), x.Referred - x.Known})
		}
		if len(r.Top) == 0 {
			return panelOut{Chart: views.Chart{Empty: "Nobody signed up through a referral in " + rangeLabel(in.f.rc.Range) + "."}, Table: t}, nil
		}
		note := fmt.Sprintf("The %d of %s referrers whose referrals signed up most in the range. Activated counts every referred user who activated; the rate counts only those whose 7 days have passed (signed up by %s).",
			len(r.Top), views.Count(r.Total), r.KnownThrough)
		return panelOut{Chart: views.Chart{Note: note}, Table: t}, nil
	}}

// referrersTable lays the referrers panel's table out on the page.
func referrersTable(chart views.Chart, t Table) views.BankTable {
	out := pageTable("Top referrers", catalogue.IDGrowthTopReferrers, chart)
	if out.Unavailable != "" {
		return out
	}
	out.Note = chart.Note
	out.Header = []string{"#", "Referrer (blood hash)", "Referred", "Activated", "Activation rate", "Not yet known"}
	out.Numeric = []bool{true, false, true, true, true, true}
	c := cellsOf(t)
	for _, r := range t.Rows {
		hash, _ := c.get(r, "referrer_blood_hash").(string)
		out.Rows = append(out.Rows, []string{views.Count(c.count(r, "rank")), hash, views.Count(c.count(r, "referred")),
			views.Count(c.count(r, "activated")), rateCell(c.rate(r, "activation_rate"), c.count(r, "activated_of_known"), c.count(r, "activation_known")),
			views.Count(c.count(r, "not_yet_known"))})
	}
	return out
}

// countRatio is num ÷ den, n/a when den is zero.
func countRatio(num, den int64) catalogue.Value {
	v, ok := metrics.RatioInt(num, den)
	return catalogue.Value{V: v, OK: ok}
}
