package web

import (
	"fmt"
	"net/url"
)

// apiKeysRouteCases are the route-matrix rows of the apikeys routes (web/pages.go): a new name
// each time (200 shows the key), a key that does not exist (404).
func apiKeysRouteCases() map[string]routeCase {
	empty := func(int64) url.Values { return url.Values{} }
	return map[string]routeCase{
		"GET /admin/api-keys": {target: "/admin/api-keys", allowed: "200"},
		"POST /admin/api-keys": {target: "/admin/api-keys", form: func(int64) url.Values {
			return url.Values{"name": {fmt.Sprintf("partner-%d", nextSeq())}, "scope": {"metrics:read", "banks:read"}}
		}, allowed: "200"},
		"POST /admin/api-keys/:id/revoke": {target: "/admin/api-keys/999999/revoke", form: empty, allowed: "404"},
		"POST /admin/api-keys/:id/expire": {target: "/admin/api-keys/999999/expire", form: func(int64) url.Values {
			return url.Values{"expires": {testNow.AddDate(0, 1, 0).Format("2006-01-02")}}
		}, allowed: "404"},
	}
}
