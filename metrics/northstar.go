package metrics

import (
	"github.com/shopspring/decimal"

	"mari/calendar"
)

// MonthVolume is the completed volume of calendar month N after launch (launch month = 1).
type MonthVolume struct {
	N        int
	Month    calendar.Date
	Volume   decimal.Decimal
	Complete bool // the month is over (the current month is not)
}

// Milestone is one row of north_star_milestones.
type Milestone struct {
	N      int
	Volume decimal.Decimal
}

// MilestoneETA says when a milestone was or will be reached.
type MilestoneETA struct {
	Milestone
	Month          calendar.Date // calendar month of the milestone (launch + N - 1)
	ReachedActual  bool          // an actual complete month already reached it
	ReachedN       int           // month after launch it was / would be reached; 0 = not at this trend
	ReachedMonth   calendar.Date
	OnTrack        bool // reached (or projected to be reached) by the milestone month
	NotAtThisTrend bool // growth ≤ 0 (or no trend) and not reached yet
}

// Trend is the compound monthly growth of the last up-to-6 complete months and where it
// leads.
type Trend struct {
	OK         bool            // at least two complete months with a positive first volume
	Months     []MonthVolume   // the months the growth was measured over
	Growth     decimal.Decimal // monthly growth rate, e.g. 0.25 = +25 % a month
	Projection []MonthVolume   // from the last complete month to the horizon (Complete=false)
	ETAs       []MilestoneETA
}

// TrendWindow is how many complete months the compound growth is measured over.
const TrendWindow = 6

// maxProjectionMonths bounds the search for a milestone month: beyond 10 years a "projected
// month" says nothing.
const maxProjectionMonths = 120

// ProjectNorthStar measures the compound monthly growth over the last up-to-6 complete months,
// g = (last/first)^(1/(n-1)) - 1, projects volume forward from the last complete month to the
// last milestone month (at least 6 months ahead), and finds the month each milestone is
// reached. Arithmetic is decimal throughout.
func ProjectNorthStar(launch calendar.Date, months []MonthVolume, milestones []Milestone) Trend {
	var t Trend
	var complete []MonthVolume
	for _, m := range months {
		if m.Complete {
			complete = append(complete, m)
		}
	}
	if len(complete) > TrendWindow {
		complete = complete[len(complete)-TrendWindow:]
	}
	t.Months = complete
	n := len(complete)
	var factor decimal.Decimal // 1 + growth
	if n >= 2 && complete[0].Volume.IsPositive() && complete[n-1].Volume.IsPositive() {
		ratio := complete[n-1].Volume.DivRound(complete[0].Volume, 24)
		// ratio^(1/(n-1)) via exp(ln(ratio)/(n-1)): exact to far more places than shown.
		ln, err := ratio.Ln(24)
		if err == nil {
			f, err := ln.DivRound(decimal.NewFromInt(int64(n-1)), 24).ExpTaylor(20)
			if err == nil {
				factor = f
				t.Growth = f.Sub(decimal.NewFromInt(1)).Round(12)
				t.OK = true
			}
		}
	}

	horizon := 0
	for _, ms := range milestones {
		horizon = max(horizon, ms.N)
	}
	var last MonthVolume
	if n > 0 {
		last = complete[n-1]
		horizon = max(horizon, last.N+6)
	}
	if t.OK {
		// Carry 12 decimals between months and round to the cent only for display, so
		// rounding never compounds.
		v := last.Volume
		for k := last.N + 1; k <= horizon; k++ {
			v = v.Mul(factor).Round(12)
			t.Projection = append(t.Projection, MonthVolume{N: k, Month: launch.AddMonths(k - 1), Volume: v.Round(2)})
		}
	}

	for _, ms := range milestones {
		eta := MilestoneETA{Milestone: ms, Month: launch.AddMonths(ms.N - 1)}
		for _, m := range months {
			if m.Complete && m.Volume.GreaterThanOrEqual(ms.Volume) {
				eta.ReachedActual, eta.ReachedN, eta.ReachedMonth = true, m.N, m.Month
				break
			}
		}
		if !eta.ReachedActual {
			if t.OK && t.Growth.IsPositive() {
				v := last.Volume
				for k := last.N + 1; k <= last.N+maxProjectionMonths; k++ {
					v = v.Mul(factor).Round(12)
					if v.GreaterThanOrEqual(ms.Volume) {
						eta.ReachedN, eta.ReachedMonth = k, launch.AddMonths(k-1)
						break
					}
				}
			}
			eta.NotAtThisTrend = eta.ReachedN == 0
		}
		eta.OnTrack = eta.ReachedN != 0 && eta.ReachedN <= ms.N
		t.ETAs = append(t.ETAs, eta)
	}
	return t
}
