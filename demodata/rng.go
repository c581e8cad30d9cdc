package demodata

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"math/rand/v2"
)

// rng is the single source of randomness. Everything the generator emits is drawn from it in
// a fixed order, so the same seed gives the same dataset byte for byte.
type rng struct{ r *rand.Rand }

func newRNG(seed int64, stream uint64) *rng {
	return &rng{rand.New(rand.NewPCG(uint64(seed), 0x6d617269_64656d6f^stream))}
}

func (g *rng) float() float64        { return g.r.Float64() }
func (g *rng) intn(n int) int        { return g.r.IntN(n) }
func (g *rng) uint64() uint64        { return g.r.Uint64() }
func (g *rng) chance(p float64) bool { return g.r.Float64() < p }
func (g *rng) normal() float64       { return g.r.NormFloat64() }

// between returns a uniform float in [lo, hi).
func (g *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*g.r.Float64() }

// logNormal draws exp(N(ln median, sigma²)).
func (g *rng) logNormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*g.r.NormFloat64())
}

// exp draws an exponential variable with the given mean.
func (g *rng) exp(mean float64) float64 { return g.r.ExpFloat64() * mean }

// poisson draws a Poisson count (Knuth for small means, normal approximation above 30).
func (g *rng) poisson(mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		n := int(math.Round(mean + math.Sqrt(mean)*g.r.NormFloat64()))
		return max(n, 0)
	}
	limit, p, n := math.Exp(-mean), 1.0, 0
	for {
		p *= g.r.Float64()
		if p <= limit {
			return n
		}
		n++
	}
}

// uuid returns a random (version 4, RFC 4122 variant) UUID drawn from the generator.
func (g *rng) uuid() [16]byte {
	var u [16]byte
	g.fill(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

func (g *rng) fill(b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := g.r.Uint64()
		for j := i; j < len(b) && j < i+8; j++ {
			b[j] = byte(v)
			v >>= 8
		}
	}
}

func (g *rng) hex(nbytes int) string {
	b := make([]byte, nbytes)
	g.fill(b)
	return hex.EncodeToString(b)
}

func (g *rng) base64(nbytes int) string {
	b := make([]byte, nbytes)
	g.fill(b)
	return base64.StdEncoding.EncodeToString(b)
}

// weighted is a fixed discrete distribution over indexes 0..n-1.
type weighted struct{ cum []float64 }

func newWeighted(w ...float64) weighted {
	cum := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		cum[i] = s
	}
	return weighted{cum}
}

func (w weighted) pick(g *rng) int {
	u := g.float() * w.cum[len(w.cum)-1]
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] > u {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
