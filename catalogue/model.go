package catalogue

// The financial model's figures (package finmodel computes them).
const (
	IDModelPlanRevenue     = "model-plan-revenue"
	IDModelOperatingProfit = "model-operating-profit"
	IDModelBreakEven       = "model-break-even"
	IDModelPayback         = "model-payback"
	IDModelMonthly         = "model-monthly-view"
	IDModelSensitivity     = "model-sensitivity"
	IDModelVariance        = "model-plan-variance"
	IDModelReforecast      = "model-reforecast"
)

func init() {
	declare(&Metric{ID: IDModelPlanRevenue, Section: SectionModel, Name: "Plan revenue",
		Definition: "The revenue of a scenario, as the seed's financial model counts it: every planned transaction earns the whole fee (no bank share is modelled), plus the banks' licensing fees. It is therefore not Mari's revenue as the dashboards count it (net of the banks' shares); plan against actuals compares it with what was billed on the same basis.",
		Formula:    "transaction revenue = users × transactions per user per month × 12 × fee per transaction; plan revenue = transaction revenue + banks × licensing per bank per month × 12",
		Source:     "the scenario's assumptions (finmodel.Compute)"})
	declare(&Metric{ID: IDModelOperatingProfit, Section: SectionModel, Name: "Operating profit (the seed's \"gross profit\")",
		Definition: "What the plan earns after every cost it models: revenue (transaction fees plus bank licensing fees) minus team, infrastructure, marketing and compliance costs. The seed's model calls this figure \"gross profit\", but gross profit deducts only the cost of revenue (the costs of carrying transactions: infrastructure, payment processing, SMS), not salaries, marketing or compliance; those are operating costs. So the model labels it operating profit, and the operating margin is operating profit ÷ revenue. The dashboard's gross margin is a different, higher figure.",
		Formula:    "operating profit = (transaction revenue + licensing revenue) − (team + infrastructure + marketing + compliance); operating margin = operating profit ÷ revenue × 100, rounded to 2 places, n/a without revenue; cumulative = running sum from year 1",
		Source:     "the scenario's assumptions (finmodel.Compute); each line rounded to the cent, totals are sums of the rounded lines"})
	declare(&Metric{ID: IDModelBreakEven, Section: SectionModel, Name: "Break-even month",
		Definition: "The first plan month from which operating profit is zero or more in every remaining month of the plan. A single good month followed by more losses is not break-even. Shown as year and month of the plan (year 1, month 1 is the launch month); \"not within the plan\" when it never happens.",
		Formula:    "first month m such that operating profit(k) ≥ 0 for every k ≥ m",
		Source:     "the scenario's monthly view"})
	declare(&Metric{ID: IDModelPayback, Section: SectionModel, Name: "Payback month",
		Definition: "The first plan month from which cumulative operating profit is zero or more for the rest of the plan: every rand lost before it has been earned back. It comes at or after the break-even month.",
		Formula:    "first month m such that Σ operating profit(1..k) ≥ 0 for every k ≥ m",
		Source:     "the scenario's monthly view"})
	declare(&Metric{ID: IDModelMonthly, Section: SectionModel, Name: "Monthly view of the plan",
		Definition: "The seed's plan is yearly and reads each year's user count as the active users of every month of that year (revenue = users × transactions per user per month × 12 × fee). The monthly view therefore is flat within a year: every month has the year's users and a twelfth of its transactions; each money line is the year's line split into twelve cent amounts, with the rounding remainder in month 12, so the months add up to the year exactly.",
		Formula:    "month line = round(year line ÷ 12, 2) for months 1–11; month 12 = year line − 11 × that",
		Source:     "the scenario's yearly results"})
	declare(&Metric{ID: IDModelSensitivity, Section: SectionModel, Name: "Sensitivity (tornado chart)",
		Definition: "How the plan's final-year operating profit and its cumulative operating profit change when one driver moves by −20%, −10%, +10% and +20% in every year at once, all other assumptions unchanged. Drivers are ordered by impact: the widest swing of final-year profit across the four moves. Counts such as banks and team size are moved fractionally here (1.1 banks is 110% of one bank's licensing) although the editor accepts only whole numbers for them.",
		Formula:    "change = profit(plan with driver × (1 + step)) − profit(plan), step ∈ {−20%, −10%, +10%, +20%}; impact = max change − min change of final-year profit",
		Source:     "the scenario's assumptions (finmodel.SensitivityOf)"})
	declare(&Metric{ID: IDModelVariance, Section: SectionModel, Name: "Plan against actuals, and the ±5% flag",
		Definition: "Each calendar month since launch (plan month 1 is the month of the first sign-up, or MARI_LAUNCH_MONTH) laid against the same plan month: actual monthly active users against planned users, actual transactions initiated (any status) against planned transactions, and what was billed against the plan's revenue. The seed's model books the whole fee of every transaction as revenue, with no bank share, plus licensing; so its revenue is compared with what Mari billed on that basis, the transaction fees billed on completed transactions plus licensing fees accrued, and Mari's revenue (net of the banks' shares) is shown beside it. Variance is actual − plan in the measure's unit and as a percentage of the plan; the percentage is n/a when the plan is zero. A complete month is flagged when any measure is more than 5% away from the plan (the seed's accuracy target), or when the plan is zero and the actual is not. The month still running is shown month to date and never flagged. The plan assumes every transaction earns the fee; actual fees are billed only on completed ones.",
		Formula:    "variance = actual − plan; variance % = variance ÷ plan × 100 (2 places); flagged when |variance ÷ plan| > 5%; billed = transaction fees billed + licensing revenue",
		Source:     "the executive metrics MAU, transactions, transaction fees billed, licensing revenue and revenue, by month; the scenario's monthly view"})
	declare(&Metric{ID: IDModelReforecast, Section: SectionModel, Name: "Re-forecast from actuals",
		Definition: "A new scenario built from a plan and what happened so far. Take the latest complete month of actuals, L, in plan year Y. Every plan year before Y becomes its actuals: users = the mean monthly active users of its months, transactions per user = its transactions ÷ its users. Year Y and the years after keep the plan's growth but start from where month L really was: planned users × (actual users in L ÷ planned users in L) and planned transactions per user × (actual transactions per user in L ÷ planned). Fees, banks, team and costs stay as planned. Users are rounded to whole users, transactions per user to 2 places.",
		Formula:    "years < Y: users = mean MAU, tx/user = Σ tx ÷ Σ MAU; years ≥ Y: users × MAU(L) ÷ planned users(L), tx/user × (tx(L) ÷ MAU(L)) ÷ planned tx/user(L)",
		Source:     "the scenario and the plan-against-actuals months (finmodel.Reforecast)"})
}
