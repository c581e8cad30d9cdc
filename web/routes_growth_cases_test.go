package web

// growthRouteCases are the route-matrix rows of the growth routes (web/pages.go).
// Executives and admins see the dashboard; an unknown CSV panel is a 404.
func growthRouteCases() map[string]routeCase {
	return map[string]routeCase{
		"GET /growth":       {target: "/growth", allowed: "200"},
		"GET /growth/:file": {target: "/growth/signups.csv", allowed: "200"},
	}
}
