package web

// growthRouteCases are the route-matrix rows of the growth routes (web/routes_growth.go).
// Executives and admins see the dashboard; an unknown CSV panel is a 404.
func growthRouteCases() map[string]routeCase {
	return map[string]routeCase{
		"GET /growth":       {target: "/growth", want: [5]string{"303 /signin", "200", "200", "403", "403"}},
		"GET /growth/:file": {target: "/growth/signups.csv", want: [5]string{"303 /signin", "200", "200", "403", "403"}},
	}
}
