package handlers

import (
	"mari/catalogue"
	"mari/views"
)

// bankSuccessRatePanel: the share of the bank's final transactions in the range that completed.
var bankSuccessRatePanel = bankTile("bank-success-rate", catalogue.IDSuccessRate, "Success rate",
	[]string{catalogue.IDCompleted}, true,
	func(in bankIn, m bankMonths) []string {
		return []string{views.Value(catalogue.Count, 0, m.total(catalogue.IDCompleted)) + " completed, " +
			views.Count(m.failedTotal()) + " failed"}
	})
