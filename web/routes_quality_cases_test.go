package web

// qualityRouteCases are the route-matrix rows of the data-quality page (web/pages.go): for
// ops, executives and admins; partnership managers get the 403 page. On the empty test
// database every panel has nothing to measure, and says so.
func qualityRouteCases() map[string]routeCase {
	return map[string]routeCase{
		"GET /quality": {target: "/quality", allowed: "200"},
	}
}
