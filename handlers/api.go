package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"mari/calendar"
	"mari/catalogue"
	"mari/queries"
)

// API serves the JSON API /api/v1 (its operations are registered in web/api.go). Its figures
// are the pages': the metrics come from the catalogue, the cohorts and banks from the same
// panels the growth and bank pages draw, so a figure read here equals the one on the page for
// the same range. Every answer carries Meta.
type API struct {
	PG          queries.DB
	Metrics     *catalogue.Sources
	GrowthPages *Growth
	BankPages   *Banks
	Now         func() time.Time
	Log         *slog.Logger
	// LaunchMonth is the configured launch month, for the "all" range (zero: the first sign-up).
	LaunchMonth calendar.Date
}

// APICaller is who is calling: the API key the request was admitted with.
type APICaller struct {
	KeyID int64
	Name  string
	// Bank, when set, is the one bank the key may see: its figures only, and every bank
	// filter defaults to it.
	Bank string
}

type apiCallerKey struct{}

// WithAPICaller is ctx carrying the caller admitted by the API's key check.
func WithAPICaller(ctx context.Context, c APICaller) context.Context {
	return context.WithValue(ctx, apiCallerKey{}, c)
}

// apiCaller is the caller of ctx; the key check runs before every operation, so a missing
// caller is a programming error answered as a refusal.
func apiCaller(ctx context.Context) (APICaller, error) {
	c, ok := ctx.Value(apiCallerKey{}).(APICaller)
	if !ok {
		return APICaller{}, huma.Error401Unauthorized("send an API key: Authorization: Bearer <key>")
	}
	return c, nil
}

// Meta is what every answer says about itself.
type Meta struct {
	AsOf     *time.Time `json:"as_of" doc:"How fresh the figures are: when the rollups they are read from last finished (null: they have not run yet), or the moment of the answer for rows read directly."`
	TimeZone string     `json:"time_zone" example:"Africa/Johannesburg" doc:"Days, weeks and months are calendar periods in this time zone."`
	Currency string     `json:"currency" example:"ZAR" doc:"Money is in this currency, as decimal strings exact to the cent."`
}

func meta(asOf *time.Time) Meta {
	return Meta{AsOf: asOf, TimeZone: calendar.SAST.String(), Currency: "ZAR"}
}

// RangeParams are the date range of a request, as the pages read it: from and to (inclusive
// SAST days), or neither for the pages' default range.
type RangeParams struct {
	From string `query:"from" doc:"First day of the range (YYYY-MM-DD, SAST), inclusive. Without from and to: the dashboards' default range, the last 6 full months and this month so far." example:"2026-06-01"`
	To   string `query:"to" doc:"Last day of the range (YYYY-MM-DD, SAST), inclusive; today at the latest." example:"2026-11-30"`
}

// rangeOf parses the range as the pages do (the same defaults, limits and messages).
func (a *API) rangeOf(ctx context.Context, p RangeParams, now time.Time) (rangeChoice, error) {
	today := calendar.Today(now)
	q := url.Values{}
	if p.From != "" {
		q.Set("from", p.From)
	}
	if p.To != "" {
		q.Set("to", p.To)
	}
	rc, err := parseRange(q, today, func() calendar.Date { return a.LaunchMonth })
	if err != nil {
		return rc, apiError(err)
	}
	return rc, nil
}

// apiError turns what went wrong into the answer the client sees: its own input is a 400 with
// the pages' message, a database that did not answer is a 503 (try again), and nothing else
// leaks: the detail goes to the log, never to the client.
func apiError(err error) error {
	var status huma.StatusError
	var bad badInput
	var input catalogue.InputError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &status):
		return err
	case errors.As(err, &bad):
		return huma.Error400BadRequest(bad.msg)
	case errors.As(err, &input):
		return huma.Error400BadRequest(input.Msg)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return unavailableError("the figures took too long to load; try again shortly")
	}
	return unavailableError("the database did not answer; try again shortly")
}

// unavailableError is a 503 that tells the client when to come back.
func unavailableError(msg string) error {
	return huma.ErrorWithHeaders(huma.Error503ServiceUnavailable(msg), http.Header{"Retry-After": []string{"5"}})
}

// logged is apiError, logging an error that is not the client's.
func (a *API) logged(op string, err error) error {
	out := apiError(err)
	var status huma.StatusError
	if errors.As(out, &status) && status.GetStatus() >= 500 {
		a.Log.Warn("api: unavailable", "operation", op, "err", err)
	}
	return out
}

// rollupAsOfFor is the freshness of the rollups jobs: the oldest of their last successful
// runs, nil when one has never run.
func (a *API) rollupAsOfFor(ctx context.Context, jobs ...string) (*time.Time, error) {
	var oldest *time.Time
	for _, job := range jobs {
		at, ok, err := queries.RollupFreshness(ctx, a.PG, job)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, nil
		}
		if oldest == nil || at.Before(*oldest) {
			t := at
			oldest = &t
		}
	}
	return oldest, nil
}
