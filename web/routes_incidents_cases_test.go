package web

import "net/url"

// incidentsRouteCases are the route-matrix rows of the incident routes
// (web/pages.go). The matrix runs on an empty database: no incident exists, so
// changing one is a 404 for those who may, and an empty form is a 400.
func incidentsRouteCases() map[string]routeCase {
	empty := func(int64) url.Values { return url.Values{} }
	return map[string]routeCase{
		"GET /incidents":          {target: "/incidents", allowed: "200"},
		"POST /incidents":         {target: "/incidents", form: empty, allowed: "400"},
		"POST /incidents/:id":     {target: "/incidents/999999", form: empty, allowed: "404"},
		"POST /incidents/:id/end": {target: "/incidents/999999/end", form: empty, allowed: "404"},
	}
}
