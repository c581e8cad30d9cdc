package handlers

import (
	"context"

	"mari/catalogue"
	"mari/views"
)

// volumePanel: completed volume over the range against the previous period.
var volumePanel = rangeTile("completed-volume", catalogue.IDCompletedVolume, func(ctx context.Context, in execIn) ([]string, error) {
	vol, err := in.ask(ctx, catalogue.IDCompletedVolume, in.rc.Range, catalogue.Month)
	if err != nil {
		return nil, err
	}
	// The completed and initiated counts of the same range and definition (one query: the
	// metrics share the range's daily facts).
	tx, err := in.ask(ctx, catalogue.IDTransactions, in.rc.Range, catalogue.Month)
	if err != nil {
		return nil, err
	}
	rate, err := in.ask(ctx, catalogue.IDSuccessRate, in.rc.Range, catalogue.Month)
	if err != nil {
		return nil, err
	}
	lines := []string{views.Value(catalogue.Rand, 2, vol.Total)}
	lines = append(lines, views.Value(catalogue.Count, 0, tx.Total)+" transactions initiated, "+
		views.Value(catalogue.Ratio, 2, rate.Total)+" of those final completed")
	return lines, nil
})
