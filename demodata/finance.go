package demodata

import (
	"math"

	"mari/calendar"
)

// incident is an operational incident; outages count as downtime.
type incident struct {
	title, severity, description string
	outage                       bool
	start, end                   int64 // ms
}

var incidentTitles = map[string][]string{
	"minor": {"Elevated latency on balance checks", "Delayed SMS delivery receipts",
		"Push notifications delayed", "Slow dashboard exports", "Intermittent QR scan errors"},
	"major": {"Payment submissions timing out at partner bank", "SMS gateway degraded",
		"Seal verification service degraded", "Database failover", "Login errors on Android 2.x"},
	"critical": {"Payments API unavailable", "Core ledger outage", "Full platform outage after deploy"},
}

var severities = [...]string{"minor", "major", "critical"}

// buildIncidents draws one to three incidents a month; critical ones are always outages, so
// monthly uptime lands around 99.9%, some months above and some below.
func buildIncidents(g *rng, months []month, end int64) []incident {
	sev := newWeighted(50, 35, 15)
	var out []incident
	for _, m := range months {
		n := 1 + g.intn(3)
		for range n {
			inc := incident{severity: severities[sev.pick(g)]}
			switch inc.severity {
			case "critical":
				inc.outage = true
			case "major":
				inc.outage = g.chance(0.5)
			default:
				inc.outage = g.chance(0.1)
			}
			var dur int64
			if inc.outage {
				dur = int64((5 + 85*math.Pow(g.float(), 2)) * float64(msPerMinute))
			} else {
				dur = int64(g.between(10, 360) * float64(msPerMinute))
			}
			titles := incidentTitles[inc.severity]
			inc.title = titles[g.intn(len(titles))]
			span := m.end - m.start - dur - msPerMinute
			if span <= 0 {
				continue // too little of the month left before End
			}
			inc.start = m.start + int64(g.float()*float64(span))/1000*1000
			inc.end = inc.start + dur/1000*1000
			if inc.outage {
				inc.description = "Customers could not complete payments while this lasted."
			} else {
				inc.description = "Degraded service; payments continued."
			}
			out = append(out, inc)
		}
	}
	return out
}

// cost is one monthly_costs row.
type cost struct {
	month    calendar.Date
	category string
	cents    int64
}

// costCategories mirrors the rows of cost_categories (migration 00002), in its order.
var costCategories = []string{"infrastructure", "payment_processing", "sms_gateway", "marketing",
	"salaries", "compliance", "office"}

// buildCosts books every category for every month. Time-based costs of the month holding End
// are booked pro rata (month to date); usage-based ones follow the month's actual counts.
func buildCosts(g *rng, months []month, stats []monthStats) []cost {
	var out []cost
	rands := func(r float64) int64 { return int64(math.Round(r * 100)) }
	for i, m := range months {
		s := stats[i]
		f := float64(m.end-m.start) / float64(m.fullEnd-m.start)
		progress := 0.0
		if len(months) > 1 {
			progress = float64(i) / float64(len(months)-1)
		}
		team := int(math.Round(8 + 12*math.Pow(progress, 1.3)))
		salary := 50000.0
		if i >= 12 {
			salary *= 1.06 // annual increase
		}
		audit := 1.0
		if i%12 == 11 {
			audit = 1.6
		}
		amounts := []int64{
			// infrastructure: a base, each bank integration, and every registered user
			rands((9000+2500*float64(s.banksInForce))*f*g.between(0.95, 1.08)) + rands(0.6*float64(s.usersToDate)),
			// payment_processing: R0.02 per payment plus a switch fee per connected bank
			2*s.txs + rands(1000*float64(s.banksInForce)*f),
			// sms_gateway: R0.22 per SMS; an offline payment sends two, a sign-up two OTPs
			22 * (2*s.offline + 2*int64(s.newUsers)),
			// marketing: R8–R15 per new user
			rands(float64(s.newUsers) * g.between(8, 15)),
			rands(float64(team) * salary * f),
			rands(g.between(25000, 40000) * audit * f),
			rands((15000 + 2500*float64(team)) * f),
		}
		for c, cat := range costCategories {
			out = append(out, cost{m.first, cat, amounts[c]})
		}
	}
	return out
}
