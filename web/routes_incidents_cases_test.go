package web

import "net/url"

// incidentsRouteCases are the route-matrix rows of the incident routes
// (web/routes_incidents.go). The matrix runs on an empty database: no incident exists, so
// changing one is a 404 for those who may, and an empty form is a 400.
func incidentsRouteCases() map[string]routeCase {
	empty := func(int64) url.Values { return url.Values{} }
	return map[string]routeCase{
		"GET /incidents":          {target: "/incidents", want: [5]string{"303 /signin", "200", "200", "200", "403"}},
		"POST /incidents":         {target: "/incidents", form: empty, want: [5]string{"401", "400", "400", "400", "403"}},
		"POST /incidents/:id":     {target: "/incidents/999999", form: empty, want: [5]string{"401", "404", "404", "404", "403"}},
		"POST /incidents/:id/end": {target: "/incidents/999999/end", form: empty, want: [5]string{"401", "404", "404", "404", "403"}},
	}
}
