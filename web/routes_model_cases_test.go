package web

import "net/url"

// modelRouteCases are the route-matrix rows of the financial-model routes (web/pages.go).
// The matrix runs on an empty database: no scenario is stored, so a stored scenario's pages
// are 404 for those who may use them; the built-in seed plan ("seed") is always there. Empty
// forms are 400 (no name, no values, no file), and saving or restoring the seed plan is
// refused.
func modelRouteCases() map[string]routeCase {
	empty := func(int64) url.Values { return url.Values{} }
	return map[string]routeCase{
		"GET /model":                       {target: "/model", allowed: "200"},
		"GET /model/compare":               {target: "/model/compare?s=seed&s=seed", allowed: "200"},
		"POST /model/import":               {target: "/model/import", form: empty, allowed: "400"},
		"GET /model/:id":                   {target: "/model/seed", allowed: "200"},
		"POST /model/:id":                  {target: "/model/999999", form: empty, allowed: "404"},
		"POST /model/:id/preview":          {target: "/model/seed/preview", form: empty, allowed: "200"},
		"POST /model/:id/clone":            {target: "/model/seed/clone", form: empty, allowed: "400"},
		"GET /model/:id/history":           {target: "/model/seed/history", allowed: "200"},
		"POST /model/:id/restore/:version": {target: "/model/999999/restore/1", form: empty, allowed: "404"},
		"GET /model/:id/sensitivity":       {target: "/model/seed/sensitivity", allowed: "200"},
		"GET /model/:id/actuals":           {target: "/model/seed/actuals", allowed: "200"},
		"POST /model/:id/reforecast":       {target: "/model/seed/reforecast", form: empty, allowed: "400"},
		"GET /model/:id/:file":             {target: "/model/seed/scenario.xlsx", allowed: "200"},
	}
}
