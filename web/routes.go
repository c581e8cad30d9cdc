package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/handlers"
	"mari/queries"
	"mari/static"
)

// registerRoutes lists every route of the app in one place, each with who may use it.
// web/routes_test.go walks every registered route for every role: a new route must be added
// to its table too.
func registerRoutes(e *echo.Echo, d Deps, s *security) {
	// Public.
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/readyz", newReadiness(d).handle) // web/readyz.go
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", static.Handler())))

	signedIn := auth.Require(auth.Roles...)
	executives := auth.Require(auth.RoleExecutive) // and admins, who may use everything
	admins := auth.Require(auth.RoleAdmin)

	// Signing in and out, and one's own password.
	keys := handlers.SessionKeys{Account: sessionAccountKey, Stamp: sessionStampKey, CSRF: sessionCSRFKey}
	signin := handlers.NewSignIn(s.auth, s.sessions, keys, d.Log)
	e.GET("/signin", signin.Form)
	e.POST("/signin", signin.Submit)
	e.POST("/signout", handlers.NewSignOut(s.auth, s.sessions, keys, d.Log).Submit)
	password := handlers.NewPassword(s.auth, s.sessions, keys, d.Log)
	e.GET("/account/password", password.Form, signedIn)
	e.POST("/account/password", password.Submit, signedIn)

	// Dashboards.
	executive := handlers.NewExecutive(queries.Executive{PG: d.PG, CH: d.CH}, handlers.ExecutiveOptions{
		LaunchMonth:  d.Config.LaunchMonth,
		PanelTimeout: d.Config.PanelTimeout,
		Now:          d.Now,
		Log:          d.Log,
	})
	e.GET("/", executive.Page, executives)
	e.GET("/executive/:file", executive.CSV, executives) // :file is "<panel>.csv"
	e.GET("/glossary", handlers.Glossary, signedIn)

	// Administration.
	accounts := handlers.NewAccounts(s.auth, d.Log)
	e.GET("/admin/accounts", accounts.List, admins)
	e.POST("/admin/accounts", accounts.Create, admins)
	e.POST("/admin/accounts/:id/role", accounts.SetRole, admins)
	e.POST("/admin/accounts/:id/disable", accounts.Disable, admins)
	e.POST("/admin/accounts/:id/enable", accounts.Enable, admins)
	e.POST("/admin/accounts/:id/reset-password", accounts.ResetPassword, admins)
	e.GET("/admin/audit", handlers.NewAuditLog(d.PG, d.Log).List, admins)

	// Investor reports (executives and admins) and their public read-only links /r/:token.
	registerReportRoutes(e, d)

	// The operations wall screen and its display links (web/routes_ops.go), and the bank
	// partnership pages (web/routes_banks.go).
	registerOpsRoutes(e, d)
	registerBankRoutes(e, d)
	registerIncidentRoutes(e, d)
	registerGrowthRoutes(e, d)
	registerModelRoutes(e, d)
}
