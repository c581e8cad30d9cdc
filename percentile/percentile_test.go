package percentile

import (
	"math"
	"testing"
)

// Twenty values, worked by hand: ranks ceil(0.5 × 20) = 10 and ceil(0.95 × 20) = 19. Sorted
// they are 100, 200, …, 2000 with 700 occurring three times (ranks 7, 8, 9) in place of 800
// and 900: the 10th is 1000, the 19th 1900.
func TestNearestRankHandWorked(t *testing.T) {
	var h []Count
	for v := int64(100); v <= 2000; v += 100 {
		switch v {
		case 700:
			h = append(h, Count{Value: 700, N: 3})
		case 800, 900:
		default:
			h = append(h, Count{Value: v, N: 1})
		}
	}
	if n := Total(h); n != 20 {
		t.Fatalf("total %d; want 20", n)
	}
	for _, c := range []struct {
		p    uint64
		want int64
	}{{50, 1000}, {95, 1900}, {100, 2000}, {1, 100}, {35, 700}, {45, 700}, {30, 600}} {
		if got, ok := NearestRank(h, c.p); !ok || got != c.want {
			t.Errorf("p%d = %d (%v); want %d", c.p, got, ok, c.want)
		}
	}

	// One value: every percentile is that value.
	one := []Count{{Value: 4321, N: 1}}
	for _, p := range []uint64{1, 50, 95, 100} {
		if got, ok := NearestRank(one, p); !ok || got != 4321 {
			t.Errorf("one value: p%d = %d (%v); want 4321", p, got, ok)
		}
	}
	// Two values 700 and 900: p50 is rank 1 (700), p95 rank 2 (900).
	two := []Count{{Value: 700, N: 1}, {Value: 900, N: 1}}
	if p50, _ := NearestRank(two, 50); p50 != 700 {
		t.Errorf("p50 of 700, 900 = %d; want 700", p50)
	}
	if p95, _ := NearestRank(two, 95); p95 != 900 {
		t.Errorf("p95 of 700, 900 = %d; want 900", p95)
	}
	// Nothing, or only empty entries: undefined.
	if _, ok := NearestRank(nil, 95); ok {
		t.Error("p95 of no values is defined")
	}
	if _, ok := NearestRank([]Count{{Value: 5, N: 0}}, 50); ok {
		t.Error("p50 of a zero count is defined")
	}
}

// At also says how many values precede the entry: what the bank p95 needs to go from a 100 ms
// bucket to the millisecond inside it.
func TestAt(t *testing.T) {
	buckets := []Count{{Value: 7, N: 4}, {Value: 9, N: 10}, {Value: 12, N: 6}} // 20 values
	for _, c := range []struct {
		r           uint64
		value       int64
		before      uint64
		ok          bool
		explanation string
	}{
		{0, 0, 0, false, "rank 0 does not exist"},
		{1, 7, 0, true, "first"},
		{4, 7, 0, true, "last of the first entry"},
		{5, 9, 4, true, "first of the second"},
		{19, 12, 14, true, "the p95 of 20"},
		{20, 12, 14, true, "last"},
		{21, 0, 20, false, "past the end"},
	} {
		v, b, ok := At(buckets, c.r)
		if v != c.value || b != c.before || ok != c.ok {
			t.Errorf("rank %d (%s): %d, %d before, %v; want %d, %d, %v", c.r, c.explanation, v, b, ok, c.value, c.before, c.ok)
		}
	}
}

// The whole-number rank is PostgreSQL's float8 ceil(p × n) for the percentiles the pages use,
// so the bank pages' p95 (checked against percentile_disc) did not move when it came here.
func TestRankAgreesWithPercentileDisc(t *testing.T) {
	for n := uint64(0); n <= 1_000_000; n++ {
		for _, p := range []struct {
			whole    uint64
			fraction float64
		}{{50, 0.5}, {95, 0.95}, {99, 0.99}} {
			if got, want := Rank(p.whole, n), uint64(math.Ceil(p.fraction*float64(n))); got != want {
				t.Fatalf("Rank(%d, %d) = %d; ceil(%v × %d) = %d", p.whole, n, got, p.fraction, n, want)
			}
		}
	}
}

func TestRankRefusesWhatIsNotAPercent(t *testing.T) {
	for _, p := range []uint64{0, 101} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Rank(%d, 10) did not panic", p)
				}
			}()
			Rank(p, 10)
		}()
	}
}
