package handlers

import (
	"context"

	"mari/catalogue"
	"mari/queries"
	"mari/views"
)

// bankP95Panel: the exact p95 processing time of the bank's final transactions in the range
// (nearest rank from the latency histograms), against the contract's SLA.
var bankP95Panel = panelSpec[bankIn]{Name: "bank-p95", Title: "p95 processing time", Metric: catalogue.IDBankP95, DB: dbPG,
	Load: func(ctx context.Context, in bankIn) (panelOut, error) {
		pr, err := queries.BankProcessingP95(ctx, in.h.db, in.p.Code, in.rc.Range)
		if err != nil {
			return panelOut{}, err
		}
		t := views.Tile{Target: "SLA ≤ " + views.Count(in.p.SLAP95ms) + " ms"}
		if pr.Final == 0 {
			t.Value, t.Status = views.NA, "no data"
			t.Lines = []string{"no final transactions in the range"}
			return panelOut{Tile: t}, nil
		}
		t.Value = views.Count(pr.P95ms) + " ms"
		t.Status = slaStatus(pr.P95ms, in.p.SLAP95ms)
		t.Lines = []string{"of " + views.Count(pr.Final) + " final transactions"}
		return panelOut{Tile: t}, nil
	}}

// slaStatus: the SLA is met when the p95 is at most the agreed milliseconds.
func slaStatus(p95, sla int64) string {
	if p95 <= sla {
		return "met"
	}
	return "missed"
}
