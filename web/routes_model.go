package web

import (
	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/handlers"
)

// registerModelRoutes adds the financial-model scenario editor (issue 5). Listed here, called
// from registerRoutes. Executives own the model: they edit, clone, restore, re-forecast and
// import scenarios (and admins, who may do everything). Every other signed-in role reads it.
// The live preview computes without saving, but it serves the editor's inputs, which only
// writers see, so it is a writer's route too.
func registerModelRoutes(e *echo.Echo, d Deps) {
	readers := auth.Require(auth.RoleOps, auth.RolePartnerships, auth.RoleExecutive) // and admins
	writers := auth.Require(auth.RoleExecutive)                                      // and admins
	model := handlers.NewModel(d.PG, handlers.ModelOptions{
		LaunchMonth:  d.Config.LaunchMonth,
		PanelTimeout: d.Config.PanelTimeout,
		Now:          d.Now,
		Log:          d.Log,
	})
	e.GET("/model", model.List, readers)
	e.GET("/model/compare", model.Compare, readers)
	e.POST("/model/import", model.Import, writers)
	e.GET("/model/:id", model.Editor, readers) // :id is "seed" or a scenario number
	e.POST("/model/:id", model.Save, writers)
	e.POST("/model/:id/preview", model.Preview, writers)
	e.POST("/model/:id/clone", model.Clone, writers)
	e.GET("/model/:id/history", model.History, readers)
	e.POST("/model/:id/restore/:version", model.Restore, writers)
	e.GET("/model/:id/sensitivity", model.Sensitivity, readers)
	e.GET("/model/:id/actuals", model.Actuals, readers)
	e.POST("/model/:id/reforecast", model.Reforecast, writers)
	e.GET("/model/:id/:file", model.File, readers) // assumptions.csv, results.csv, monthly.csv, sensitivity.csv, actuals.csv, scenario.xlsx
}
