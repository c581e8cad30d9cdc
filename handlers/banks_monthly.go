package handlers

import (
	"context"
	"errors"

	"mari/catalogue"
	"mari/queries"
)

// bankMonthMetrics are the catalogue metrics of a bank's monthly table, in its columns' order.
var bankMonthMetrics = []string{catalogue.IDTransactions, catalogue.IDCompleted, catalogue.IDSuccessRate,
	catalogue.IDCompletedVolume, catalogue.IDFeesBilled, catalogue.IDBankShare, catalogue.IDTransactionRevenue,
	catalogue.IDLicensingRevenue, catalogue.IDRevenue}

// bankMonths is a bank's figures per calendar month of the range, each month cut to the range
// (a month the range cuts counts only its days inside it), so the months add up to the range's
// totals, which the tiles show.
type bankMonths struct {
	series map[string]catalogue.Series // by metric id: a point per month and the total
	failed []int64                     // per month: the failed transactions the success rate counts
}

// points are the months (any series' periods: they are the same for all).
func (m bankMonths) points() []catalogue.Point {
	for _, s := range m.series {
		return s.Points
	}
	return nil
}

// total is a metric's total over the range.
func (m bankMonths) total(id string) catalogue.Value { return m.series[id].Total }

// transacted reports whether the bank had any transaction in the range.
func (m bankMonths) transacted() bool {
	t := m.total(catalogue.IDTransactions)
	return t.OK && t.V.IsPositive()
}

// months loads the bank's monthly figures of the catalogue metrics ids (filtered by the bank)
// and, when withFailed, the failed transactions, which the catalogue has no metric for.
func (in bankIn) months(ctx context.Context, withFailed bool, ids ...string) (bankMonths, error) {
	series, err := in.ask(ctx, ids...)
	if err != nil {
		return bankMonths{}, err
	}
	m := bankMonths{series: series}
	if !withFailed {
		return m, nil
	}
	// Panels asking at the same time (the success tile, both charts) share one read.
	v, err, _ := in.h.failedLoads.Do(in.key(), func() (any, error) {
		return queries.BankMonthly(ctx, in.h.db, in.p.Code, in.rc.Range)
	})
	if err != nil {
		return bankMonths{}, err
	}
	failed := v.([]queries.BankMonth)
	if len(failed) != len(m.points()) {
		return bankMonths{}, errors.New("bank monthly: the failed counts and the metrics cover different months")
	}
	for _, f := range failed {
		m.failed = append(m.failed, f.Failed)
	}
	return m, nil
}

// failedTotal is the failed transactions over the range.
func (m bankMonths) failedTotal() int64 {
	var n int64
	for _, f := range m.failed {
		n += f
	}
	return n
}

// table is the monthly figures as the CSV prints them and both monthly charts draw them.
func (m bankMonths) table() Table {
	t := Table{Columns: cols("month", "from", "to", "transactions", "completed", "failed", "success_rate",
		"completed_volume", "transaction_fees_billed", "bank_share", "mari_share", "licensing_fees", "revenue", "complete")}
	for _, c := range []int{3, 4, 5} {
		t.Columns[c].Unit = catalogue.Count
	}
	t.Columns[6].Unit = catalogue.Ratio
	for c := 7; c <= 12; c++ {
		t.Columns[c].Unit = catalogue.Rand
	}
	for i, p := range m.points() {
		v := func(id string) catalogue.Value { return m.series[id].Points[i].Value }
		t.Rows = append(t.Rows, []any{p.Period.From.MonthKey(), p.Period.From, p.Period.To,
			v(catalogue.IDTransactions), v(catalogue.IDCompleted), m.failed[i], v(catalogue.IDSuccessRate),
			v(catalogue.IDCompletedVolume), v(catalogue.IDFeesBilled), v(catalogue.IDBankShare),
			v(catalogue.IDTransactionRevenue), v(catalogue.IDLicensingRevenue), v(catalogue.IDRevenue), p.Complete})
	}
	return t
}
