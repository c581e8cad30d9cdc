package web

// banksRouteCases are the route-matrix rows of the banks routes (web/routes_banks.go).
func banksRouteCases() map[string]routeCase { return map[string]routeCase{} }
