package handlers

import (
	"mari/catalogue"
	"mari/metrics"
	"mari/views"
)

// bankFeesBilledPanel: the gross transaction fee on the bank's completed transactions, before
// the bank's share.
var bankFeesBilledPanel = bankTile("bank-fees-billed", catalogue.IDFeesBilled, "Transaction fees billed",
	[]string{catalogue.IDCompleted}, false,
	func(in bankIn, m bankMonths) []string {
		return []string{views.Rand(metrics.TransactionFee) + " × " + views.Value(catalogue.Count, 0, m.total(catalogue.IDCompleted)) + " completed"}
	})
