package alerts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
	"mari/percentile"
	"mari/queries"
)

// Measure reads rule r's condition at now from PostgreSQL (the payments ingestion writes there
// within a second, so the alerts do not depend on ClickHouse). A failed query is a Failed
// reading that says why; it changes no state.
func Measure(ctx context.Context, q queries.Querier, r Rule, now time.Time) Reading {
	var read Reading
	var err error
	from := now.Add(-r.Window())
	switch r.Template {
	case SuccessRate:
		read, err = measureSuccessRate(ctx, q, r, from, now)
	case NoEvents:
		read, err = measureNoEvents(ctx, q, r, from, now)
	case BankP95:
		read, err = measureBankP95(ctx, q, r, from, now)
	case DeadLetters:
		read, err = measureDeadLetters(ctx, q, r, from, now)
	case RollupFailure:
		read, err = measureRollups(ctx, q, now)
	default:
		err = fmt.Errorf("unknown template %q", r.Template)
	}
	if err != nil {
		return Reading{Outcome: Failed, Detail: "could not be evaluated: " + shortError(err)}
	}
	return read
}

func decimalOf(n int64) *decimal.Decimal {
	d := decimal.NewFromInt(n)
	return &d
}

// measureSuccessRate: completed ÷ (completed + failed) of the payments that became final in
// the window, below the threshold (a percentage) fires; fewer than the minimum is not enough.
func measureSuccessRate(ctx context.Context, q queries.Querier, r Rule, from, to time.Time) (Reading, error) {
	var bank any
	if r.Bank != "" {
		bank = r.Bank
	}
	var completed, failed int64
	if err := q.QueryRow(ctx, queries.SQL("pg/alert_eval_success_rate"), from, to, bank).Scan(&completed, &failed); err != nil {
		return Reading{}, err
	}
	attempts := completed + failed
	rate, ok := metrics.SuccessRate(completed, failed)
	pct := rate.Mul(decimal.NewFromInt(100))
	counts := fmt.Sprintf("%d payments (%d completed, %d failed) in the last %s", attempts, completed, failed, minutes(r.WindowMinutes))
	if !ok || attempts < int64(r.MinAttempts) {
		read := Reading{Outcome: NotEnough, Detail: fmt.Sprintf("not enough data: %s; the rule needs at least %d", counts, r.MinAttempts)}
		if ok {
			v := pct.Round(2)
			read.Value = &v
		}
		return read, nil
	}
	v := pct.Round(2)
	read := Reading{Outcome: Clear, Value: &v,
		Detail: fmt.Sprintf("success rate %s%% of %s; threshold %s%%", v.StringFixed(2), counts, r.Threshold.String())}
	if pct.LessThan(r.Threshold) { // exactly at the threshold is not below it
		read.Outcome = Holds
	}
	return read, nil
}

// measureNoEvents: no event received in the window fires, whatever the reason (a stream that
// never started as much as one that stopped).
func measureNoEvents(ctx context.Context, q queries.Querier, r Rule, from, to time.Time) (Reading, error) {
	var n int64
	var newest *time.Time
	if err := q.QueryRow(ctx, queries.SQL("pg/alert_eval_no_events"), from, to).Scan(&n, &newest); err != nil {
		return Reading{}, err
	}
	read := Reading{Outcome: Clear, Value: decimalOf(n),
		Detail: fmt.Sprintf("%d events received in the last %s", n, minutes(r.WindowMinutes))}
	if n == 0 {
		read.Outcome = Holds
		read.Detail = "no event received in the last " + minutes(r.WindowMinutes)
		if newest != nil {
			read.Detail += "; the newest arrived at " + sast(*newest)
		} else {
			read.Detail += " nor in the day before"
		}
	}
	return read, nil
}

// measureBankP95: the exact nearest-rank p95 of the processing times of the bank's payments
// that became final in the window, above the bank's SLA fires.
func measureBankP95(ctx context.Context, q queries.Querier, r Rule, from, to time.Time) (Reading, error) {
	rows, err := q.Query(ctx, queries.SQL("pg/alert_eval_bank_p95"), from, to, r.Bank)
	if err != nil {
		return Reading{}, err
	}
	defer rows.Close()
	var sla int64
	found := false
	var hist []percentile.Count
	for rows.Next() {
		var ms, n *int64
		if err := rows.Scan(&sla, &ms, &n); err != nil {
			return Reading{}, err
		}
		found = true
		if ms != nil && n != nil {
			hist = append(hist, percentile.Count{Value: *ms, N: uint64(*n)})
		}
	}
	if err := rows.Err(); err != nil {
		return Reading{}, err
	}
	if !found {
		return Reading{}, fmt.Errorf("there is no bank %s", r.Bank)
	}
	total := percentile.Total(hist)
	counts := fmt.Sprintf("%d payments of %s in the last %s", total, r.Bank, minutes(r.WindowMinutes))
	p95, ok := percentile.NearestRank(hist, 95)
	if !ok || total < uint64(r.MinAttempts) {
		read := Reading{Outcome: NotEnough, Detail: fmt.Sprintf("not enough data: %s; the rule needs at least %d", counts, r.MinAttempts)}
		if ok {
			read.Value = decimalOf(p95)
		}
		return read, nil
	}
	read := Reading{Outcome: Clear, Value: decimalOf(p95),
		Detail: fmt.Sprintf("p95 %d ms of %s; SLA %d ms", p95, counts, sla)}
	if p95 > sla {
		read.Outcome = Holds
	}
	return read, nil
}

// measureDeadLetters: more dead letters first seen in the window than the threshold fires.
func measureDeadLetters(ctx context.Context, q queries.Querier, r Rule, from, to time.Time) (Reading, error) {
	var n int64
	if err := q.QueryRow(ctx, queries.SQL("pg/alert_eval_dead_letters"), from, to).Scan(&n); err != nil {
		return Reading{}, err
	}
	read := Reading{Outcome: Clear, Value: decimalOf(n),
		Detail: fmt.Sprintf("%d dead letters in the last %s; threshold %s", n, minutes(r.WindowMinutes), r.Threshold.String())}
	if decimal.NewFromInt(n).GreaterThan(r.Threshold) {
		read.Outcome = Holds
	}
	return read, nil
}

// measureRollups: a job whose newest finished run failed fires, until a run of it succeeds.
func measureRollups(ctx context.Context, q queries.Querier, now time.Time) (Reading, error) {
	rows, err := q.Query(ctx, queries.SQL("pg/alert_eval_rollup_failures"), now)
	if err != nil {
		return Reading{}, err
	}
	defer rows.Close()
	jobs := 0
	var failed []string
	for rows.Next() {
		var job, msg string
		var at time.Time
		if err := rows.Scan(&job, &msg, &at); err != nil {
			return Reading{}, err
		}
		jobs++
		if msg != "" {
			failed = append(failed, fmt.Sprintf("%s failed at %s: %s", job, sast(at), clip(msg, 200)))
		}
	}
	if err := rows.Err(); err != nil {
		return Reading{}, err
	}
	read := Reading{Outcome: Clear, Value: decimalOf(int64(len(failed)))}
	switch {
	case len(failed) > 0:
		read.Outcome, read.Detail = Holds, strings.Join(failed, "; ")
	case jobs == 0:
		read.Detail = "no rollup has run yet"
	default:
		read.Detail = fmt.Sprintf("the newest run of each of the %d rollup jobs succeeded", jobs)
	}
	return read, nil
}

// sast is an instant as the alerts show it.
func sast(t time.Time) string { return t.In(calendar.SAST).Format("2006-01-02 15:04:05") + " SAST" }

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// shortError is an error in a few words, for the page: its first line, clipped.
func shortError(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return clip(s, 200)
}
