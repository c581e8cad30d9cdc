package handlers

import "mari/catalogue"

// bankRevenuePanel: Mari's revenue from the partnership over the range.
var bankRevenuePanel = bankTile("bank-revenue", catalogue.IDRevenue, "Mari's revenue", nil, false,
	func(in bankIn, m bankMonths) []string {
		return []string{"Mari's share of the fees + licensing fees"}
	})
