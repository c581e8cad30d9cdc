package demodata

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"mari/calendar"
)

// bank is a partner bank. Contract dates are placed as fractions of the history, so a short
// history (tests) still has early, late, pilot and ended contracts.
type bank struct {
	name, code, status string
	start              calendar.Date
	end                *calendar.Date // contract_end_date; nil while open-ended
	monthlyFeeRand     int64          // whole rand per month
	slaP95ms           int
	apiKeyHash         string
	share              float64 // relative share of sign-ups choosing it
	latency            float64 // multiplier on processing time (some banks are slower)
}

type bankPlan struct {
	name, code, status string
	startAt, endAt     float64 // fraction of the history; endAt < 0: open-ended
	fee                int64
	sla                int
	share, latency     float64
}

var bankPlans = []bankPlan{
	{"Ubuntu Trust Bank", "UTB", "active", 0, -1, 55000, 3000, 5, 1.0},
	{"Protea Savings Bank", "PSB", "inactive", 0.1, 0.55, 40000, 3500, 2, 1.15},
	{"Karoo Capital Bank", "KCB", "active", 0.2, -1, 48000, 2500, 4, 0.9},
	{"Highveld Mutual Bank", "HVM", "active", 0.4, -1, 42000, 4000, 3, 1.25},
	{"Fynbos Commercial Bank", "FCB", "active", 0.6, -1, 60000, 2000, 3, 0.85},
	{"Baobab Digital Bank", "BAO", "pilot", 0.85, -1, 0, 3000, 1.5, 1.1},
}

func buildBanks(g *rng, months []month) []bank {
	last := len(months) - 1
	monthAt := func(f float64) calendar.Date { return months[int(f*float64(last))].first }
	out := make([]bank, 0, len(bankPlans))
	for i, p := range bankPlans {
		b := bank{name: p.name, code: p.code, status: p.status, monthlyFeeRand: p.fee, slaP95ms: p.sla,
			share: p.share, latency: p.latency}
		b.start = monthAt(p.startAt)
		if i > 0 { // the launch bank signs on launch day; the others part-way through a month
			b.start = b.start.AddDays(g.intn(20))
			if b.start.Start().UnixMilli() >= months[last].end {
				b.start = months[last].first
			}
		}
		if p.endAt >= 0 {
			e := monthAt(p.endAt).AddMonths(1).AddDays(-1) // contracts end on a month's last day
			if e.Before(b.start) {
				e = b.start.MonthEnd()
			}
			if e.Start().UnixMilli() >= months[last].end { // an ended contract has ended before End
				e = b.start
			}
			b.end = &e
		}
		secret := make([]byte, 32)
		g.fill(secret)
		sum := sha256.Sum256(secret)
		b.apiKeyHash = hex.EncodeToString(sum[:])
		out = append(out, b)
	}
	return out
}

func (b *bank) endpoint() string {
	return fmt.Sprintf("https://api.%s.example/mari/v1/payments", strings.ToLower(b.code))
}

// inForce reports whether the contract covers calendar day d.
func (b *bank) inForce(d calendar.Date) bool {
	return !d.Before(b.start) && (b.end == nil || !d.After(*b.end))
}

// release is an app version and the instant it shipped.
type release struct {
	at      int64
	version string
}

// buildReleases ships a minor version every five to seven weeks and a patch or two between.
func buildReleases(g *rng, launch, end int64) []release {
	out := []release{{launch, "2.0.0"}}
	minor, t := 0, launch
	for {
		t += int64(35+g.intn(14)) * msPerDay
		if t >= end {
			return out
		}
		minor++
		out = append(out, release{t, fmt.Sprintf("2.%d.0", minor)})
		pt, patches := t, g.intn(3)
		for patch := 1; patch <= patches; patch++ {
			pt += int64(5+g.intn(9)) * msPerDay
			if pt >= end {
				return out
			}
			out = append(out, release{pt, fmt.Sprintf("2.%d.%d", minor, patch)})
		}
	}
}
