package handlers

import (
	"context"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"mari/catalogue"
	"mari/queries"
	"mari/rollup"
)

// APIMetric is a catalogue metric as the API lists it: the glossary's words, and what it can
// be asked for by.
type APIMetric struct {
	ID         string   `json:"id" example:"revenue" doc:"The metric's id: the glossary anchor and the path of GET /api/v1/metrics/{id}."`
	Name       string   `json:"name" example:"Revenue"`
	Section    string   `json:"section" example:"Executive dashboard"`
	Unit       string   `json:"unit" enum:"count,rand,ratio,multiple,ms,months,per_user," doc:"How to read its values: count (whole numbers), rand (money, exact to the cent), ratio (a fraction: 0.25 is 25 %), multiple, ms, months, per_user; empty for a definition."`
	Definition string   `json:"definition"`
	Formula    string   `json:"formula,omitempty"`
	Source     string   `json:"source,omitempty" doc:"The tables and rollups it is computed from."`
	Grains     []string `json:"grains" doc:"The grains it can be asked for by; empty for a definition that is not a figure."`
	Filters    []string `json:"filters" doc:"The filters it accepts (bank, channel, source)."`
	Glossary   string   `json:"glossary" example:"/glossary#revenue" doc:"Its entry in the app's glossary."`
}

func apiMetric(m *catalogue.Metric) APIMetric {
	out := APIMetric{ID: m.ID, Name: m.Name, Section: string(m.Section), Unit: string(m.Unit), Definition: m.Definition,
		Formula: m.Formula, Source: m.Source, Grains: []string{}, Filters: []string{}, Glossary: "/glossary#" + m.ID}
	if m.Askable() {
		for _, g := range m.Grains {
			out.Grains = append(out.Grains, string(g))
		}
	}
	for _, f := range m.Filters {
		out.Filters = append(out.Filters, string(f))
	}
	return out
}

// ListMetricsOutput is the catalogue.
type ListMetricsOutput struct {
	Body struct {
		Meta
		Metrics []APIMetric `json:"metrics"`
	}
}

// ListMetrics lists every metric and definition of the catalogue, in the glossary's order.
func (a *API) ListMetrics(ctx context.Context, _ *struct{}) (*ListMetricsOutput, error) {
	out := &ListMetricsOutput{}
	now := a.Now()
	out.Body.Meta = meta(&now)
	for _, m := range catalogue.All() {
		out.Body.Metrics = append(out.Body.Metrics, apiMetric(m))
	}
	return out, nil
}

// GetMetricInput asks for one metric over a range.
type GetMetricInput struct {
	ID string `path:"id" example:"revenue" doc:"A metric id from GET /api/v1/metrics."`
	RangeParams
	Grain   string `query:"grain" enum:"day,week,month" doc:"The periods of the series: SAST calendar days, ISO weeks (Monday to Sunday) or calendar months. Default: the metric's finest grain."`
	Bank    string `query:"bank" maxLength:"20" doc:"Only this bank's figures (a bank code, as in GET /api/v1/banks). A key restricted to a bank always gets that bank's."`
	Channel string `query:"channel" enum:"online,offline_sms" doc:"Only this channel's figures."`
	Source  string `query:"source" maxLength:"40" doc:"Only users of this signup source (organic, referral, bank_promotion)."`
}

// APIPoint is one period of a series.
type APIPoint struct {
	From     string  `json:"from" format:"date" doc:"First day of the period, cut to the range."`
	To       string  `json:"to" format:"date" doc:"Last day of the period, cut to the range."`
	Label    string  `json:"label" example:"Nov 2026 (1–16)"`
	Complete bool    `json:"complete" doc:"Whether the whole period lies inside the range and had ended before today: an incomplete period is not comparable to a complete one."`
	Value    *string `json:"value" doc:"A decimal string; null where the metric cannot be computed (a division by zero, no data)."`
}

// APIFilters are the filters an answer was computed with.
type APIFilters struct {
	Bank          string `json:"bank,omitempty"`
	Channel       string `json:"channel,omitempty"`
	Source        string `json:"source,omitempty"`
	Status        string `json:"status,omitempty"`
	FailureReason string `json:"failure_reason,omitempty"`
}

// GetMetricOutput is a metric's series and total.
type GetMetricOutput struct {
	Body struct {
		Meta
		Metric    APIMetric  `json:"metric"`
		From      string     `json:"from" format:"date"`
		To        string     `json:"to" format:"date"`
		Grain     string     `json:"grain" enum:"day,week,month"`
		Filters   APIFilters `json:"filters"`
		Points    []APIPoint `json:"points"`
		Total     *string    `json:"total" doc:"The metric over the whole range (not always the sum of the points: a rate is recomputed); null when it has no total, and total_note says why."`
		TotalNote string     `json:"total_note,omitempty"`
	}
}

// metricJobs are the rollups each metric statement reads, for as_of; statements not listed
// read their tables directly.
var metricJobs = map[string]string{
	"pg/metric_daily_facts":      rollup.JobDailyMetrics,
	"pg/metric_bank_daily_facts": rollup.JobBankDaily,
	"pg/growth_daily_range":      rollup.JobGrowth,
}

// GetMetric is one metric over a range, exactly as the pages compute it (catalogue.Ask).
func (a *API) GetMetric(ctx context.Context, in *GetMetricInput) (*GetMetricOutput, error) {
	caller, err := apiCaller(ctx)
	if err != nil {
		return nil, err
	}
	m, ok := catalogue.Lookup(in.ID)
	if !ok {
		return nil, huma.Error404NotFound("there is no metric " + quoteID(in.ID) + "; GET /api/v1/metrics lists them")
	}
	if !m.Askable() {
		return nil, huma.Error400BadRequest(m.Name + " (" + m.ID + ") is a definition, not a figure that can be asked for by date range.")
	}
	bank, err := a.bankFor(ctx, caller, in.Bank)
	if err != nil {
		return nil, err
	}
	if caller.Bank != "" && !m.Accepts(catalogue.FilterBank) {
		return nil, huma.Error403Forbidden("this key sees one bank's figures, and " + m.Name + " is not broken down by bank")
	}
	now := a.Now()
	rc, err := a.rangeOf(ctx, in.RangeParams, now)
	if err != nil {
		return nil, err
	}
	grain := m.Grains[0]
	if in.Grain != "" {
		if grain, err = catalogue.ParseGrain(in.Grain); err != nil {
			return nil, apiError(err)
		}
	}
	q := catalogue.Query{Range: rc.Range, Grain: grain, Now: now,
		Filters: catalogue.Filters{Bank: bank, Channel: in.Channel, Source: in.Source}}
	series, err := catalogue.Ask(ctx, a.Metrics, m, q)
	if err != nil {
		return nil, a.logged("metric", err)
	}
	var jobs []string
	for _, name := range m.SQL {
		if job, ok := metricJobs[name]; ok && (job != rollup.JobBankDaily || bank != "") {
			jobs = append(jobs, job)
		}
	}
	asOf := &now
	if len(jobs) > 0 {
		if asOf, err = a.rollupAsOfFor(ctx, jobs...); err != nil {
			return nil, a.logged("metric", err)
		}
	}
	out := &GetMetricOutput{}
	b := &out.Body
	b.Meta = meta(asOf)
	b.Metric = apiMetric(m)
	b.From, b.To, b.Grain = rc.Range.From.String(), rc.Range.To.String(), string(grain)
	b.Filters = APIFilters{Bank: bank, Channel: in.Channel, Source: in.Source}
	b.Points = make([]APIPoint, len(series.Points))
	for i, p := range series.Points {
		b.Points[i] = APIPoint{From: p.Period.From.String(), To: p.Period.To.String(),
			Label: catalogue.PeriodLabel(p.Period, grain), Complete: p.Complete, Value: apiValue(p.Value, m.Unit)}
	}
	b.Total = apiValue(series.Total, m.Unit)
	if !series.Total.OK {
		b.TotalNote = m.TotalNote
	}
	return out, nil
}

// apiValue is a value as the API writes it: the CSV's exact decimal as a string, nil for n/a.
func apiValue(v catalogue.Value, unit catalogue.Unit) *string {
	if !v.OK {
		return nil
	}
	s := csvCell(v.V, unit)
	return &s
}

// bankFor is the bank a request's figures are restricted to: the key's own bank, whatever was
// asked (asking for another is refused), or the bank asked for, which must exist.
func (a *API) bankFor(ctx context.Context, caller APICaller, asked string) (string, error) {
	if caller.Bank != "" {
		if asked != "" && asked != caller.Bank {
			return "", huma.Error403Forbidden("this key sees only bank " + caller.Bank + "'s figures")
		}
		return caller.Bank, nil
	}
	if asked == "" {
		return "", nil
	}
	if _, ok, err := queries.PartnershipByCode(ctx, a.PG, asked); err != nil {
		return "", a.logged("bank", err)
	} else if !ok {
		return "", huma.Error404NotFound("there is no bank " + quoteID(asked) + "; GET /api/v1/banks lists them")
	}
	return asked, nil
}

// quoteID quotes an id taken from the request for a message, cut short.
func quoteID(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
