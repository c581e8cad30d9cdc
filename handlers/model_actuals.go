package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/catalogue"
	"mari/finmodel"
	"mari/queries"
	"mari/views"
)

// modelActuals are the months since launch, read from the rollups with the executive
// dashboard's monthly query (queries.ExecMonthly: MAU, transactions initiated, fees billed,
// the banks' shares and licensing), aligned to the plan.
type modelActuals struct {
	Launch  calendar.Date
	Months  []queries.Month
	Actuals []finmodel.ActualMonth
	Empty   string // why there is nothing to compare yet
}

// launchMonth is plan month 1: MARI_LAUNCH_MONTH, or the month of the first sign-up.
func (h *Model) launchMonth(ctx context.Context) (calendar.Date, bool, error) {
	return launchMonth(ctx, h.opts.LaunchMonth, firstSignupIn(h.db))
}

func (h *Model) loadActuals(ctx context.Context, planMonths int) (modelActuals, error) {
	ctx, cancel := context.WithTimeout(ctx, h.opts.PanelTimeout)
	defer cancel()
	var out modelActuals
	launch, ok, err := h.launchMonth(ctx)
	if err != nil {
		return out, err
	}
	if !ok {
		out.Empty = "No one has signed up yet, so there is no launch month and there are no actuals to compare."
		return out, nil
	}
	out.Launch = launch
	today := calendar.Today(h.opts.Now())
	if launch.After(today) {
		out.Empty = fmt.Sprintf("The launch month (%s) has not begun yet.", launch.MonthLabel())
		return out, nil
	}
	end := launch.AddMonths(planMonths).AddDays(-1)
	if today.Before(end) {
		end = today
	}
	months, err := queries.ExecMonthly(ctx, h.db, calendar.Range{From: launch, To: end})
	if err != nil {
		return out, err
	}
	out.Months = months
	for i, m := range months {
		complete := m.Month.MonthEnd().Before(today) && m.Days > 0 && !monthToDate(m)
		// The plan's revenue is the seed model's: the whole fee of every transaction, with no
		// bank share, plus licensing. So it is compared with what was billed on that basis;
		// Mari's revenue (net of the banks' shares) is shown beside it.
		out.Actuals = append(out.Actuals, finmodel.ActualMonth{PlanMonth: i + 1, Users: decimal.NewFromInt(m.MAU),
			Transactions: decimal.NewFromInt(m.TotalTransactions), Revenue: m.FeesBilled.Add(m.LicensingRevenue), Complete: complete})
	}
	return out, nil
}

// varianceTable is the plan-against-actuals table as CSV rows (exact values).
func varianceTable(acts modelActuals, cmp []finmodel.MonthComparison) table {
	t := table{Header: []string{"month", "plan_month", "complete",
		"users_plan", "users_actual", "users_variance", "users_variance_percent",
		"transactions_plan", "transactions_actual", "transactions_variance", "transactions_variance_percent",
		"billed_plan", "billed_actual", "billed_variance", "billed_variance_percent", "mari_revenue_actual", "outside_5_percent"}}
	pct := func(v finmodel.Variance) string {
		if !v.PercentOK {
			return ""
		}
		return v.Percent.StringFixed(2)
	}
	for i, m := range cmp {
		month := acts.Launch.AddMonths(m.PlanMonth - 1)
		t.Rows = append(t.Rows, []string{month.MonthKey(), strconv.Itoa(m.PlanMonth), yesNo(m.Complete),
			m.Users.Plan.String(), m.Users.Actual.String(), m.Users.Difference.String(), pct(m.Users),
			m.Transactions.Plan.String(), m.Transactions.Actual.String(), m.Transactions.Difference.String(), pct(m.Transactions),
			m.Revenue.Plan.StringFixed(2), m.Revenue.Actual.StringFixed(2), m.Revenue.Difference.StringFixed(2), pct(m.Revenue),
			acts.Months[i].Revenue().StringFixed(2), yesNo(m.Outside())})
	}
	return t
}

func varianceCells(v finmodel.Variance, money bool) []views.ModelResultCell {
	show := func(d decimal.Decimal) string {
		if money {
			return views.Rand(d)
		}
		return views.Count(d.IntPart())
	}
	diff := show(v.Difference.Abs())
	if v.Difference.IsNegative() {
		diff = "−" + diff
	} else {
		diff = "+" + diff
	}
	pct := "n/a"
	if v.PercentOK {
		pct = views.Percent(v.Percent.Div(decimal.NewFromInt(100)), 2)
		if !v.Percent.IsNegative() {
			pct = "+" + pct
		}
	}
	cls := ""
	if v.Outside {
		cls = "outside"
	}
	return []views.ModelResultCell{{Text: show(v.Plan)}, {Text: show(v.Actual)}, {Text: diff, Class: cls}, {Text: pct, Class: cls}}
}

// Actuals serves GET /model/:id/actuals: each month since launch against the same plan month,
// with the variance in units and percent and months outside ±5% flagged.
func (h *Model) Actuals(c echo.Context) error {
	s, err := h.scenario(c)
	if done, err := scenarioNotFoundPage(c, err); done || err != nil {
		return err
	}
	return h.renderActuals(c, http.StatusOK, s, views.ModelCloneForm{})
}

func (h *Model) renderActuals(c echo.Context, status int, s scenarioRef, reforecast views.ModelCloneForm) error {
	v := views.ModelActuals{Head: h.head(s, "actuals"), CanEdit: canEditModel(c)}
	r := finmodel.Compute(s.Assumptions)
	acts, err := h.loadActuals(c.Request().Context(), len(r.Months()))
	if err != nil {
		h.opts.Log.Warn("model actuals unavailable", "err", err)
		v.Unavailable = "the rollups could not be read just now; try again in a moment"
		return render(c, status, views.ModelActualsPage(v))
	}
	v.Launch = "not yet"
	if !acts.Launch.IsZero() {
		v.Launch = acts.Launch.MonthLabel()
	}
	if acts.Empty != "" {
		v.Empty = acts.Empty
		return render(c, status, views.ModelActualsPage(v))
	}
	cmp := finmodel.CompareActuals(r, acts.Actuals)
	complete, outside := 0, 0
	t := views.ModelTable{Title: "Plan against actuals, month by month", HelpID: catalogue.IDModelVariance, CSVHref: s.href("/actuals.csv"),
		Header: []string{"Month", "Plan month", "Users plan", "Users actual", "Users variance", "Users %",
			"Transactions plan", "Transactions actual", "Transactions variance", "Transactions %",
			"Billed plan", "Billed actual", "Billed variance", "Billed %", "Mari's revenue", "Status"},
		Note: "Users are monthly active users; transactions are all initiated. The plan's revenue is the seed model's, the whole fee of every transaction plus licensing, so it is compared with what was billed: transaction fees billed on completed transactions plus licensing fees accrued. Mari's revenue, net of the banks' shares, is shown beside it. Highlighted: more than 5% from the plan."}
	for i, m := range cmp {
		month := acts.Launch.AddMonths(m.PlanMonth - 1)
		row := []views.ModelResultCell{{Text: month.MonthLabel()}, {Text: shortMonth(m.PlanMonth)}}
		row = append(row, varianceCells(m.Users, false)...)
		row = append(row, varianceCells(m.Transactions, false)...)
		row = append(row, varianceCells(m.Revenue, true)...)
		row = append(row, views.ModelResultCell{Text: views.Rand(acts.Months[i].Revenue())})
		status := views.ModelResultCell{Text: "within ±5%"}
		switch {
		case !m.Complete:
			status = views.ModelResultCell{Text: "month to date, not judged", Class: "muted"}
		case m.Outside():
			status = views.ModelResultCell{Text: "outside ±5%", Class: "outside"}
		}
		if m.Complete {
			complete++
			if m.Outside() {
				outside++
			}
		}
		row = append(row, status)
		t.Rows = append(t.Rows, row)
	}
	v.Table = t
	v.Summary = fmt.Sprintf("%d of %d complete months within ±5%% of the plan on users, transactions and revenue; %d outside.", complete-outside, complete, outside)
	if len(acts.Actuals) > len(cmp) {
		v.Notes = append(v.Notes, "Months after the plan's last month are not shown.")
	}
	v.Charts = actualsCharts(acts, cmp)
	v.Reforecast = reforecast
	if v.Reforecast.Action == "" {
		latest := ""
		for _, m := range cmp {
			if m.Complete {
				latest = acts.Launch.AddMonths(m.PlanMonth - 1).MonthKey()
			}
		}
		v.Reforecast = views.ModelCloneForm{Action: s.href("/reforecast"), Name: strings.TrimSpace(s.Name + " re-forecast " + latest), Label: "Re-forecast into a new scenario"}
	}
	return render(c, status, views.ModelActualsPage(v))
}

// actualsCharts are what was billed (transaction fees billed plus licensing, the plan's basis)
// and monthly active users, each month's actual as a bar with the plan as a line over it.
func actualsCharts(acts modelActuals, cmp []finmodel.MonthComparison) []views.Chart {
	var cats []string
	var actRev, actUsers []opts.BarData
	var planRev, planUsers []opts.LineData
	for _, m := range cmp {
		label := acts.Launch.AddMonths(m.PlanMonth - 1).MonthKey()
		if !m.Complete {
			label += " (to date)"
		}
		cats = append(cats, label)
		planRev, actRev = append(planRev, lineValue(drawn(m.Revenue.Plan))), append(actRev, barValue(drawn(m.Revenue.Actual)))
		planUsers, actUsers = append(planUsers, lineValue(drawn(m.Users.Plan))), append(actUsers, barValue(drawn(m.Users.Actual)))
	}
	rev := charts.NewBar()
	rev.SetGlobalOptions(chartGlobals(randYAxis("billed"))...)
	rev.SetXAxis(cats).AddSeries("Billed (fees + licensing)", actRev, randSeries(), colour(colourRevenue))
	revPlan := charts.NewLine()
	revPlan.SetXAxis(cats).AddSeries("Plan", planRev, randSeries(), colour(colourCosts))
	rev.Overlap(revPlan)

	users := charts.NewBar()
	users.SetGlobalOptions(chartGlobals(countYAxis("users", false))...)
	users.SetXAxis(cats).AddSeries("Actual monthly active users", actUsers, countSeries(), colour(colourProfit))
	usersPlan := charts.NewLine()
	usersPlan.SetXAxis(cats).AddSeries("Plan", planUsers, countSeries(), colour(colourCosts))
	users.Overlap(usersPlan)
	return []views.Chart{
		{ID: "model-actual-revenue", Title: "Billed (transaction fees + licensing): actual against plan", Options: plainChartJSON(rev)},
		{ID: "model-actual-users", Title: "Active users: actual against plan", Options: plainChartJSON(users)},
	}
}

// Reforecast serves POST /model/:id/reforecast: a new scenario re-based on the actuals (see
// finmodel.Reforecast), named as typed.
func (h *Model) Reforecast(c echo.Context) error {
	if _, _, err := staff(c); err != nil {
		return err
	}
	s, err := h.scenario(c)
	if done, err := scenarioNotFoundPage(c, err); done || err != nil {
		return err
	}
	name := strings.TrimSpace(c.FormValue("name"))
	form := views.ModelCloneForm{Action: s.href("/reforecast"), Name: name, Label: "Re-forecast into a new scenario"}
	refuse := func(msg string) error {
		form.Error = msg + " Nothing was saved."
		return h.renderActuals(c, http.StatusBadRequest, s, form)
	}
	if msg := validateName(name); msg != "" {
		return refuse(msg)
	}
	acts, err := h.loadActuals(c.Request().Context(), len(s.Assumptions.Years)*finmodel.MonthsPerYear)
	if err != nil {
		return err
	}
	if acts.Empty != "" {
		return refuse(acts.Empty)
	}
	a, basis, err := finmodel.Reforecast(s.Assumptions, acts.Actuals)
	if err != nil {
		return refuse(capitalise(err.Error()) + ".")
	}
	latest := acts.Launch.AddMonths(basis.LatestMonth - 1)
	basedOn := fmt.Sprintf("re-forecast of %s from actuals to %s", s.Name, latest.MonthLabel())
	if s.Stored {
		basedOn = fmt.Sprintf("re-forecast of %s (scenario %d, version %d) from actuals to %s", s.Name, s.Number, s.Version, latest.MonthLabel())
	}
	summary := fmt.Sprintf("%s: latest complete month %s (%s); users × %s and transactions per user × %s from year %d; %d earlier year(s) replaced by actuals",
		basedOn, latest.MonthLabel(), finmodel.MonthLabel(basis.LatestMonth), basis.UsersRatio.StringFixed(4), basis.TxPerUserRatio.StringFixed(4),
		(basis.LatestMonth-1)/finmodel.MonthsPerYear+1, basis.ActualYears)
	id, err := h.createScenario(c, queries.Scenario{Name: name, Description: s.Description, BasedOn: basedOn, Assumptions: a}, summary, summary)
	if isUniqueViolation(err) {
		return refuse(nameTakenMessage(name))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/model/"+strconv.FormatInt(id, 10)+"?saved=new")
}
