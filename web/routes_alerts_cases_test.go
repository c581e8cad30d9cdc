package web

import "net/url"

// alertsRouteCases are the route-matrix rows of the alert routes (web/pages.go). The matrix
// runs on an empty database: no rule exists, so acting on one is a 404 for those who may, and
// an empty rule form is a 400 (no template chosen).
func alertsRouteCases() map[string]routeCase {
	empty := func(int64) url.Values { return url.Values{} }
	return map[string]routeCase{
		"GET /alerts":                            {target: "/alerts", allowed: "200"},
		"POST /alerts":                           {target: "/alerts", form: empty, allowed: "400"},
		"POST /alerts/:id/delete":                {target: "/alerts/999999/delete", form: empty, allowed: "404"},
		"POST /alerts/:id/silence":               {target: "/alerts/999999/silence", form: empty, allowed: "404"},
		"POST /alerts/:id/silences/:silence/end": {target: "/alerts/999999/silences/1/end", form: empty, allowed: "404"},
		"POST /alerts/:id/test":                  {target: "/alerts/999999/test", form: empty, allowed: "404"},
	}
}
