package web

// transactionsRouteCases are the route-matrix rows of the transactions routes (web/pages.go).
// Every role may list transactions, partnership managers only with a bank in the address, so
// the matrix asks with one: on its empty database the page lists no rows, and the CSV is its
// header alone.
func transactionsRouteCases() map[string]routeCase {
	return map[string]routeCase{
		"GET /transactions":     {target: "/transactions?bank=NOSUCH&from=2026-02-01&to=2026-02-03", allowed: "200"},
		"GET /transactions.csv": {target: "/transactions.csv?bank=NOSUCH&month=2026-02", allowed: "200"},
	}
}
