package catalogue

import (
	"context"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
	"mari/queries"
)

// The statements each kind of Load reads, named in the declarations (the glossary shows them).
var (
	factsSQL      = []string{"pg/metric_daily_facts", "pg/metric_bank_daily_facts"}
	monthsSQL     = []string{"pg/metric_daily_facts", "pg/metric_monthly_costs"}
	totalUsersSQL = []string{"pg/metric_total_users_at"}
	outageSQL     = []string{"pg/metric_outage_seconds"}
	cohortsSQL    = []string{"pg/growth_daily_range"}
)

// dailyFacts reads the daily inputs of r for all banks, or for one when bank is set; callers
// asking for the same at the same time share one query, and a page that preloaded a range
// holding r cuts r from it.
func (s *Sources) dailyFacts(ctx context.Context, r calendar.Range, bank string) ([]queries.DayFacts, error) {
	if bank == "" {
		if days, ok := covered(ctx, r); ok {
			return days, nil
		}
	}
	return shared(ctx, s, key("facts", r, bank), func(ctx context.Context) ([]queries.DayFacts, error) {
		if bank != "" {
			return queries.MetricBankDailyFacts(ctx, s.PG, r, bank)
		}
		return queries.MetricDailyFacts(ctx, s.PG, r)
	})
}

// months are the monthly rows of r (each month cut to r): its daily facts summed by month,
// with the months' costs.
func (s *Sources) months(ctx context.Context, r calendar.Range) ([]queries.Month, error) {
	days, err := s.dailyFacts(ctx, r, "")
	if err != nil {
		return nil, err
	}
	costs, err := shared(ctx, s, key("costs", r), func(ctx context.Context) (map[calendar.Date]queries.MonthCosts, error) {
		return queries.MonthlyCosts(ctx, s.PG, r)
	})
	if err != nil {
		return nil, err
	}
	return queries.MonthsOf(r, days, costs), nil
}

// PreloadFacts loads, for the page of ctx (a WithMemo context), the daily facts of every bank
// over r: later requests of the page for a range inside r are cut from them instead of each
// reading its own (a page asks for its range, the previous period, whole months and the
// history since launch). Without a memo it does nothing.
func (s *Sources) PreloadFacts(ctx context.Context, r calendar.Range) error {
	m, ok := ctx.Value(memoKey{}).(*memo)
	if !ok {
		return nil
	}
	days, err := s.dailyFacts(ctx, r, "")
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cover = &factsCover{r: r, days: days}
	return nil
}

// factsCover is a page's preloaded daily facts.
type factsCover struct {
	r    calendar.Range
	days []queries.DayFacts
}

// covered cuts r from the page's preloaded facts, when they hold it.
func covered(ctx context.Context, r calendar.Range) ([]queries.DayFacts, bool) {
	m, ok := ctx.Value(memoKey{}).(*memo)
	if !ok {
		return nil, false
	}
	m.mu.Lock()
	c := m.cover
	m.mu.Unlock()
	if c == nil || r.From.Before(c.r.From) || r.To.After(c.r.To) {
		return nil, false
	}
	from := c.r.From.DaysUntil(r.From)
	return c.days[from : from+r.Days()], true
}

// fromFacts makes the Load of a metric that is a formula over the daily facts: each period's
// value and the range's total come from the same formula over the summed days, so the points
// of any grain add up (or average, for a ratio) exactly to the total. A period without any
// rollup day is n/a.
func fromFacts(formula func(queries.DayFacts) Value) func(context.Context, *Sources, Query) (Series, error) {
	return func(ctx context.Context, src *Sources, q Query) (Series, error) {
		days, err := src.dailyFacts(ctx, q.Range, q.Filters.Bank)
		if err != nil {
			return Series{}, err
		}
		points := Periods(q.Range, q.Grain, q.Today())
		total := queries.DayFacts{Complete: true}
		i := 0
		for p := range points {
			sum := queries.DayFacts{Complete: true}
			for i < len(days) && !days[i].Day.After(points[p].Period.To) {
				sum = sum.Add(days[i])
				i++
			}
			points[p].Value = present(sum, formula)
			total = total.Add(sum)
		}
		return Series{Points: points, Total: present(total, formula)}, nil
	}
}

func present(f queries.DayFacts, formula func(queries.DayFacts) Value) Value {
	if !f.Present {
		return NA
	}
	return formula(f)
}

func count(n int64) Value           { return OfInt(n) }
func money(d decimal.Decimal) Value { return Of(d) }
func ratio(num, den int64) Value    { return ratioOf(decimal.NewFromInt(num), decimal.NewFromInt(den)) }

// ratioOf is num ÷ den, n/a when den is zero.
func ratioOf(num, den decimal.Decimal) Value { return valueOf(metrics.Ratio(num, den)) }

// valueOf is a value from the arithmetic of package metrics, which says ok = false for n/a.
func valueOf(v decimal.Decimal, ok bool) Value { return Value{V: v, OK: ok} }
