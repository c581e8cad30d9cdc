package catalogue

import (
	"context"
	"fmt"
	"strings"

	"mari/calendar"
	"mari/queries"
)

// The growth dashboard's metrics.
const (
	IDGrowthSignups         = "growth-signups"
	IDGrowthCohort          = "growth-signup-cohort"
	IDGrowthActivation      = "growth-activation-rate"
	IDGrowthD1Retention     = "growth-d1-retention"
	IDGrowthD7Retention     = "growth-d7-retention"
	IDGrowthD30Retention    = "growth-d30-retention"
	IDGrowthCohortHeatmap   = "growth-monthly-cohort-retention"
	IDGrowthReferrals       = "growth-referrals-made"
	IDGrowthTopReferrers    = "growth-top-referrers"
	IDGrowthReferredOrganic = "growth-referred-vs-organic"
)

// SignupSources are the values of users.signup_source, in the order pages show them: the
// values the source filter accepts.
var SignupSources = []string{"organic", "referral", "bank_promotion"}

// SourceReferral is the signup source of the referral programme.
const SourceReferral = "referral"

// ActivationWindowDays: a user's 168-hour activation window ends, at the latest, on their
// signup day + 7.
const ActivationWindowDays = 7

// RetentionDays are the N of the D1, D7 and D30 retention metrics, in that order.
var RetentionDays = [3]int{1, 7, 30}

// RetentionIDs are the retention metrics' ids, in the order of RetentionDays.
var RetentionIDs = [3]string{IDGrowthD1Retention, IDGrowthD7Retention, IDGrowthD30Retention}

// growthGrains: every growth metric can be asked for by day, ISO week and month.
var growthGrains = []Grain{Day, Week, Month}

func init() {
	growthFilters := []Filter{FilterSource}
	signups := func(c CohortCounts) Value { return count(c.Signups) }
	declare(&Metric{ID: IDGrowthSignups, Section: SectionGrowth, Name: "New sign-ups (by source)",
		Definition: "New users, split by the source each one signed up through: organic, referral or bank promotion. New users defines the count; this is the same count read from the growth rollup, which keeps each user's signup source, so it can be restricted to one source. Without a source filter it equals New users on every day, week and month. A week or month cut by the range's start or end counts only its days inside the range and is marked partial.",
		Formula:    "new users in the period (users.created_at on SAST days), of signup_source = the chosen source when one is given",
		Source:     "growth_daily.signups (the growth rollup of users, per SAST signup day and source)",
		Unit:       Count, Better: Higher, Grains: growthGrains, Filters: growthFilters,
		SQL:  cohortsSQL,
		Load: fromCohorts(signups)})
	declare(&Metric{ID: IDGrowthCohort, Section: SectionGrowth, Name: "Signup cohort",
		Definition: "The users who signed up in the same SAST day, ISO week (Monday to Sunday) or calendar month: the 'by' choice of the growth dashboard, or the grain a growth metric is asked for by, sets the cohort period. A cohort's activation and retention are those of its users, whenever their transactions happened. The monthly cohort heatmap always uses calendar months.",
		Formula:    "cohort = period containing the SAST date of users.created_at",
		Source:     "growth_daily, cohort_retention"})
	declare(&Metric{ID: IDGrowthActivation, Section: SectionGrowth, Name: "Activation rate",
		Definition: "A new user is activated when a transaction they sent within 7 days (168 hours, counted from the sign-up instant) of signing up completed (status COMPLETED). A transaction initiated exactly 168 hours after sign-up is outside the window. The rate counts only signup days whose every window has closed, that is, days whose 7th following day has fully passed: newer users are 'not yet known' and left out (shown separately, with how many of them have already activated), never counted as not activated. By day, week or month, each period's rate is that of the users who signed up in it. n/a when no signup day in the period is known yet.",
		Formula:    "activated ÷ sign-ups, over signup days D with D + 7 < today (SAST)",
		Source:     "growth_users.activated_at (first COMPLETED sent transaction initiated in [signup, signup + 168 h)), summed in growth_daily",
		Unit:       Ratio, Decimals: 1, Better: Higher, Grains: growthGrains, Filters: growthFilters,
		SQL:  cohortsSQL,
		Load: fromCohorts(CohortCounts.ActivationRate)})
	for i, n := range RetentionDays {
		declare(&Metric{ID: RetentionIDs[i], Section: SectionGrowth, Name: fmt.Sprintf("D%d retention", n),
			Definition: fmt.Sprintf("Of the users who signed up in the period (a signup cohort), the share who sent a transaction (any status: completed, failed or pending) on their day %d, the %s SAST calendar day after their signup day. Only users whose day %d has fully passed are counted (eligible); if no one in the cohort is eligible yet the figure is n/a, never zero. A user who signs up at 23:30 SAST has day 1 starting 30 minutes later. D1, D7 and D30 retention differ only in that day.",
				n, ordinal(n), n),
			Formula: fmt.Sprintf("users active on signup_day + %d ÷ users with signup_day + %d < today (SAST)", n, n),
			Source:  fmt.Sprintf("growth_users.d%d_active, summed in growth_daily", n),
			Unit:    Ratio, Decimals: 1, Better: Higher, Grains: growthGrains, Filters: growthFilters,
			SQL:  cohortsSQL,
			Load: fromCohorts(func(c CohortCounts) Value { return c.Retention(i) })})
	}
	declare(&Metric{ID: IDGrowthCohortHeatmap, Section: SectionGrowth, Name: "Monthly cohort retention",
		Definition: "For each calendar-month signup cohort, the share of its users who sent at least one transaction (any status) in each calendar month since signing up (month 0 = the signup month). A month that has not begun yet is left empty, never shown as 0%; the current month is month to date. Every signup source is included. Shown on the growth dashboard only.",
		Formula:    "active users of the cohort in month k ÷ cohort size",
		Source:     "cohort_retention (active_users, cohort_size)"})
	declare(&Metric{ID: IDGrowthReferrals, Section: SectionGrowth, Name: "Referrals made",
		Definition: "Users who signed up through the referral programme (signup_source 'referral', with the referring user recorded) in the period: the new sign-ups of the referral source. The growth dashboard shows beside it how many distinct users referred them.",
		Formula:    "count of users with signup_source = 'referral' and created_at in the period",
		Source:     "growth_daily (referral), growth_users.referrer_user_id",
		Unit:       Count, Better: Higher, Grains: growthGrains,
		SQL: cohortsSQL,
		Load: func(ctx context.Context, src *Sources, q Query) (Series, error) {
			q.Filters.Source = SourceReferral
			return fromCohorts(signups)(ctx, src, q)
		}})
	declare(&Metric{ID: IDGrowthTopReferrers, Section: SectionGrowth, Name: "Top referrers",
		Definition: "The 20 users whose referrals signed up most in the range, identified only by their blood hash (never a phone hash), with how many of the people they referred activated. Ties are broken by more activated, then by blood hash. The activation rate counts only referred users whose 7-day window has closed. Shown on the growth dashboard only.",
		Formula:    "referred users grouped by referrer_user_id; activated ÷ referred with closed windows",
		Source:     "growth_users (referrer_blood_hash, copied from users.blood_hash)"})
	declare(&Metric{ID: IDGrowthReferredOrganic, Section: SectionGrowth, Name: "Referred against organic users",
		Definition: "Activation, D1, D7 and D30 retention of the users who signed up in the range, side by side for each signup source: each is the metric of the same name restricted to the source. The comparison always shows every source, whatever source filter is chosen.",
		Formula:    "per signup_source: activation rate, D1, D7, D30 retention",
		Source:     "growth_daily"})
}

// ordinal is "1st", "7th", "30th".
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// The rules of knowability: the rollup stores what happened, these decide which users may be
// counted on a given day. Every activation window of signup day d has closed once day d + 7
// has fully passed; users of signup day d count for Dn retention once day d + n has passed.

// ActivationKnownThrough is the latest signup day whose activation is known today.
func ActivationKnownThrough(today calendar.Date) calendar.Date {
	return today.AddDays(-ActivationWindowDays - 1)
}

// knowable is what is known on one day: the last signup day whose activation is known, and
// for each retention day N the last signup day whose day N has passed. Worked out once per
// query, not per signup day.
type knowable struct {
	activationThrough calendar.Date
	eligibleThrough   [3]calendar.Date
}

func knowableOn(today calendar.Date) knowable {
	k := knowable{activationThrough: ActivationKnownThrough(today)}
	for i, n := range RetentionDays {
		k.eligibleThrough[i] = today.AddDays(-n - 1) // signup day + n < today
	}
	return k
}

// CohortCounts are the counts of a signup cohort (any group of signup days), split into what
// is known on the query's day. The growth metrics are formulas over them.
type CohortCounts struct {
	Signups int64
	// Activation over the signup days whose windows have all closed.
	Known, Activated int64
	// Users still in their window, and how many of them have activated already.
	Open, OpenActivated int64
	// Dn retention (by RetentionDays): users whose day n has passed, and of them those
	// active that day.
	Eligible, Active [3]int64
}

func (c *CohortCounts) add(g queries.GrowthDay, k knowable) {
	c.Signups += g.Signups
	if !g.Day.After(k.activationThrough) {
		c.Known += g.Signups
		c.Activated += g.Activated
	} else {
		c.Open += g.Signups
		c.OpenActivated += g.Activated
	}
	active := [3]int64{g.D1, g.D7, g.D30}
	for i := range RetentionDays {
		if !g.Day.After(k.eligibleThrough[i]) {
			c.Eligible[i] += g.Signups
			c.Active[i] += active[i]
		}
	}
}

// Add is the counts of both cohorts together.
func (c CohortCounts) Add(o CohortCounts) CohortCounts {
	c.Signups += o.Signups
	c.Known += o.Known
	c.Activated += o.Activated
	c.Open += o.Open
	c.OpenActivated += o.OpenActivated
	for i := range RetentionDays {
		c.Eligible[i] += o.Eligible[i]
		c.Active[i] += o.Active[i]
	}
	return c
}

// ActivationRate is activated ÷ known: n/a while no window has closed.
func (c CohortCounts) ActivationRate() Value { return ratio(c.Activated, c.Known) }

// Retention is the Dn retention of RetentionDays[i]: n/a while no one is eligible.
func (c CohortCounts) Retention(i int) Value { return ratio(c.Active[i], c.Eligible[i]) }

// Cohort is one period of a growth query: its signup cohort's counts.
type Cohort struct {
	Period   calendar.Range // cut to the query's range
	Complete bool           // as Point.Complete
	Counts   CohortCounts
}

// growthDays reads the growth rollup's rows of r, every source; callers asking for the same
// range at the same time share one query, whatever source they keep.
func (s *Sources) growthDays(ctx context.Context, r calendar.Range) ([]queries.GrowthDay, error) {
	return shared(ctx, s, key("growth", r), func(ctx context.Context) ([]queries.GrowthDay, error) {
		return queries.GrowthDaily(ctx, s.PG, r)
	})
}

// Cohorts are the signup cohorts of q: one per period of q.Grain (each day, ISO week or
// month, cut to q.Range), of q.Filters.Source when set, with the counts known on q's day, and
// the counts of the whole range. The growth metrics are these counts' formulas, so a page that
// shows the counts beside a rate shows the rate's own inputs.
func Cohorts(ctx context.Context, src *Sources, q Query) ([]Cohort, CohortCounts, error) {
	if q.Filters.Bank != "" || q.Filters.Channel != "" {
		return nil, CohortCounts{}, InputError{"Growth figures have no bank or channel: sign-ups are counted by signup source."}
	}
	if s := q.Filters.Source; s != "" && !knownSource(s) {
		return nil, CohortCounts{}, InputError{fmt.Sprintf("Unknown signup source %q: choose one of %s.", s, strings.Join(SignupSources, ", "))}
	}
	days, err := src.growthDays(ctx, q.Range)
	if err != nil {
		return nil, CohortCounts{}, err
	}
	points := Periods(q.Range, q.Grain, q.Today())
	known := knowableOn(q.Today())
	out := make([]Cohort, len(points))
	var total CohortCounts
	i := 0
	for p := range points {
		out[p] = Cohort{Period: points[p].Period, Complete: points[p].Complete}
		for ; i < len(days) && !days[i].Day.After(points[p].Period.To); i++ {
			if q.Filters.Source == "" || days[i].Source == q.Filters.Source {
				out[p].Counts.add(days[i], known)
			}
		}
		total = total.Add(out[p].Counts)
	}
	return out, total, nil
}

func knownSource(s string) bool {
	for _, k := range SignupSources {
		if k == s {
			return true
		}
	}
	return false
}

// fromCohorts makes the Load of a growth metric, a formula over a cohort's counts: each
// period's value and the range's total come from the same formula over the summed counts, so
// a count adds up exactly to its total and a rate's numerators and denominators do.
func fromCohorts(formula func(CohortCounts) Value) func(context.Context, *Sources, Query) (Series, error) {
	return func(ctx context.Context, src *Sources, q Query) (Series, error) {
		cohorts, total, err := Cohorts(ctx, src, q)
		if err != nil {
			return Series{}, err
		}
		points := make([]Point, len(cohorts))
		for i, c := range cohorts {
			points[i] = Point{Period: c.Period, Complete: c.Complete, Value: formula(c.Counts)}
		}
		return Series{Points: points, Total: formula(total)}, nil
	}
}
