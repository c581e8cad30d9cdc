package handlers

import "mari/catalogue"

// bankMariSharePanel: what Mari keeps of the fees billed on the bank's transactions.
var bankMariSharePanel = bankTile("bank-mari-share", catalogue.IDTransactionRevenue, "Mari's share", nil, false,
	func(in bankIn, m bankMonths) []string {
		return []string{"the fees billed less the bank's share"}
	})
