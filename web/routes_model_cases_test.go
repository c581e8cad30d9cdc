package web

// modelRouteCases are the route-matrix rows of the financial-model routes (web/routes_model.go).
func modelRouteCases() map[string]routeCase {
	return map[string]routeCase{}
}
