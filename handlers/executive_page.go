package handlers

import (
	"fmt"
	"net/url"
	"time"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
	"mari/views"
)

// form is the range selector's state; msg is an input error to show.
func (h *Executive) form(rc rangeChoice, today calendar.Date, msg string) views.RangeForm {
	f := views.RangeForm{From: rc.From, To: rc.To, Error: msg}
	for _, p := range presets {
		f.Presets = append(f.Presets, views.PresetLink{
			Label: p.Label, Href: "/?preset=" + p.Key, Active: msg == "" && rc.Preset == p.Key,
		})
	}
	return f
}

func rangeQuery(r calendar.Range) string {
	return url.Values{"from": {r.From.String()}, "to": {r.To.String()}}.Encode()
}

func (h *Executive) buildPage(d *execData) views.Executive {
	r := d.rc.Range
	page := views.Executive{
		Form:        h.form(d.rc, d.today, ""),
		Range:       r,
		Previous:    d.prev,
		GeneratedAt: d.now.In(calendar.SAST).Format("2 Jan 2006 15:04"),
		FiguresAsOf: figuresAsOf(d),
	}
	page.Tiles = []views.Tile{
		totalUsersTile(d), mauTile(d), txPerUserTile(d), volumeTile(d), revenueTile(d), liveTile(d),
	}
	page.KPIs = []views.Tile{
		successTile(d), fraudTile(d), grossMarginTile(d), ltvCACTile(d), uptimeTile(d),
	}
	q := rangeQuery(r)
	for _, c := range chartPanels {
		page.Charts = append(page.Charts, c.build(d, "/executive/"+c.name+".csv?"+q))
	}
	return page
}

// delta describes a change against the previous period.
func delta(cur, prev decimal.Decimal, against string) (string, string) {
	g, ok := metrics.Growth(cur, prev)
	if !ok {
		return "no comparison: nothing in " + against, "flat"
	}
	class := "flat"
	if g.Round(3).IsPositive() {
		class = "up"
	} else if g.Round(3).IsNegative() {
		class = "down"
	}
	return views.SignedPercent(g, 1) + " vs " + against, class
}

func rangeLabel(r calendar.Range) string {
	if r.From.Equal(r.To) {
		return r.From.String()
	}
	return r.From.String() + " – " + r.To.String()
}

func ratioText(v decimal.Decimal, ok bool, format func(decimal.Decimal) string) string {
	if !ok {
		return views.NA
	}
	return format(v)
}

func totalUsersTile(d *execData) views.Tile {
	t := views.Tile{MetricID: metrics.IDTotalUsers, Title: "Total users"}
	if !d.users.ok() {
		t.Unavailable = d.users.Err
		return t
	}
	u := d.users.V
	end := d.rc.Range.To
	if end.After(d.today) {
		end = d.today
	}
	t.Value = views.Count(u.AtEnd)
	t.Lines = append(t.Lines, "at end of "+end.String())
	if g, ok := metrics.Growth(decimal.NewFromInt(u.AtEnd), decimal.NewFromInt(u.BeforeStart)); ok {
		t.Delta, t.DeltaClass = views.SignedPercent(g, 1)+" growth over the range", "up"
		if !g.IsPositive() {
			t.DeltaClass = "flat"
		}
	} else {
		t.Delta, t.DeltaClass = "growth n/a: no users before "+d.rc.Range.From.String(), "flat"
	}
	if d.totals.ok() {
		t.Lines = append(t.Lines, views.Count(d.totals.V.Cur.NewUsers)+" new users in the range")
	}
	return t
}

func monthName(m calendar.Date, mtd bool, lastDay calendar.Date) string {
	if mtd {
		return fmt.Sprintf("%s, month to date (to %d %s)", m.MonthLabel(), lastDay.Day(), lastDay.Month().String()[:3])
	}
	return m.MonthLabel()
}

func mauTile(d *execData) views.Tile {
	t := views.Tile{MetricID: metrics.IDMAU, Title: "Monthly active users"}
	if !d.monthly.ok() {
		t.Unavailable = d.monthly.Err
		return t
	}
	m, ok := latestMonth(d.monthly.V.Months)
	if !ok {
		t.Value = views.NA
		t.Lines = []string{"no rollup rows in the range yet"}
		return t
	}
	t.Value = views.Count(m.MAU)
	t.Lines = []string{monthName(m.Month, monthToDate(m), m.LastDay)}
	pd := d.monthly.V.PrevMAUDate
	against := pd.MonthLabel()
	if !pd.Equal(pd.MonthEnd()) {
		against = fmt.Sprintf("%s to %d %s", pd.MonthLabel(), pd.Day(), pd.Month().String()[:3])
	}
	if d.monthly.V.PrevMAUOK {
		t.Delta, t.DeltaClass = delta(decimal.NewFromInt(m.MAU), decimal.NewFromInt(d.monthly.V.PrevMAU), against)
	} else {
		t.Delta, t.DeltaClass = "no comparison: no data for "+against, "flat"
	}
	return t
}

func txPerUserTile(d *execData) views.Tile {
	t := views.Tile{MetricID: metrics.IDTxPerUser, Title: "Transactions per user per month"}
	if !d.monthly.ok() {
		t.Unavailable = d.monthly.Err
		return t
	}
	m, ok := latestMonth(d.monthly.V.Months)
	if !ok {
		t.Value = views.NA
		return t
	}
	v, ok := metrics.RatioInt(m.TotalTransactions, m.MAU)
	t.Value = ratioText(v, ok, func(x decimal.Decimal) string { return x.StringFixed(2) })
	t.Lines = []string{monthName(m.Month, monthToDate(m), m.LastDay),
		views.Count(m.TotalTransactions) + " transactions ÷ " + views.Count(m.MAU) + " active users"}
	return t
}

func volumeTile(d *execData) views.Tile {
	t := views.Tile{MetricID: metrics.IDCompletedVolume, Title: "Completed volume"}
	if !d.totals.ok() {
		t.Unavailable = d.totals.Err
		return t
	}
	c, p := d.totals.V.Cur, d.totals.V.Prev
	t.Value, t.Exact = views.RandShort(c.CompletedVolume), views.Rand(c.CompletedVolume)
	t.Delta, t.DeltaClass = delta(c.CompletedVolume, p.CompletedVolume, rangeLabel(d.prev))
	t.Lines = []string{views.Rand(c.CompletedVolume),
		views.Count(c.SuccessfulTransactions) + " completed of " + views.Count(c.TotalTransactions) + " transactions"}
	return t
}

func revenueTile(d *execData) views.Tile {
	t := views.Tile{MetricID: metrics.IDRevenue, Title: "Revenue"}
	if !d.totals.ok() {
		t.Unavailable = d.totals.Err
		return t
	}
	v := d.totals.V
	cur := v.Cur.TransactionRevenue.Add(v.CurFees)
	prev := v.Prev.TransactionRevenue.Add(v.PrevFees)
	t.Value, t.Exact = views.RandShort(cur), views.Rand(cur)
	t.Delta, t.DeltaClass = delta(cur, prev, rangeLabel(d.prev))
	t.Lines = []string{"transaction fees " + views.Rand(v.Cur.TransactionRevenue),
		"licensing fees " + views.Rand(v.CurFees)}
	return t
}

func liveTile(d *execData) views.Tile {
	t := views.Tile{MetricID: metrics.IDLiveToday, Title: "Today so far (live)", Live: true}
	if !d.live.ok() {
		t.Unavailable = d.live.Err
		return t
	}
	l := d.live.V
	t.Value = views.Count(l.Initiated) + " initiated"
	t.Lines = []string{
		views.Count(l.Completed) + " completed · " + views.Count(l.Failed) + " failed",
		"completed " + views.Rand(l.CompletedAmount),
	}
	if l.LastEvent.IsZero() {
		t.Lines = append(t.Lines, "no events yet today ("+l.Date.String()+")")
	} else {
		t.Lines = append(t.Lines, "last event in the minute of "+l.LastEvent.In(calendar.SAST).Format("15:04")+" SAST")
	}
	return t
}

// kpiTarget fills the target line and status of a KPI tile.
func kpiTarget(t *views.Tile, d *execData, metric string, v decimal.Decimal, ok bool, format func(decimal.Decimal) string) {
	if !d.targets.ok() {
		t.Target, t.Status = "target unavailable — "+d.targets.Err, metrics.NoData.String()
		return
	}
	target, found := d.targets.V[metric]
	if !found {
		return
	}
	op := "≥"
	if target.Comparison == metrics.AtMost {
		op = "≤"
	}
	t.Target = "target " + op + " " + format(target.Value)
	t.Status = target.Evaluate(v, ok).String()
}

func pct(decimals int32) func(decimal.Decimal) string {
	return func(d decimal.Decimal) string { return views.Percent(d, decimals) }
}

func successTile(d *execData) views.Tile {
	t := views.Tile{MetricID: metrics.IDSuccessRate, Title: "Success rate"}
	if !d.totals.ok() {
		t.Unavailable = d.totals.Err
		return t
	}
	c := d.totals.V.Cur
	final := c.SuccessfulTransactions + c.FailedTransactions
	v, ok := metrics.RatioInt(c.SuccessfulTransactions, final)
	t.Value = ratioText(v, ok, pct(2))
	t.Lines = []string{views.Count(c.SuccessfulTransactions) + " completed of " + views.Count(final) + " final"}
	p := d.totals.V.Prev
	if pv, pok := metrics.RatioInt(p.SuccessfulTransactions, p.SuccessfulTransactions+p.FailedTransactions); pok {
		t.Lines = append(t.Lines, "previous period "+views.Percent(pv, 2))
	}
	kpiTarget(&t, d, "success_rate", v, ok, pct(2))
	return t
}

func fraudTile(d *execData) views.Tile {
	t := views.Tile{MetricID: metrics.IDFraudRate, Title: "Fraud rate"}
	if !d.totals.ok() {
		t.Unavailable = d.totals.Err
		return t
	}
	c := d.totals.V.Cur
	v, ok := metrics.RatioInt(c.FraudTransactions, c.TotalTransactions)
	t.Value = ratioText(v, ok, pct(3))
	t.Lines = []string{views.Count(c.FraudTransactions) + " fraudulent of " + views.Count(c.TotalTransactions)}
	kpiTarget(&t, d, "fraud_rate", v, ok, pct(3))
	return t
}

func finUnavailable(t *views.Tile, d *execData) bool {
	if !d.fin.ok() {
		t.Unavailable = d.fin.Err
		return true
	}
	if !d.fin.V.HasMonths {
		t.Value = views.NA
		t.Lines = []string{"no complete month yet"}
		return true
	}
	return false
}

func finMonthsLine(f financial) string {
	if f.Fallback {
		return "from " + f.monthsLabel() + " (no complete month in the range)"
	}
	return "from " + f.monthsLabel()
}

func grossMarginTile(d *execData) views.Tile {
	t := views.Tile{MetricID: metrics.IDGrossMargin, Title: "Gross margin"}
	if finUnavailable(&t, d) {
		return t
	}
	f := d.fin.V
	t.Value = ratioText(f.GrossMargin, f.GrossMarginOK, pct(1))
	t.Lines = []string{finMonthsLine(f),
		"revenue " + views.Rand(f.Revenue) + ", cost of revenue " + views.Rand(f.CostOfRevenue)}
	kpiTarget(&t, d, "gross_margin", f.GrossMargin, f.GrossMarginOK, pct(1))
	return t
}

func ltvCACTile(d *execData) views.Tile {
	t := views.Tile{MetricID: metrics.IDLTVCAC, Title: "LTV/CAC"}
	if finUnavailable(&t, d) {
		return t
	}
	f := d.fin.V
	t.Value = ratioText(f.LTVCAC, f.LTVCACOK, views.Multiple)
	t.Lines = []string{finMonthsLine(f),
		"LTV " + ratioText(f.LTV.LTV, f.LTV.OK, views.Rand) + " · CAC " + ratioText(f.CAC, f.CACOK, func(x decimal.Decimal) string { return views.Rand(x.Round(2)) })}
	if f.LTV.ChurnOK {
		t.Lines = append(t.Lines, "churn "+views.Percent(f.LTV.Churn, 1)+"/month → lifetime "+f.LTV.Lifetime.StringFixed(1)+" months")
	} else {
		t.Lines = append(t.Lines, "churn n/a: no active users the month before")
	}
	kpiTarget(&t, d, "ltv_cac", f.LTVCAC, f.LTVCACOK, views.Multiple)
	return t
}

func uptimeTile(d *execData) views.Tile {
	t := views.Tile{MetricID: metrics.IDUptime, Title: "Uptime"}
	if !d.uptime.ok() {
		t.Unavailable = d.uptime.Err
		return t
	}
	u := d.uptime.V
	down, ok := metrics.Ratio(u.DownSeconds, u.TotalSeconds)
	v := decimal.NewFromInt(1).Sub(down)
	t.Value = ratioText(v, ok, pct(3))
	if ok {
		t.Lines = []string{"downtime " + formatDuration(u.DownSeconds) + " in the range"}
	}
	kpiTarget(&t, d, "uptime", v, ok, pct(1))
	return t
}

func formatDuration(seconds decimal.Decimal) string {
	dur := time.Duration(seconds.Round(0).IntPart()) * time.Second
	if dur == 0 {
		return "none"
	}
	h := int(dur.Hours())
	m := int(dur.Minutes()) % 60
	s := int(dur.Seconds()) % 60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh %02dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// figuresAsOf says how fresh the rollup-backed figures are, so nobody mistakes stale for live.
func figuresAsOf(d *execData) string {
	return rollupAsOf(d.fresh, d.now, "rollups have not run yet: figures will appear after the first run")
}

// rollupAsOf says when a rollup last finished, for a page's "figures as of" line; never says
// what to show before its first run.
func rollupAsOf(fresh panel[freshness], now time.Time, never string) string {
	switch {
	case !fresh.ok():
		return "rollup status unavailable: " + fresh.Err
	case !fresh.V.OK:
		return never
	}
	at := fresh.V.At.In(calendar.SAST)
	return "figures as of " + at.Format("2 Jan 15:04") + " SAST (" + ago(now.Sub(at)) + ")"
}

// ago says how long ago, in the largest unit that fits.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min ago", int(d/time.Hour), int(d%time.Hour/time.Minute))
	default:
		return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
	}
}
