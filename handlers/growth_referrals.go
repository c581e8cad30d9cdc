package handlers

import (
	"context"

	"mari/catalogue"
	"mari/metrics"
	"mari/views"
)

// referralsTilePanel: referral sign-ups in the range (every source is compared, so the source
// filter does not apply), their share of all sign-ups and how many users referred them.
var referralsTilePanel = panelSpec[growthIn]{Name: "referrals", Title: "Referrals made", Metric: catalogue.IDGrowthReferrals, DB: dbPG,
	Load: func(ctx context.Context, in growthIn) (panelOut, error) {
		m := catalogue.Must(catalogue.IDGrowthReferrals)
		var referred, all catalogue.Series
		var refs referrersData
		var refsErr error
		err := atOnce(ctx,
			func(ctx context.Context) (err error) {
				referred, err = in.ask(ctx, m.ID, in.f.rc.Range, catalogue.Month, "")
				return err
			},
			func(ctx context.Context) (err error) {
				all, err = in.ask(ctx, catalogue.IDGrowthSignups, in.f.rc.Range, catalogue.Month, "")
				return err
			},
			// The referrers' count is the top-referrers query's; when it alone fails, the
			// tile still shows the referrals.
			func(ctx context.Context) error {
				refs, refsErr = in.topReferrers(ctx)
				return nil
			})
		if err != nil {
			return panelOut{}, err
		}
		t := metricTile(m, referred.Total)
		if share := ratioOfValues(referred.Total, all.Total); share.OK {
			t.Lines = append(t.Lines, views.Percent(share.V, 1)+" of "+views.Value(catalogue.Count, 0, all.Total)+" sign-ups")
		}
		if refsErr == nil {
			t.Lines = append(t.Lines, "from "+views.Count(refs.Total)+" referrers")
		}
		return panelOut{Tile: t}, nil
	}}

// ratioOfValues is a ÷ b, n/a when either is n/a or b is zero.
func ratioOfValues(a, b catalogue.Value) catalogue.Value {
	if !a.OK || !b.OK {
		return catalogue.NA
	}
	v, ok := metrics.Ratio(a.V, b.V)
	return catalogue.Value{V: v, OK: ok}
}
