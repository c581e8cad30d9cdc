package handlers

import (
	"net/url"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
	"mari/queries"
	"mari/views"
)

// table is a CSV download's rows as text: what writeCSV prints. Panels keep their numbers in a
// typed Table (panel.go) and turn it into this only to write it.
type table struct {
	Header []string
	Rows   [][]string
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func rangeQuery(r calendar.Range) string {
	return url.Values{"from": {r.From.String()}, "to": {r.To.String()}}.Encode()
}

// delta describes a change against the previous period.
func delta(cur, prev decimal.Decimal, against string) (string, string) {
	g, ok := metrics.Growth(cur, prev)
	if !ok {
		return "no comparison: nothing in " + against, "flat"
	}
	class := "flat"
	if g.Round(3).IsPositive() {
		class = "up"
	} else if g.Round(3).IsNegative() {
		class = "down"
	}
	return views.SignedPercent(g, 1) + " vs " + against, class
}

func rangeLabel(r calendar.Range) string {
	if r.From.Equal(r.To) {
		return r.From.String()
	}
	return r.From.String() + " – " + r.To.String()
}

func ratioText(v decimal.Decimal, ok bool, format func(decimal.Decimal) string) string {
	if !ok {
		return views.NA
	}
	return format(v)
}

func pct(decimals int32) func(decimal.Decimal) string {
	return func(d decimal.Decimal) string { return views.Percent(d, decimals) }
}

// monthToDate reports whether the month's figures stop before its last day.
func monthToDate(m queries.Month) bool {
	return m.LastDay.Before(m.Month.MonthEnd()) || !m.AllDaysComplete
}
