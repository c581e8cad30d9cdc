package handlers

import (
	"mari/catalogue"
	"mari/views"
)

// bankSharePanel: what the bank receives of the fees billed on its transactions.
var bankSharePanel = bankTile("bank-share", catalogue.IDBankShare, "Bank's share", nil, false,
	func(in bankIn, m bankMonths) []string {
		return []string{views.Percent(in.p.BankShare, 2) + " of the fees billed, to the cent per month"}
	})
