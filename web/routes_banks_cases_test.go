package web

import "net/url"

// banksRouteCases are the route-matrix rows of the banks routes (web/routes_banks.go). The
// matrix runs on an empty database: no bank exists, so a bank's pages are 404 for those who
// may see them, and an empty form is a 400.
func banksRouteCases() map[string]routeCase {
	empty := func(int64) url.Values { return url.Values{} }
	return map[string]routeCase{
		"GET /banks":             {target: "/banks", want: [5]string{"303 /signin", "200", "200", "403", "200"}},
		"GET /banks.csv":         {target: "/banks.csv", want: [5]string{"303 /signin", "200", "200", "403", "200"}},
		"GET /banks/new":         {target: "/banks/new", want: [5]string{"303 /signin", "200", "403", "403", "200"}},
		"POST /banks/new":        {target: "/banks/new", form: empty, want: [5]string{"401", "400", "403", "403", "400"}},
		"GET /banks/:code":       {target: "/banks/NOSUCH", want: [5]string{"303 /signin", "404", "404", "403", "404"}},
		"GET /banks/:code/:file": {target: "/banks/NOSUCH/monthly.csv", want: [5]string{"303 /signin", "404", "404", "403", "404"}},
		"GET /banks/:code/edit":  {target: "/banks/NOSUCH/edit", want: [5]string{"303 /signin", "404", "403", "403", "404"}},
		"POST /banks/:code/edit": {target: "/banks/NOSUCH/edit", form: empty, want: [5]string{"401", "404", "403", "403", "404"}},
	}
}
