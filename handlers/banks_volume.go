package handlers

import (
	"context"

	"mari/catalogue"
	"mari/views"
)

// bankVolumePanel: the bank's completed volume over the range, with the transactions it came
// from.
var bankVolumePanel = bankTile("bank-volume", catalogue.IDCompletedVolume, "Completed volume",
	[]string{catalogue.IDTransactions, catalogue.IDCompleted}, false,
	func(in bankIn, m bankMonths) []string {
		return []string{views.Value(catalogue.Count, 0, m.total(catalogue.IDTransactions)) + " transactions, " +
			views.Value(catalogue.Count, 0, m.total(catalogue.IDCompleted)) + " completed"}
	})

// bankTile is a tile showing the bank's metric id over the range (the catalogue's metric
// filtered by the bank: compact money with the exact amount on hover). Its small print
// (lines) reads the totals of the metrics also and, when withFailed, the failed transactions.
func bankTile(name, id, title string, also []string, withFailed bool, lines func(in bankIn, m bankMonths) []string) panelSpec[bankIn] {
	metric := catalogue.Must(id)
	ids := append([]string{id}, also...)
	return panelSpec[bankIn]{Name: name, Title: title, Metric: id, DB: dbPG,
		Load: func(ctx context.Context, in bankIn) (panelOut, error) {
			m, err := in.months(ctx, withFailed, ids...)
			if err != nil {
				return panelOut{}, err
			}
			t := metricTile(metric, m.total(id))
			if lines != nil {
				t.Lines = lines(in, m)
			}
			return panelOut{Tile: t}, nil
		}}
}
