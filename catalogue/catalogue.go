// Package catalogue declares every metric of Mari BI once: its id, name and glossary text,
// its unit, its target and which way is better, and how it is computed from typed inputs read
// by named SQL statements in package queries. Pages, CSV downloads and the glossary are built
// from these declarations, and a metric can be asked for by id over any date range, by day,
// ISO week or calendar month, with the filters it accepts: the JSON API, the Prometheus
// exporter and the alerts serve the same definitions.
//
// Package metrics keeps the arithmetic the declarations share (ratios, growth, churn,
// lifetime value), on exact decimals.
package catalogue

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Unit is what a metric's value is, and so how it is shown.
type Unit string

const (
	Concept      Unit = ""         // a definition the metrics rely on, not a number
	Count        Unit = "count"    // people, transactions: whole numbers
	Rand         Unit = "rand"     // money, exact to the cent
	Ratio        Unit = "ratio"    // a fraction, shown as a percentage
	Multiple     Unit = "multiple" // a ratio shown as "3.4×"
	Milliseconds Unit = "ms"
	Months       Unit = "months"
	PerUser      Unit = "per_user" // transactions per user: a decimal with two places
)

// Better says which direction of a metric is good (for targets and the colour of a change).
type Better int

const (
	Neutral Better = iota
	Higher
	Lower
)

// Section is the part of the glossary (and of the app) a metric belongs to.
type Section string

const (
	SectionCommon     Section = "Periods and comparisons"
	SectionExecutive  Section = "Executive dashboard"
	SectionFinancial  Section = "Financial KPIs"
	SectionOperations Section = "Operations"
	SectionGrowth     Section = "Growth"
	SectionBanks      Section = "Bank partnerships"
	SectionModel      Section = "Financial model"
	SectionReports    Section = "Investor reports"
)

// Sections in the glossary's order.
var Sections = []Section{SectionCommon, SectionExecutive, SectionFinancial, SectionOperations,
	SectionGrowth, SectionBanks, SectionModel, SectionReports, SectionQuality, SectionIdentifiers}

// Filter names a dimension a metric can be restricted to.
type Filter string

const (
	FilterBank    Filter = "bank"
	FilterChannel Filter = "channel"
	FilterSource  Filter = "source"
)

// Metric is one metric (or concept) of the catalogue, declared once.
type Metric struct {
	ID         string // the glossary anchor (/glossary#<ID>) and the API's id
	Name       string
	Section    Section
	Definition string // plain language, what a CFO signs
	Formula    string
	Source     string // the tables and rollups it is computed from

	Unit     Unit
	Decimals int32 // places shown (percent places for a Ratio)

	// Target is the kpi_targets key of the metric's target ("" when it has none); Better
	// says which side of it, and which change, is good.
	Target string
	Better Better

	// Grains the metric can be asked for by, and the filters it accepts. A metric with no
	// grains (a concept, or one only a page computes) cannot be asked for by range.
	Grains  []Grain
	Filters []Filter
	// TotalNote explains, for a metric that has no single value over a range (a distinct
	// count that cannot be added up across periods), what the total is instead.
	TotalNote string

	// Load computes the metric over q: one point per period of q.Grain and the total over
	// q.Range. Nil for concepts.
	Load func(ctx context.Context, src *Sources, q Query) (Series, error)
	// SQL names the statements (queries/<name>.sql) whose rows Load computes from.
	SQL []string
}

// Askable reports whether the metric can be asked for by range.
func (m *Metric) Askable() bool { return m.Load != nil && len(m.Grains) > 0 }

// Accepts reports whether the metric can be restricted by f.
func (m *Metric) Accepts(f Filter) bool {
	for _, x := range m.Filters {
		if x == f {
			return true
		}
	}
	return false
}

// HasGrain reports whether the metric can be asked for by g.
func (m *Metric) HasGrain(g Grain) bool {
	for _, x := range m.Grains {
		if x == g {
			return true
		}
	}
	return false
}

var (
	registry []*Metric
	byID     = map[string]*Metric{}
)

// declare adds a metric to the catalogue; a second metric with the same id is a programming
// error.
func declare(m *Metric) *Metric {
	if m.ID == "" || m.Name == "" || m.Section == "" || m.Definition == "" {
		panic(fmt.Sprintf("catalogue: metric %q lacks an id, name, section or definition", m.ID))
	}
	if _, dup := byID[m.ID]; dup {
		panic("catalogue: metric declared twice: " + m.ID)
	}
	if m.Load != nil && (len(m.Grains) == 0 || len(m.SQL) == 0) {
		panic("catalogue: metric " + m.ID + " loads but names no grain or no SQL")
	}
	registry = append(registry, m)
	byID[m.ID] = m
	return m
}

// All lists every metric and concept, by section in the glossary's order, then in the order
// they were declared.
func All() []*Metric {
	out := append([]*Metric(nil), registry...)
	order := map[Section]int{}
	for i, s := range Sections {
		order[s] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Section] < order[out[j].Section] })
	return out
}

// Lookup returns the metric with id.
func Lookup(id string) (*Metric, bool) {
	m, ok := byID[id]
	return m, ok
}

// Must returns the metric with id; an unknown id is a programming error.
func Must(id string) *Metric {
	m, ok := byID[id]
	if !ok {
		panic("catalogue: no metric " + id)
	}
	return m
}

// Ask checks that m can be asked for with q's grain and filters, and loads it. The errors are
// written for whoever asked (a page's form, an API client).
func Ask(ctx context.Context, src *Sources, m *Metric, q Query) (Series, error) {
	if !m.Askable() {
		return Series{}, InputError{fmt.Sprintf("%s (%s) is a definition, not a figure that can be asked for by date range.", m.Name, m.ID)}
	}
	if !m.HasGrain(q.Grain) {
		return Series{}, InputError{fmt.Sprintf("%s is available by %s, not by %s.", m.Name, grainList(m.Grains), q.Grain)}
	}
	for _, f := range q.Filters.set() {
		if !m.Accepts(f) {
			return Series{}, InputError{fmt.Sprintf("%s cannot be filtered by %s.", m.Name, f)}
		}
	}
	return m.Load(ctx, src, q)
}

func grainList(gs []Grain) string {
	s := make([]string, len(gs))
	for i, g := range gs {
		s[i] = string(g)
	}
	return strings.Join(s, ", ")
}

// InputError is a request for a metric that cannot be answered as asked.
type InputError struct{ Msg string }

func (e InputError) Error() string { return e.Msg }
