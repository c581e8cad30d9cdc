package web

import "net/url"

// modelRouteCases are the route-matrix rows of the financial-model routes (web/routes_model.go).
// The matrix runs on an empty database: no scenario is stored, so a stored scenario's pages
// are 404 for those who may use them; the built-in seed plan ("seed") is always there. Empty
// forms are 400 (no name, no values, no file), and saving or restoring the seed plan is
// refused.
func modelRouteCases() map[string]routeCase {
	empty := func(int64) url.Values { return url.Values{} }
	readers := [5]string{"303 /signin", "200", "200", "200", "200"}
	return map[string]routeCase{
		"GET /model":                       {target: "/model", want: readers},
		"GET /model/compare":               {target: "/model/compare?s=seed&s=seed", want: readers},
		"POST /model/import":               {target: "/model/import", form: empty, want: [5]string{"401", "400", "400", "403", "403"}},
		"GET /model/:id":                   {target: "/model/seed", want: readers},
		"POST /model/:id":                  {target: "/model/999999", form: empty, want: [5]string{"401", "404", "404", "403", "403"}},
		"POST /model/:id/preview":          {target: "/model/seed/preview", form: empty, want: [5]string{"401", "200", "200", "403", "403"}},
		"POST /model/:id/clone":            {target: "/model/seed/clone", form: empty, want: [5]string{"401", "400", "400", "403", "403"}},
		"GET /model/:id/history":           {target: "/model/seed/history", want: readers},
		"POST /model/:id/restore/:version": {target: "/model/999999/restore/1", form: empty, want: [5]string{"401", "404", "404", "403", "403"}},
		"GET /model/:id/sensitivity":       {target: "/model/seed/sensitivity", want: readers},
		"GET /model/:id/actuals":           {target: "/model/seed/actuals", want: readers},
		"POST /model/:id/reforecast":       {target: "/model/seed/reforecast", form: empty, want: [5]string{"401", "400", "400", "403", "403"}},
		"GET /model/:id/:file":             {target: "/model/seed/scenario.xlsx", want: readers},
	}
}
