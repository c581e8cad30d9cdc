// Package percentile holds Mari BI's one definition of a percentile: the nearest rank. The
// p-th percentile of n values is the value at 1-based rank ceil(p/100 × n) in ascending order:
// always a value that occurred, never an interpolation or an estimate, and the same as
// PostgreSQL's percentile_disc(p/100). The pages compute it from histograms (how many times each
// value occurred), which the rollups keep exactly.
package percentile

import "fmt"

// Count is how many times (N) a value occurred.
type Count struct {
	Value int64
	N     uint64
}

// Rank is the 1-based rank of the p-th percentile (p a whole percent, 1 to 100) among n values:
// ceil(p × n / 100), 0 when n is 0. Whole-number arithmetic, so no rounding of p/100 can move
// it; for p = 50 and p = 95 it equals PostgreSQL's ceil(0.95::float8 × n) for any n a page
// can see (the tests check every n up to a million).
func Rank(p, n uint64) uint64 {
	if p < 1 || p > 100 {
		panic(fmt.Sprintf("percentile: p = %d is not a whole percent from 1 to 100", p))
	}
	return (p*n + 99) / 100
}

// At is the value at 1-based rank r in a histogram sorted by ascending Value, and how many
// values lie in the entries before the one that holds it. ok is false when r is 0 or beyond
// the values counted.
func At(counts []Count, r uint64) (value int64, before uint64, ok bool) {
	if r == 0 {
		return 0, 0, false
	}
	var upTo uint64
	for _, c := range counts {
		if upTo+c.N >= r {
			return c.Value, upTo, true
		}
		upTo += c.N
	}
	return 0, upTo, false
}

// Total is how many values the histogram counts.
func Total(counts []Count) uint64 {
	var n uint64
	for _, c := range counts {
		n += c.N
	}
	return n
}

// NearestRank is the p-th percentile of the values a histogram sorted by ascending Value
// counts. ok is false when it counts none: the percentile of nothing is undefined, not 0.
func NearestRank(counts []Count, p uint64) (value int64, ok bool) {
	value, _, ok = At(counts, Rank(p, Total(counts)))
	return value, ok
}
