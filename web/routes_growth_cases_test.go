package web

// growthRouteCases are the route-matrix rows of the growth routes (web/routes_growth.go).
func growthRouteCases() map[string]routeCase {
	return map[string]routeCase{}
}
