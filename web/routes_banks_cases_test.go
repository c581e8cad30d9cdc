package web

import "net/url"

// banksRouteCases are the route-matrix rows of the banks routes (web/pages.go). The
// matrix runs on an empty database: no bank exists, so a bank's pages are 404 for those who
// may see them, and an empty form is a 400.
func banksRouteCases() map[string]routeCase {
	empty := func(int64) url.Values { return url.Values{} }
	return map[string]routeCase{
		"GET /banks":             {target: "/banks", allowed: "200"},
		"GET /banks.csv":         {target: "/banks.csv", allowed: "200"},
		"GET /banks.xlsx":        {target: "/banks.xlsx", allowed: "200"},
		"GET /banks/new":         {target: "/banks/new", allowed: "200"},
		"POST /banks/new":        {target: "/banks/new", form: empty, allowed: "400"},
		"GET /banks/:code":       {target: "/banks/NOSUCH", allowed: "404"},
		"GET /banks/:code/:file": {target: "/banks/NOSUCH/monthly.csv", allowed: "404"},
		"GET /banks/:code/edit":  {target: "/banks/NOSUCH/edit", allowed: "404"},
		"POST /banks/:code/edit": {target: "/banks/NOSUCH/edit", form: empty, allowed: "404"},
	}
}
