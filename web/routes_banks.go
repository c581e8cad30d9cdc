package web

import (
	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/handlers"
)

// registerBankRoutes adds the banks pages (issue 4). Listed here, called from registerRoutes.
// Partnership managers, executives and admins see every bank; only partnership managers and
// admins create and edit partnerships (executives read, they do not change contracts).
func registerBankRoutes(e *echo.Echo, d Deps) {
	viewers := auth.Require(auth.RolePartnerships, auth.RoleExecutive) // and admins
	editors := auth.Require(auth.RolePartnerships)                     // and admins
	banks := handlers.NewBanks(d.PG, handlers.BanksOptions{
		PanelTimeout: d.Config.PanelTimeout,
		Now:          d.Now,
		Log:          d.Log,
	})
	e.GET("/banks", banks.Overview, viewers)
	e.GET("/banks.csv", banks.OverviewCSV, viewers)
	e.GET("/banks/new", banks.NewForm, editors)
	e.POST("/banks/new", banks.Create, editors)
	e.GET("/banks/:code", banks.Bank, viewers)
	e.GET("/banks/:code/:file", banks.BankCSV, viewers) // :file is monthly.csv, status.csv or recipients.csv
	e.GET("/banks/:code/edit", banks.EditForm, editors)
	e.POST("/banks/:code/edit", banks.Edit, editors)
}
