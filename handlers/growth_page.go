package handlers

import (
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
	"mari/queries"
	"mari/views"
)

// growthOut is one panel: its CSV table and chart options (chartData), and for table panels
// the table as displayed.
type growthOut struct {
	chartData
	Display *views.BankTable
}

// growthPanel is one downloadable panel of the page.
type growthPanel struct {
	name, title string
	needs       []string // the loaders it reads
	wide        bool
	build       func(d *growthData) growthOut
}

var growthPanels = []growthPanel{
	{name: "signups", title: "New sign-ups by source", needs: []string{"days"}, wide: true, build: signupsPanel},
	{name: "cohorts", title: "Activation and retention by signup cohort", needs: []string{"days"}, wide: true, build: cohortsPanel},
	{name: "retention-heatmap", title: "Monthly cohort retention", needs: []string{"heat"}, wide: true, build: heatmapPanel},
	{name: "sources", title: "Referred against organic users", needs: []string{"all"}, build: sourcesPanel},
	{name: "referrers", title: "Top referrers", needs: []string{"refs"}, build: referrersPanel},
}

func findGrowthPanel(name string) (growthPanel, bool) {
	for _, p := range growthPanels {
		if p.name == name {
			return p, true
		}
	}
	return growthPanel{}, false
}

func (p growthPanel) chart(d *growthData, out growthOut) views.Chart {
	return views.Chart{ID: p.name, Title: p.title, Note: out.Note, Notes: out.Notes, CSVHref: p.csvHref(d),
		Options: out.Options, Unavailable: out.Unavailable, Empty: out.Empty, Tall: p.wide}
}

func (p growthPanel) csvHref(d *growthData) string {
	return "/growth/" + p.name + ".csv?" + d.f.query().Encode()
}

func buildGrowthPage(d *growthData) views.Growth {
	f := d.f
	g := views.Growth{
		Form:        growthForm(f, ""),
		Range:       f.rc.Range,
		Previous:    d.prev,
		Filters:     sourceFilterLabel(f.Source) + " · by " + byLabel(f.By),
		GeneratedAt: d.now.In(calendar.SAST).Format("2 Jan 2006 15:04"),
		FiguresAsOf: growthFiguresAsOf(d),
	}
	g.Tiles = []views.Tile{signupsTile(d), activationTile(d)}
	for i := range retentionDays {
		g.Tiles = append(g.Tiles, retentionTile(d, i))
	}
	out := map[string]growthOut{}
	charts := map[string]views.Chart{}
	for _, p := range growthPanels {
		o := p.build(d)
		out[p.name], charts[p.name] = o, p.chart(d, o)
	}
	table := func(name string) views.BankTable {
		t := *out[name].Display
		t.CSVHref = charts[name].CSVHref
		return t
	}
	g.Sections = []views.GrowthSection{
		{ID: "signups", Title: "Sign-ups", HelpID: metrics.IDGrowthSignups, Charts: []views.Chart{charts["signups"]}},
		{ID: "cohorts", Title: "Activation and retention by signup cohort", HelpID: metrics.IDGrowthCohort,
			Note:   "Cohorts are the sign-ups of each " + byLabel(f.By) + ". Rates count only the users for whom they are known today; n/a means nobody in the cohort is eligible yet.",
			Charts: []views.Chart{charts["cohorts"]}, Tables: []views.BankTable{table("cohorts")}},
		{ID: "heatmap", Title: "Monthly cohort retention", HelpID: metrics.IDGrowthCohortHeatmap, Charts: []views.Chart{charts["retention-heatmap"]}},
		{ID: "referrals", Title: "Referral programme", HelpID: metrics.IDGrowthReferrals,
			Note:   "The referral panels compare the signup sources, so they always cover every source.",
			Tiles:  []views.Tile{referralsTile(d)},
			Charts: []views.Chart{charts["sources"]}, Tables: []views.BankTable{table("sources"), table("referrers")}},
	}
	return g
}

func sourceFilterLabel(source string) string {
	if source == "" {
		return "all signup sources"
	}
	return sourceLabel(source) + " sign-ups only"
}

func byLabel(by string) string {
	switch by {
	case byWeek:
		return "ISO week (Monday to Sunday)"
	case byMonth:
		return "calendar month"
	}
	return "day"
}

func growthFiguresAsOf(d *growthData) string {
	return rollupAsOf(d.fresh, d.now, "the growth rollup has not run yet: figures will appear after its first run")
}

// rateCSV is a rate for a CSV cell: six decimals, empty when n/a.
func rateCSV(v decimal.Decimal, ok bool) string { return fracOrNA(v, ok) }

// rateChart is a rate for a chart: a percentage with one decimal, null when n/a.
func rateChart(v decimal.Decimal, ok bool) any {
	if !ok {
		return nil
	}
	return num(v.Mul(decimal.NewFromInt(100)).Round(1))
}

func count64(n int64) string { return strconv.FormatInt(n, 10) }

// --- tiles ---

func signupsTile(d *growthData) views.Tile {
	t := views.Tile{MetricID: metrics.IDGrowthSignups, Title: "New sign-ups"}
	if !d.days.ok() {
		t.Unavailable = d.days.Err
		return t
	}
	cur := statsOf(d.days.V, d.today).Signups
	t.Value = views.Count(cur)
	if d.f.Source != "" {
		t.Lines = append(t.Lines, sourceLabel(d.f.Source)+" only")
	} else {
		bySource := map[string]int64{}
		for _, g := range d.days.V {
			bySource[g.Source] += g.Signups
		}
		line := ""
		for i, s := range signupSources {
			if i > 0 {
				line += " · "
			}
			line += views.Count(bySource[s.Key]) + " " + sourceLabelLower(s.Key)
		}
		t.Lines = append(t.Lines, line)
	}
	if d.prevP.ok() {
		prev := statsOf(d.prevP.V, d.today).Signups
		t.Delta, t.DeltaClass = delta(decimal.NewFromInt(cur), decimal.NewFromInt(prev), rangeLabel(d.prev))
		t.Lines = append(t.Lines, views.Count(prev)+" in the previous period")
	} else {
		t.Delta, t.DeltaClass = "previous period unavailable — "+d.prevP.Err, "flat"
	}
	return t
}

func sourceLabelLower(key string) string {
	switch key {
	case "bank_promotion":
		return "bank promotion"
	}
	return key
}

func activationTile(d *growthData) views.Tile {
	t := views.Tile{MetricID: metrics.IDGrowthActivation, Title: "Activation rate (7 days)"}
	if !d.days.ok() {
		t.Unavailable = d.days.Err
		return t
	}
	s := statsOf(d.days.V, d.today)
	v, ok := s.activationRate()
	t.Value = ratioText(v, ok, pct(1))
	if ok {
		t.Lines = append(t.Lines, views.Count(s.Activated)+" activated of "+views.Count(s.Known)+" whose 7 days have passed")
	} else {
		t.Lines = append(t.Lines, "no sign-up in the range has had its 7 days yet")
	}
	if s.Open > 0 {
		t.Lines = append(t.Lines, views.Count(s.Open)+" not yet known (still in their 7 days; "+views.Count(s.OpenActivated)+" activated so far)")
	}
	return t
}

func retentionTile(d *growthData, i int) views.Tile {
	n := retentionDays[i]
	t := views.Tile{MetricID: metrics.IDGrowthRetention, Title: fmt.Sprintf("D%d retention", n)}
	if !d.days.ok() {
		t.Unavailable = d.days.Err
		return t
	}
	s := statsOf(d.days.V, d.today)
	v, ok := s.retention(i)
	t.Value = ratioText(v, ok, pct(1))
	if ok {
		t.Lines = append(t.Lines, fmt.Sprintf("%s of %s sent a transaction on day %d", views.Count(s.Active[i]), views.Count(s.Eligible[i]), n))
	} else {
		t.Lines = append(t.Lines, fmt.Sprintf("no sign-up in the range has reached day %d yet", n))
	}
	if wait := s.Signups - s.Eligible[i]; wait > 0 {
		t.Lines = append(t.Lines, views.Count(wait)+" not yet eligible")
	}
	return t
}

func referralsTile(d *growthData) views.Tile {
	t := views.Tile{MetricID: metrics.IDGrowthReferrals, Title: "Referrals made"}
	if !d.all.ok() {
		t.Unavailable = d.all.Err
		return t
	}
	var referred, all int64
	for _, g := range d.all.V {
		all += g.Signups
		if g.Source == "referral" {
			referred += g.Signups
		}
	}
	t.Value = views.Count(referred)
	if share, ok := metrics.RatioInt(referred, all); ok {
		t.Lines = append(t.Lines, views.Percent(share, 1)+" of "+views.Count(all)+" sign-ups")
	}
	if d.refs.ok() {
		t.Lines = append(t.Lines, "from "+views.Count(d.refs.V.Total)+" referrers")
	}
	return t
}

// --- panels ---

func signupsPanel(d *growthData) growthOut {
	var o growthOut
	if !d.days.ok() {
		o.Unavailable = d.days.Err
		return o
	}
	bs := buckets(d.f.rc.Range, d.f.By)
	idx := bucketIndex(bs)
	counts := make([]map[string]int64, len(bs))
	for i := range counts {
		counts[i] = map[string]int64{}
	}
	for _, g := range d.days.V {
		counts[idx(g.Day)][g.Source] += g.Signups
	}
	shown := signupSources
	if d.f.Source != "" {
		shown = nil
		for _, s := range signupSources {
			if s.Key == d.f.Source {
				shown = append(shown, s)
			}
		}
	}
	o.Table.Header = []string{"period_start", "period_end"}
	for _, s := range shown {
		o.Table.Header = append(o.Table.Header, s.Key)
	}
	o.Table.Header = append(o.Table.Header, "total", "partial_period")
	var cats []string
	series := make([][]any, len(shown))
	for i, b := range bs {
		label := b.label(d.f.By)
		if b.Partial && d.f.By != byDay {
			label += " (partial)"
		}
		cats = append(cats, label)
		row := []string{b.Start.String(), b.End.String()}
		var total int64
		for j, s := range shown {
			n := counts[i][s.Key]
			total += n
			row = append(row, count64(n))
			series[j] = append(series[j], n)
		}
		row = append(row, count64(total), yesNo(b.Partial))
		o.Table.Rows = append(o.Table.Rows, row)
	}
	colors := map[string]string{"organic": "#0b6e4f", "referral": "#d97706", "bank_promotion": "#5b8def"}
	opts := baseOptions(cats)
	opts["yAxis"] = countAxis("sign-ups", false)
	var ser []any
	for j, s := range shown {
		ser = append(ser, map[string]any{"name": s.Label, "type": "bar", "stack": "signups", "data": series[j],
			"tooltip": countTooltip(), "itemStyle": map[string]any{"color": colors[s.Key]}})
	}
	opts["series"] = ser
	if len(cats) > 45 {
		opts["dataZoom"] = []any{map[string]any{"type": "inside"}}
	}
	o.Options = opts
	o.Note = "Sign-ups per " + byLabel(d.f.By) + ", counted from users.created_at in SAST."
	return o
}

// cohortRow is one signup cohort of the cohorts panel.
type cohortRow struct {
	b bucket
	s cohortStats
}

func cohortRows(d *growthData) []cohortRow {
	bs := buckets(d.f.rc.Range, d.f.By)
	idx := bucketIndex(bs)
	rows := make([]cohortRow, len(bs))
	for i, b := range bs {
		rows[i].b = b
	}
	for _, g := range d.days.V {
		rows[idx(g.Day)].s.add(g, d.today)
	}
	return rows
}

func cohortsPanel(d *growthData) growthOut {
	var o growthOut
	o.Display = &views.BankTable{Title: "Signup cohorts", HelpID: metrics.IDGrowthRetention}
	if !d.days.ok() {
		o.Unavailable = d.days.Err
		o.Display.Unavailable = d.days.Err
		return o
	}
	rows := cohortRows(d)
	o.Table.Header = []string{"cohort_start", "cohort_end", "partial_period", "signups",
		"activation_known", "activated", "activation_rate", "activation_not_yet_known", "activated_so_far_not_yet_known"}
	for _, n := range retentionDays {
		o.Table.Header = append(o.Table.Header, fmt.Sprintf("d%d_eligible", n), fmt.Sprintf("d%d_active", n), fmt.Sprintf("d%d_retention", n))
	}
	o.Display.Header = []string{"Cohort", "Sign-ups", "Activation", "D1", "D7", "D30"}
	o.Display.Numeric = []bool{false, true, true, true, true, true}
	var cats []string
	var signups, act []any
	var ret [3][]any
	hasSignups := false
	for _, r := range rows {
		s := r.s
		label := r.b.label(d.f.By)
		if r.b.Partial && d.f.By != byDay {
			label += " (partial)"
		}
		cats = append(cats, label)
		av, aok := s.activationRate()
		line := []string{r.b.Start.String(), r.b.End.String(), yesNo(r.b.Partial), count64(s.Signups),
			count64(s.Known), count64(s.Activated), rateCSV(av, aok), count64(s.Open), count64(s.OpenActivated)}
		disp := []string{label, views.Count(s.Signups), rateCell(av, aok, s.Activated, s.Known)}
		signups, act = append(signups, s.Signups), append(act, rateChart(av, aok))
		for i := range retentionDays {
			v, ok := s.retention(i)
			line = append(line, count64(s.Eligible[i]), count64(s.Active[i]), rateCSV(v, ok))
			disp = append(disp, rateCell(v, ok, s.Active[i], s.Eligible[i]))
			ret[i] = append(ret[i], rateChart(v, ok))
		}
		hasSignups = hasSignups || s.Signups > 0
		o.Table.Rows = append(o.Table.Rows, line)
		o.Display.Rows = append(o.Display.Rows, disp)
	}
	if !hasSignups {
		o.Empty = "No sign-ups in " + rangeLabel(d.f.rc.Range) + "."
		o.Display.Empty = o.Empty
		return o
	}
	opts := baseOptions(cats)
	opts["yAxis"] = []any{
		map[string]any{"type": "value", "name": "rate (%)", "min": 0, "max": 100, "nameTextStyle": map[string]any{"align": "left"}},
		countAxis("sign-ups", true),
	}
	pctTip := map[string]any{"valueFormatter": "fmt:count"}
	line := func(name string, data []any, color string) map[string]any {
		return map[string]any{"name": name, "type": "line", "data": data, "connectNulls": false, "symbolSize": 5,
			"tooltip": pctTip, "itemStyle": map[string]any{"color": color}}
	}
	opts["series"] = []any{
		map[string]any{"name": "Sign-ups", "type": "bar", "yAxisIndex": 1, "data": signups, "tooltip": countTooltip(),
			"itemStyle": map[string]any{"color": "#d6e4dd"}},
		line("Activation %", act, "#0b6e4f"),
		line("D1 %", ret[0], "#5b8def"),
		line("D7 %", ret[1], "#d97706"),
		line("D30 %", ret[2], "#b42318"),
	}
	if len(cats) > 45 {
		opts["dataZoom"] = []any{map[string]any{"type": "inside"}}
	}
	o.Options = opts
	o.Note = "Rates in percent. A gap in a line is a cohort whose figure is not known yet (n/a), never a zero."
	o.Display.Note = "Each rate with its counts: activated or active ÷ users for whom it is known today."
	return o
}

// rateCell is "42.0% (21 / 50)", or "n/a" when nobody is eligible.
func rateCell(v decimal.Decimal, ok bool, num, den int64) string {
	if !ok {
		return views.NA
	}
	return views.Percent(v, 1) + " (" + views.Count(num) + " / " + views.Count(den) + ")"
}

func heatmapPanel(d *growthData) growthOut {
	var o growthOut
	if !d.heat.ok() {
		o.Unavailable = d.heat.Err
		return o
	}
	h := d.heat.V
	cells := map[string]queries.CohortCell{}
	sizes := map[string]int64{}
	for _, c := range h.Cells {
		cells[fmt.Sprintf("%s+%d", c.Cohort.MonthKey(), c.MonthsSince)] = c
		sizes[c.Cohort.MonthKey()] = c.Size
	}
	// Cohorts before the first one with users (before launch) are left out.
	cohorts := h.Cohorts
	for len(cohorts) > 0 && sizes[cohorts[0].MonthKey()] == 0 {
		cohorts = cohorts[1:]
	}
	if len(cohorts) == 0 {
		o.Empty = "No signup cohort with users in the months shown yet (or the cohort rollup has not run)."
		return o
	}
	months := max(len(h.Cohorts), minHeatCohorts)
	thisMonth := d.today.MonthStart()
	o.Table.Header = []string{"cohort_month", "months_since_signup", "activity_month", "cohort_size", "active_users", "retention", "month_to_date"}
	var xs, ys []string
	for k := 0; k < months; k++ {
		xs = append(xs, "M"+strconv.Itoa(k))
	}
	var data []any
	for y, c := range cohorts {
		ys = append(ys, fmt.Sprintf("%s (%s)", c.MonthLabel(), views.Count(sizes[c.MonthKey()])))
		for k := 0; k < months; k++ {
			activity := c.AddMonths(k)
			row := []string{c.MonthKey(), strconv.Itoa(k), activity.MonthKey(), "", "", "", ""}
			if cell, ok := cells[fmt.Sprintf("%s+%d", c.MonthKey(), k)]; ok {
				v, rok := metrics.RatioInt(cell.Active, cell.Size)
				row[3], row[4], row[5], row[6] = count64(cell.Size), count64(cell.Active), rateCSV(v, rok), yesNo(activity.Equal(thisMonth))
				if rok {
					data = append(data, []any{k, y, rateChart(v, true)})
				}
			}
			// A month that has not begun (no cell) stays empty in the CSV and on the chart.
			o.Table.Rows = append(o.Table.Rows, row)
		}
	}
	o.Options = map[string]any{
		"animationDuration": 300,
		"grid":              map[string]any{"left": 16, "right": 16, "top": 24, "bottom": 56, "containLabel": true},
		"tooltip":           map[string]any{"position": "top", "confine": true},
		"xAxis":             map[string]any{"type": "category", "data": xs, "name": "months since sign-up", "nameLocation": "middle", "nameGap": 24},
		"yAxis": map[string]any{"type": "category", "data": ys, "inverse": true,
			"axisLabel": map[string]any{"fontSize": 11}},
		"visualMap": map[string]any{"min": 0, "max": 100, "calculable": false, "orient": "horizontal", "left": "center", "bottom": 0,
			"itemHeight": 160, "text": []any{"100% active", "0%"}, "inRange": map[string]any{"color": []any{"#e1eee7", "#8cc9b3", "#0b6e4f"}}},
		"series": []any{map[string]any{"name": "Active users (% of cohort)", "type": "heatmap", "data": data,
			"label":    map[string]any{"show": true, "fontSize": 10, "formatter": "fmt:heatPercentLabel"},
			"emphasis": map[string]any{"itemStyle": map[string]any{"borderColor": "#333", "borderWidth": 1}}}},
	}
	o.Notes = []string{
		"Each cell: the share of the cohort (signed up that calendar month, size in brackets) who sent a transaction in that month since sign-up, in percent. M0 is the signup month.",
		"Empty cells are months that have not happened yet, not zeros. The current month (" + thisMonth.MonthLabel() + ") is month to date.",
	}
	if d.f.Source != "" {
		o.Notes = append(o.Notes, "This heatmap covers every signup source (the cohort rollup has no source split); the source filter does not apply to it.")
	}
	if h.Capped {
		o.Notes = append(o.Notes, fmt.Sprintf("The range has more than %d signup months: the latest %d are shown (the CSV has the same).", maxHeatCohorts, maxHeatCohorts))
	}
	return o
}

func sourcesPanel(d *growthData) growthOut {
	var o growthOut
	o.Display = &views.BankTable{Title: "Activation and retention by signup source", HelpID: metrics.IDGrowthReferredOrganic}
	if !d.all.ok() {
		o.Unavailable = d.all.Err
		o.Display.Unavailable = d.all.Err
		return o
	}
	by := map[string][]queries.GrowthDay{}
	for _, g := range d.all.V {
		by[g.Source] = append(by[g.Source], g)
	}
	o.Table.Header = []string{"signup_source", "signups", "activation_known", "activated", "activation_rate"}
	for _, n := range retentionDays {
		o.Table.Header = append(o.Table.Header, fmt.Sprintf("d%d_eligible", n), fmt.Sprintf("d%d_active", n), fmt.Sprintf("d%d_retention", n))
	}
	o.Display.Header = []string{"Source", "Sign-ups", "Activation", "D1", "D7", "D30"}
	o.Display.Numeric = []bool{false, true, true, true, true, true}
	cats := []string{"Activation", "D1", "D7", "D30"}
	colors := map[string]string{"organic": "#0b6e4f", "referral": "#d97706", "bank_promotion": "#5b8def"}
	var series []any
	total := int64(0)
	for _, src := range signupSources {
		s := statsOf(by[src.Key], d.today)
		total += s.Signups
		av, aok := s.activationRate()
		line := []string{src.Key, count64(s.Signups), count64(s.Known), count64(s.Activated), rateCSV(av, aok)}
		disp := []string{src.Label, views.Count(s.Signups), rateCell(av, aok, s.Activated, s.Known)}
		vals := []any{rateChart(av, aok)}
		for i := range retentionDays {
			v, ok := s.retention(i)
			line = append(line, count64(s.Eligible[i]), count64(s.Active[i]), rateCSV(v, ok))
			disp = append(disp, rateCell(v, ok, s.Active[i], s.Eligible[i]))
			vals = append(vals, rateChart(v, ok))
		}
		o.Table.Rows = append(o.Table.Rows, line)
		o.Display.Rows = append(o.Display.Rows, disp)
		series = append(series, map[string]any{"name": src.Label, "type": "bar", "data": vals,
			"tooltip": map[string]any{"valueFormatter": "fmt:count"}, "itemStyle": map[string]any{"color": colors[src.Key]}})
	}
	if total == 0 {
		o.Empty = "No sign-ups in " + rangeLabel(d.f.rc.Range) + "."
		o.Display.Empty = o.Empty
		return o
	}
	opts := baseOptions(cats)
	opts["yAxis"] = map[string]any{"type": "value", "name": "rate (%)", "min": 0, "max": 100, "nameTextStyle": map[string]any{"align": "left"}}
	opts["series"] = series
	o.Options = opts
	o.Note = "Users who signed up in the range, by source, in percent. A missing bar is n/a (nobody eligible yet)."
	return o
}

func referrersPanel(d *growthData) growthOut {
	var o growthOut
	o.Display = &views.BankTable{Title: "Top referrers", HelpID: metrics.IDGrowthTopReferrers}
	if !d.refs.ok() {
		o.Unavailable = d.refs.Err
		o.Display.Unavailable = d.refs.Err
		return o
	}
	r := d.refs.V
	o.Table.Header = []string{"rank", "referrer_blood_hash", "referred", "activated", "activation_known", "activated_of_known", "activation_rate", "not_yet_known"}
	o.Display.Header = []string{"#", "Referrer (blood hash)", "Referred", "Activated", "Activation rate", "Not yet known"}
	o.Display.Numeric = []bool{true, false, true, true, true, true}
	for i, x := range r.Top {
		v, ok := metrics.RatioInt(x.ActivatedKnown, x.Known)
		o.Table.Rows = append(o.Table.Rows, []string{strconv.Itoa(i + 1), x.BloodHash, count64(x.Referred), count64(x.ActivatedAll),
			count64(x.Known), count64(x.ActivatedKnown), rateCSV(v, ok), count64(x.Referred - x.Known)})
		o.Display.Rows = append(o.Display.Rows, []string{strconv.Itoa(i + 1), x.BloodHash, views.Count(x.Referred), views.Count(x.ActivatedAll),
			rateCell(v, ok, x.ActivatedKnown, x.Known), views.Count(x.Referred - x.Known)})
	}
	if len(r.Top) == 0 {
		o.Empty = "Nobody signed up through a referral in " + rangeLabel(d.f.rc.Range) + "."
		o.Display.Empty = o.Empty
		return o
	}
	o.Display.Note = fmt.Sprintf("The %d of %s referrers whose referrals signed up most in the range. Activated counts every referred user who activated; the rate counts only those whose 7 days have passed (signed up by %s).",
		len(r.Top), views.Count(r.Total), r.KnownThrough)
	return o
}
