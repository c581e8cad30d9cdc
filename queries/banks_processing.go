package queries

import (
	"context"
	"errors"

	"mari/calendar"
	"mari/percentile"
)

// BankProcessing is the processing-time percentile of a bank's final transactions.
type BankProcessing struct {
	Final int64 // final transactions with a processing time
	P95ms int64 // valid only when Final > 0
}

// BankProcessingP95 is the exact p95 of a bank's final transactions in r: the nearest rank,
// as percentile_disc(0.95) gives it. The 100 ms buckets find the bucket holding the rank; the
// exact per-millisecond counts of that one bucket find the value. Each read returns the
// buckets again with that bucket's values, from one snapshot, so a rollup rewriting a day
// between two reads can move the rank to another bucket but never mix two versions of the
// data: then the next read looks in the new bucket.
func BankProcessingP95(ctx context.Context, q Querier, code string, r calendar.Range) (BankProcessing, error) {
	bucket := int64(-1) // first read: the buckets alone
	for range 4 {
		buckets, values, err := bankLatencyHistograms(ctx, q, code, r, bucket)
		if err != nil {
			return BankProcessing{}, err
		}
		final := percentile.Total(buckets)
		if final == 0 {
			return BankProcessing{}, nil
		}
		rank := percentile.Rank(95, final)
		holding, before, _ := percentile.At(buckets, rank)
		if holding == bucket {
			if ms, _, ok := percentile.At(values, rank-before); ok {
				return BankProcessing{Final: int64(final), P95ms: ms}, nil
			}
		}
		bucket = holding
	}
	return BankProcessing{}, errors.New("bank p95: the latency rollup kept changing while it was read")
}

// bankLatencyHistograms reads the bank's 100 ms buckets and the per-millisecond counts of one
// bucket (none for bucket -1), each sorted by value.
func bankLatencyHistograms(ctx context.Context, q Querier, code string, r calendar.Range, bucket int64) (buckets, values []percentile.Count, err error) {
	rows, err := q.Query(ctx, SQL("pg/bank_processing"), code, r.From.String(), r.To.String(), bucket)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind int
		var value, n int64
		if err := rows.Scan(&kind, &value, &n); err != nil {
			return nil, nil, err
		}
		c := percentile.Count{Value: value, N: uint64(n)}
		if kind == 0 {
			buckets = append(buckets, c)
		} else {
			values = append(values, c)
		}
	}
	return buckets, values, rows.Err()
}
