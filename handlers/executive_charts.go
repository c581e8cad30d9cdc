package handlers

import (
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
	"mari/views"
)

// table is a chart's numbers exactly as charted: the CSV download prints it and the chart
// options are built from the same values.
type table struct {
	Header []string
	Rows   [][]string
}

// chartData is everything one chart panel shows.
type chartData struct {
	Table       table
	Options     map[string]any
	Note        string
	Notes       []string // further notes, one per line
	Unavailable string
	Empty       string
}

type chartPanel struct {
	name, title string
	needs       string // the panel (loader) the chart reads
	tall        bool
	data        func(d *execData) chartData
}

var chartPanels = []chartPanel{
	{name: "northstar", title: "North star: monthly completed volume vs milestones", needs: "north", tall: true, data: northStarChart},
	{name: "revenue", title: "Monthly revenue", needs: "monthly", data: revenueChart},
	{name: "mau", title: "Monthly active users and transactions per user", needs: "monthly", data: mauChart},
	{name: "daily", title: "Daily completed volume and transactions", needs: "daily", tall: true, data: dailyChart},
}

func findChart(name string) (chartPanel, bool) {
	for _, c := range chartPanels {
		if c.name == name {
			return c, true
		}
	}
	return chartPanel{}, false
}

func (c chartPanel) build(d *execData, csvHref string) views.Chart {
	cd := c.data(d)
	return views.Chart{
		ID: c.name, Title: c.title, Note: cd.Note, Notes: cd.Notes, CSVHref: csvHref, Options: cd.Options,
		Unavailable: cd.Unavailable, Empty: cd.Empty, Tall: c.tall,
	}
}

// num converts an exact amount to a chart number: the last step, for drawing only.
func num(d decimal.Decimal) any { return d.InexactFloat64() }

func exact(d decimal.Decimal) string { return d.StringFixed(2) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// baseOptions are the options every chart shares.
func baseOptions(categories []string) map[string]any {
	return map[string]any{
		"animationDuration": 300,
		"grid":              map[string]any{"left": 16, "right": 16, "top": 48, "bottom": 8, "containLabel": true},
		"tooltip":           map[string]any{"trigger": "axis", "confine": true},
		"legend":            map[string]any{"top": 0, "type": "scroll"},
		"xAxis":             map[string]any{"type": "category", "data": categories},
	}
}

func randAxis(name string, log bool) map[string]any {
	a := map[string]any{"type": "value", "name": name, "nameTextStyle": map[string]any{"align": "left"},
		"axisLabel": map[string]any{"formatter": "fmt:randCompact"}}
	if log {
		a["type"] = "log"
		a["logBase"] = 10
		a["min"] = 1000
	}
	return a
}

// countAxis is a count axis; the second axis of a chart sits on the right, so its name is
// aligned to the right to stay inside the chart.
func countAxis(name string, right bool) map[string]any {
	align := "left"
	if right {
		align = "right"
	}
	return map[string]any{"type": "value", "name": name, "nameTextStyle": map[string]any{"align": align},
		"axisLabel": map[string]any{"formatter": "fmt:count"}, "splitLine": map[string]any{"show": !right}}
}

func randTooltip() map[string]any  { return map[string]any{"valueFormatter": "fmt:rand"} }
func countTooltip() map[string]any { return map[string]any{"valueFormatter": "fmt:count"} }

func northStarChart(d *execData) chartData {
	var cd chartData
	if !d.north.ok() {
		cd.Unavailable = d.north.Err
		return cd
	}
	n := d.north.V
	if !n.HasLaunch {
		cd.Empty = "No users yet: the north star starts with the launch month (the first sign-up)."
		return cd
	}
	horizon := len(n.Months)
	for _, p := range n.Trend.Projection {
		horizon = max(horizon, p.N)
	}
	milestones := map[int]decimal.Decimal{}
	for _, m := range n.Milestones {
		milestones[m.N] = m.Volume
		horizon = max(horizon, m.N)
	}
	projected := map[int]decimal.Decimal{}
	if n.Trend.OK {
		last := n.Trend.Months[len(n.Trend.Months)-1]
		projected[last.N] = last.Volume // the trend line starts at the last complete month
		for _, p := range n.Trend.Projection {
			projected[p.N] = p.Volume
		}
	}
	cd.Table.Header = []string{"month_after_launch", "month", "completed_volume", "month_complete", "trend_projection", "milestone"}
	var cats []string
	var actual, mtd, proj, mile []any
	for k := 1; k <= horizon; k++ {
		month := n.Launch.AddMonths(k - 1)
		cats = append(cats, fmt.Sprintf("M%d %s", k, month.MonthLabel()))
		row := []string{strconv.Itoa(k), month.MonthKey(), "", "", "", ""}
		var a, m, p, s any
		if k <= len(n.Months) {
			mv := n.Months[k-1]
			row[2], row[3] = exact(mv.Volume), yesNo(mv.Complete)
			if mv.Volume.IsPositive() { // a log axis cannot draw zero
				if mv.Complete {
					a = num(mv.Volume)
				} else {
					m = num(mv.Volume)
				}
			}
		}
		if v, ok := projected[k]; ok {
			row[4], p = exact(v), num(v)
		}
		if v, ok := milestones[k]; ok {
			row[5], s = exact(v), num(v)
		}
		actual, mtd, proj, mile = append(actual, a), append(mtd, m), append(proj, p), append(mile, s)
		cd.Table.Rows = append(cd.Table.Rows, row)
	}
	o := baseOptions(cats)
	o["yAxis"] = randAxis("completed volume (log scale)", true)
	o["xAxis"].(map[string]any)["axisLabel"] = map[string]any{"rotate": 45, "fontSize": 10}
	o["series"] = []any{
		map[string]any{"name": "Completed volume", "type": "bar", "data": actual, "tooltip": randTooltip(), "itemStyle": map[string]any{"color": "#0b6e4f"}},
		map[string]any{"name": "Current month to date", "type": "bar", "data": mtd, "barGap": "-100%", "tooltip": randTooltip(), "itemStyle": map[string]any{"color": "#8cc9b3"}},
		map[string]any{"name": "Trend projection", "type": "line", "data": proj, "connectNulls": true, "symbolSize": 4,
			"lineStyle": map[string]any{"type": "dashed"}, "tooltip": randTooltip(), "itemStyle": map[string]any{"color": "#d97706"}},
		map[string]any{"name": "Milestone", "type": "scatter", "data": mile, "symbol": "diamond", "symbolSize": 14,
			"tooltip": randTooltip(), "itemStyle": map[string]any{"color": "#b42318"},
			"label": map[string]any{"show": true, "position": "top", "formatter": "fmt:randCompactLabel"}},
	}
	cd.Options = o
	cd.Notes = northStarNotes(n)
	return cd
}

func northStarNotes(n northData) []string {
	var parts []string
	parts = append(parts, "Month 1 = "+n.Launch.MonthLabel()+".")
	t := n.Trend
	if t.OK {
		first, last := t.Months[0], t.Months[len(t.Months)-1]
		parts = append(parts, fmt.Sprintf("Trend: %s a month, compound, over %s – %s (%d complete months).",
			views.SignedPercent(t.Growth, 1), first.Month.MonthLabel(), last.Month.MonthLabel(), len(t.Months)))
	} else {
		parts = append(parts, "Trend: n/a (needs two complete months with volume).")
	}
	for _, e := range t.ETAs {
		label := views.RandShort(e.Volume) + " by M" + strconv.Itoa(e.N) + " (" + e.Month.MonthLabel() + "): "
		switch {
		case e.ReachedActual:
			label += "reached in M" + strconv.Itoa(e.ReachedN) + " (" + e.ReachedMonth.MonthLabel() + ")"
		case e.NotAtThisTrend:
			label += "not at this trend"
		default:
			label += "projected M" + strconv.Itoa(e.ReachedN) + " (" + e.ReachedMonth.MonthLabel() + ")"
			if e.OnTrack {
				label += ", on track"
			} else {
				label += fmt.Sprintf(", %d months late", e.ReachedN-e.N)
			}
		}
		parts = append(parts, label+".")
	}
	return parts
}

func monthCategory(m calendar.Date, mtd bool) string {
	if mtd {
		return m.MonthLabel() + " (MTD)"
	}
	return m.MonthLabel()
}

func revenueChart(d *execData) chartData {
	var cd chartData
	if !d.monthly.ok() {
		cd.Unavailable = d.monthly.Err
		return cd
	}
	cd.Table.Header = []string{"month", "transaction_fees", "licensing_fees", "revenue", "month_to_date"}
	var cats []string
	var fees, lic []any
	for _, m := range d.monthly.V.Months {
		partial := m.Days == 0 || monthToDate(m)
		cats = append(cats, monthCategory(m.Month, partial))
		fees, lic = append(fees, num(m.TransactionRevenue)), append(lic, num(m.LicensingRevenue))
		cd.Table.Rows = append(cd.Table.Rows, []string{m.Month.MonthKey(), exact(m.TransactionRevenue),
			exact(m.LicensingRevenue), exact(m.Revenue()), yesNo(partial)})
	}
	o := baseOptions(cats)
	o["xAxis"].(map[string]any)["axisLabel"] = map[string]any{"interval": 0, "hideOverlap": true}
	o["yAxis"] = randAxis("revenue", false)
	o["series"] = []any{
		map[string]any{"name": "Transaction fees", "type": "bar", "stack": "revenue", "data": fees, "tooltip": randTooltip(), "itemStyle": map[string]any{"color": "#0b6e4f"}},
		map[string]any{"name": "Licensing fees", "type": "bar", "stack": "revenue", "data": lic, "tooltip": randTooltip(), "itemStyle": map[string]any{"color": "#5b8def"}},
	}
	cd.Options = o
	cd.Note = "Whole calendar months from " + monthlyRange(d.rc.Range).From.String() + "; licensing fees are booked in full on each month's first day."
	return cd
}

func mauChart(d *execData) chartData {
	var cd chartData
	if !d.monthly.ok() {
		cd.Unavailable = d.monthly.Err
		return cd
	}
	cd.Table.Header = []string{"month", "mau", "transactions", "transactions_per_user", "month_to_date"}
	var cats []string
	var mau, tpu []any
	for _, m := range d.monthly.V.Months {
		partial := m.Days == 0 || monthToDate(m)
		cats = append(cats, monthCategory(m.Month, partial))
		row := []string{m.Month.MonthKey(), "", strconv.FormatInt(m.TotalTransactions, 10), "", yesNo(partial)}
		var a, t any
		if m.Days > 0 {
			row[1], a = strconv.FormatInt(m.MAU, 10), m.MAU
			if v, ok := metrics.RatioInt(m.TotalTransactions, m.MAU); ok {
				v = v.Round(2)
				row[3], t = v.StringFixed(2), num(v)
			}
		}
		mau, tpu = append(mau, a), append(tpu, t)
		cd.Table.Rows = append(cd.Table.Rows, row)
	}
	o := baseOptions(cats)
	o["xAxis"].(map[string]any)["axisLabel"] = map[string]any{"interval": 0, "hideOverlap": true}
	o["yAxis"] = []any{countAxis("active users", false), countAxis("transactions per user", true)}
	o["series"] = []any{
		map[string]any{"name": "Monthly active users", "type": "bar", "data": mau, "tooltip": countTooltip(), "itemStyle": map[string]any{"color": "#0b6e4f"}},
		map[string]any{"name": "Transactions per user", "type": "line", "yAxisIndex": 1, "data": tpu, "tooltip": countTooltip(), "itemStyle": map[string]any{"color": "#d97706"}},
	}
	cd.Options = o
	cd.Note = "A month still running shows month-to-date MAU (MTD)."
	return cd
}

func dailyChart(d *execData) chartData {
	var cd chartData
	if !d.daily.ok() {
		cd.Unavailable = d.daily.Err
		return cd
	}
	cd.Table.Header = []string{"date", "transactions", "completed_transactions", "completed_volume"}
	var cats []string
	var vol, tx []any
	hasData := false
	for _, day := range d.daily.V {
		cats = append(cats, day.Date.String())
		row := []string{day.Date.String(), "", "", ""}
		var v, t any
		if day.Present {
			hasData = true
			row[1], row[2], row[3] = strconv.FormatInt(day.TotalTransactions, 10), strconv.FormatInt(day.SuccessfulTransactions, 10), exact(day.CompletedVolume)
			v, t = num(day.CompletedVolume), day.TotalTransactions
		}
		vol, tx = append(vol, v), append(tx, t)
		cd.Table.Rows = append(cd.Table.Rows, row)
	}
	if !hasData {
		cd.Empty = "No rollup data for " + rangeLabel(d.rc.Range) + " yet."
		return cd
	}
	o := baseOptions(cats)
	o["yAxis"] = []any{randAxis("completed volume", false), countAxis("transactions", true)}
	o["series"] = []any{
		map[string]any{"name": "Completed volume", "type": "bar", "data": vol, "tooltip": randTooltip(), "itemStyle": map[string]any{"color": "#0b6e4f"}},
		map[string]any{"name": "Transactions", "type": "line", "yAxisIndex": 1, "data": tx, "showSymbol": false, "tooltip": countTooltip(), "itemStyle": map[string]any{"color": "#d97706"}},
	}
	if len(cats) > 45 {
		o["dataZoom"] = []any{map[string]any{"type": "inside"}}
	}
	cd.Options = o
	return cd
}
