package metrics

// Glossary IDs of the growth dashboard.
const (
	IDGrowthSignups         = "growth-signups"
	IDGrowthCohort          = "growth-signup-cohort"
	IDGrowthActivation      = "growth-activation-rate"
	IDGrowthRetention       = "growth-dn-retention"
	IDGrowthCohortHeatmap   = "growth-monthly-cohort-retention"
	IDGrowthReferrals       = "growth-referrals-made"
	IDGrowthTopReferrers    = "growth-top-referrers"
	IDGrowthReferredOrganic = "growth-referred-vs-organic"
)

func init() {
	Glossary = append(Glossary,
		Definition{ID: IDGrowthSignups, Name: "New sign-ups (by source)",
			Definition: "Users who signed up in the period, counted from their sign-up time (users.created_at) on SAST calendar days, never from first transactions, split by the source they signed up through: organic, referral or bank promotion. Weeks are ISO weeks (Monday to Sunday); a week or month cut by the range's start or end counts only its days inside the range and is marked partial.",
			Formula:    "count of users with created_at in the period, grouped by signup_source",
			Source:     "growth_daily.signups (the growth rollup of users)"},
		Definition{ID: IDGrowthCohort, Name: "Signup cohort",
			Definition: "The users who signed up in the same SAST day, ISO week (Monday to Sunday) or calendar month: the 'by' choice of the growth dashboard sets the cohort period. The monthly cohort heatmap always uses calendar months.",
			Formula:    "cohort = period containing the SAST date of users.created_at",
			Source:     "growth_daily, cohort_retention"},
		Definition{ID: IDGrowthActivation, Name: "Activation rate",
			Definition: "A new user is activated when a transaction they sent within 7 days (168 hours, counted from the sign-up instant) of signing up completed (status COMPLETED). A transaction initiated exactly 168 hours after sign-up is outside the window. The rate counts only signup days whose every window has closed, that is, days whose 7th following day has fully passed: newer users are 'not yet known' and left out (shown separately, with how many of them have already activated), never counted as not activated. n/a when no signup day in the range is known yet.",
			Formula:    "activated ÷ sign-ups, over signup days D with D + 7 < today (SAST)",
			Source:     "growth_users.activated_at (first COMPLETED sent transaction initiated in [signup, signup + 168 h)), summed in growth_daily"},
		Definition{ID: IDGrowthRetention, Name: "D1, D7 and D30 retention",
			Definition: "Of a signup cohort, the share who sent a transaction (any status: completed, failed or pending) on the SAST calendar day N days after their signup day (N = 1, 7 or 30). Only users whose day N has fully passed are counted (eligible); if no one in the cohort is eligible yet the figure is n/a, never zero. A user who signs up at 23:30 SAST has day 1 starting 30 minutes later.",
			Formula:    "users active on signup_day + N ÷ users with signup_day + N < today (SAST)",
			Source:     "growth_users.d1_active / d7_active / d30_active, summed in growth_daily"},
		Definition{ID: IDGrowthCohortHeatmap, Name: "Monthly cohort retention",
			Definition: "For each calendar-month signup cohort, the share of its users who sent at least one transaction (any status) in each calendar month since signing up (month 0 = the signup month). A month that has not begun yet is left empty, never shown as 0%; the current month is month to date. Every signup source is included.",
			Formula:    "active users of the cohort in month k ÷ cohort size",
			Source:     "cohort_retention (active_users, cohort_size)"},
		Definition{ID: IDGrowthReferrals, Name: "Referrals made",
			Definition: "Users who signed up through the referral programme (signup_source 'referral', with the referring user recorded) in the range, and how many distinct users referred them.",
			Formula:    "count of users with signup_source = 'referral' and created_at in the range",
			Source:     "growth_daily (referral), growth_users.referrer_user_id"},
		Definition{ID: IDGrowthTopReferrers, Name: "Top referrers",
			Definition: "The 20 users whose referrals signed up most in the range, identified only by their blood hash (never a phone hash), with how many of the people they referred activated. Ties are broken by more activated, then by blood hash. The activation rate counts only referred users whose 7-day window has closed.",
			Formula:    "referred users grouped by referrer_user_id; activated ÷ referred with closed windows",
			Source:     "growth_users joined to users (blood_hash)"},
		Definition{ID: IDGrowthReferredOrganic, Name: "Referred against organic users",
			Definition: "Activation, D1, D7 and D30 retention of the users who signed up in the range, side by side for each signup source, with the same definitions and eligibility rules as the tiles. The comparison always shows every source, whatever source filter is chosen.",
			Formula:    "per signup_source: activation rate, D1, D7, D30 retention",
			Source:     "growth_daily"},
	)
}
