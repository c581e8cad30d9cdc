package handlers

import (
	"mari/catalogue"
	"mari/views"
)

// bankLicensingPanel: the bank's licensing fees accrued over the range's days in force.
var bankLicensingPanel = bankTile("bank-licensing", catalogue.IDLicensingRevenue, "Licensing fees", nil, false,
	func(in bankIn, m bankMonths) []string {
		return []string{views.Rand(in.p.MonthlyFee) + " a month, accrued per day in force"}
	})
