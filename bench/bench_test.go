package bench

import (
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	// 1..20 ms: p50 is the 10th value, p95 the 19th (ceil(0.95*20) = 19), p100 the last.
	var d []time.Duration
	for i := 1; i <= 20; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    uint64
		want time.Duration
	}{{50, 10 * time.Millisecond}, {95, 19 * time.Millisecond}, {100, 20 * time.Millisecond}, {1, time.Millisecond}} {
		if got := nearestRank(d, c.p); got != c.want {
			t.Errorf("p%d of 1..20 ms = %s, want %s", c.p, got, c.want)
		}
	}
	if got := nearestRank([]time.Duration{7}, 95); got != 7 {
		t.Errorf("p95 of one value = %s, want it", got)
	}
}

func TestDatabaseNameAndTarget(t *testing.T) {
	for scale, want := range map[float64]string{1: "mari_bench_s1", 10: "mari_bench_s10", 0.5: "mari_bench_s0_5"} {
		if got := DatabaseName(scale); got != want {
			t.Errorf("DatabaseName(%g) = %q, want %q", scale, got, want)
		}
	}
	if Target(1) != 50*time.Millisecond || Target(9.9) != 50*time.Millisecond || Target(10) != 150*time.Millisecond {
		t.Errorf("targets: p95 < 50 ms below scale 10, < 150 ms from 10")
	}
}

func TestAdminURLKeepsServerAndPort(t *testing.T) {
	got, err := AdminURL("postgres://mari:secret@db.example:6543/mari?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	if want := "postgres://postgres@db.example:6543/postgres?sslmode=disable"; got != want {
		t.Errorf("AdminURL = %q, want %q", got, want)
	}
}

func TestDegradedResponse(t *testing.T) {
	cases := map[string]bool{
		`<p class="unavailable">unavailable — PostgreSQL is unreachable</p>`: true,
		`<p data-ops-unavailable hidden>unavailable — </p>`:                  false,
		`{"unavailable":[],"panels":{}}`:                                     false,
		`{"unavailable":["tpm"],"panels":{}}`:                                true,
		`<p>all good</p>`:                                                    false,
	}
	for body, want := range cases {
		if got := degradedResponse.MatchString(body); got != want {
			t.Errorf("degradedResponse(%q) = %v, want %v", body, got, want)
		}
	}
}
