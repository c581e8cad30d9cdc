package web

// opsRouteCases are the route-matrix rows of the ops routes (web/routes_ops.go).
func opsRouteCases() map[string]routeCase { return map[string]routeCase{} }
