package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mari/events"
	"mari/handlers"
	"mari/ingest"
)

// machineRoute is an endpoint other systems call rather than people: a bearer token, JSON
// answers, no session. These are the only routes outside the page registry (pages.go); they
// are served ahead of the page middleware (sessions, CSRF tokens, the forms' input checks and
// body limit), which is for browsers, and a session cookie means nothing to them.
type machineRoute struct {
	Prefix  string // the path's fixed part; the rest is the "topic" parameter. First match wins.
	Handler echo.HandlerFunc
}

// IngestTimeout bounds one ingestion request; a batch not stored by then is stored not at all.
const IngestTimeout = 20 * time.Second

func machineRoutes(d Deps, api http.Handler) []machineRoute {
	if d.PG == nil {
		return nil
	}
	store := ingest.NewStore(d.PG, d.Log)
	store.Now = d.Now
	store.Parser = events.Parser{Now: d.Now}
	store.Committed = d.IngestCommitted
	if d.Telemetry != nil {
		store.Tallied = d.Telemetry.CountIngest
	}
	maxBody := d.Config.IngestMaxBody
	if maxBody <= 0 {
		maxBody = 8 << 20
	}
	h := &handlers.Ingest{Store: store, Tokens: ingest.Tokens{PG: d.PG, Now: d.Now}, MaxBody: int64(maxBody),
		Timeout: IngestTimeout, Log: d.Log, Now: d.Now}
	return []machineRoute{
		{Prefix: APIPrefix + "/", Handler: echo.WrapHandler(api)},
		{Prefix: "/api/", Handler: func(c echo.Context) error {
			writeProblem(c.Response(), http.StatusNotFound, "unknown API version; the API is "+APIPrefix+" (GET "+APIPrefix+"/openapi.json)")
			return nil
		}},
		{Prefix: "/ingest/v1/", Handler: h.Post},
		// Another version, or none: still an API client, still a JSON answer.
		{Prefix: "/ingest/", Handler: func(c echo.Context) error {
			return c.JSON(http.StatusNotFound, map[string]string{"error": "unknown ingestion API; POST to /ingest/v1/{topic}"})
		}},
	}
}

// serveMachineRoutes answers machine routes before routing and before any page middleware.
func serveMachineRoutes(routes []machineRoute, d Deps) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			path := c.Request().URL.Path
			for _, r := range routes {
				rest, ok := strings.CutPrefix(path, r.Prefix)
				if !ok {
					continue
				}
				defer func() {
					if p := recover(); p != nil {
						d.Log.Error("machine route panicked", "path", path, "panic", fmt.Sprint(p))
						err = c.JSON(http.StatusInternalServerError, map[string]string{"error": "internal error; nothing was stored"})
					}
				}()
				c.SetParamNames("topic")
				c.SetParamValues(rest)
				return r.Handler(c)
			}
			return next(c)
		}
	}
}
