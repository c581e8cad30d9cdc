package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/catalogue"
	"mari/finmodel"
	"mari/scenarios"
	"mari/views"
)

// scenarioForm is the editor's form as typed, and what is wrong with it. Values and Errors are
// keyed by form field: "name", "description", and "y<year>.<driver key>" for the grid.
type scenarioForm struct {
	Name, Description string
	Version           int
	View              string
	Years             int
	Values            map[string]string
	Errors            map[string]string
	General           []string
}

func fieldName(year int, key string) string { return "y" + strconv.Itoa(year) + "." + key }

func formOf(s scenarioRef, view string) scenarioForm {
	f := scenarioForm{Name: s.Name, Description: s.Description, Version: s.Version, View: view,
		Years: len(s.Assumptions.Years), Values: map[string]string{}, Errors: map[string]string{}}
	for i, y := range s.Assumptions.Years {
		for _, dr := range finmodel.Drivers {
			f.Values[fieldName(i+1, dr.Key)] = dr.Format(dr.Get(y))
		}
	}
	return f
}

// readScenarioForm reads the typed plan. fallbackYears is the plan's length when the form
// does not say (a tampered or truncated post). The assumptions are only meaningful when
// the form has no errors.
func readScenarioForm(c echo.Context, fallbackYears int) (scenarioForm, finmodel.Assumptions) {
	f := scenarioForm{Name: strings.TrimSpace(c.FormValue("name")), Description: strings.TrimSpace(c.FormValue("description")),
		View: c.FormValue("view"), Values: map[string]string{}}
	if f.View != "monthly" {
		f.View = "yearly"
	}
	// A version the database cannot hold (integer) is as unknown as a missing one: 0, which
	// the save refuses as a conflict instead of failing on the out-of-range parameter.
	if v, err := strconv.Atoi(c.FormValue("version")); err == nil && v > 0 && v <= math.MaxInt32 {
		f.Version = v
	}
	years, err := strconv.Atoi(c.FormValue("years"))
	var general []string
	if err != nil || years < 1 || years > finmodel.MaxYears {
		general = append(general, fmt.Sprintf("The form did not say how many years the plan has (1 to %d); reload the page and try again.", finmodel.MaxYears))
		years = fallbackYears
	}
	f.Years = years
	for y := 1; y <= years; y++ {
		for _, dr := range finmodel.Drivers {
			name := fieldName(y, dr.Key)
			f.Values[name] = c.FormValue(name)
		}
	}
	a := f.check()
	f.General = append(general, f.General...)
	return f, a
}

// check validates the typed values (replacing Errors and General) and returns the plan they
// describe, meaningful only when ok.
func (f *scenarioForm) check() finmodel.Assumptions {
	f.Errors, f.General = map[string]string{}, nil
	if msg := validateName(f.Name); msg != "" {
		f.Errors["name"] = msg
	}
	if msg := scenarios.CheckDescription(f.Description); msg != "" {
		f.Errors["description"] = msg
	}
	var a finmodel.Assumptions
	for y := 1; y <= f.Years; y++ {
		var yr finmodel.Year
		empty := 0
		for _, dr := range finmodel.Drivers {
			name := fieldName(y, dr.Key)
			raw := f.Values[name]
			if strings.TrimSpace(raw) == "" {
				empty++
			}
			v, err := finmodel.ParseValue(dr, raw)
			if err != nil {
				f.Errors[name] = capitalise(err.Error()) + "."
				continue
			}
			dr.Set(&yr, v)
		}
		if empty == len(finmodel.Drivers) {
			f.General = append(f.General, fmt.Sprintf("Year %d is empty: fill in every assumption of the year.", y))
		}
		a.Years = append(a.Years, yr)
	}
	if len(f.Errors) == 0 && len(f.General) == 0 {
		for _, fe := range finmodel.Validate(a) {
			if fe.Year == 0 {
				f.General = append(f.General, capitalise(fe.Message)+".")
			} else {
				f.Errors[fieldName(fe.Year, fe.Key)] = capitalise(fe.Message) + "."
			}
		}
	}
	return a
}

// resize adds a year (a copy of the last year's typed values) or removes the last one.
func (f *scenarioForm) resize(how string) (string, bool) {
	switch {
	case how == "add" && f.Years < finmodel.MaxYears:
		for _, dr := range finmodel.Drivers {
			f.Values[fieldName(f.Years+1, dr.Key)] = f.Values[fieldName(f.Years, dr.Key)]
		}
		f.Years++
		return fmt.Sprintf("Year %d added as a copy of year %d. Change its values, then save to keep it.", f.Years, f.Years-1), true
	case how == "add":
		return fmt.Sprintf("A plan has at most %d years.", finmodel.MaxYears), false
	case how == "remove" && f.Years > 1:
		for _, dr := range finmodel.Drivers {
			delete(f.Values, fieldName(f.Years, dr.Key))
		}
		f.Years--
		return fmt.Sprintf("Year %d removed from the form. Save to keep the change.", f.Years+1), true
	case how == "remove":
		return "A plan needs at least one year.", false
	}
	return fmt.Sprintf("Unknown change %q to the plan's years.", how), false
}

func (f scenarioForm) ok() bool { return len(f.Errors) == 0 && len(f.General) == 0 }

// problem is the form-level message of a refused form.
func (f scenarioForm) problem() string {
	msg := "Please fix the fields marked below; nothing was saved."
	if len(f.General) > 0 {
		msg = strings.Join(f.General, " ") + " Nothing was saved."
	}
	return msg
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] == '"' || r[0] == '“' {
		return s
	}
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

func (h *Model) formView(s scenarioRef, f scenarioForm, canEdit bool) views.ModelForm {
	v := views.ModelForm{Action: s.href(""), PreviewAction: s.href("/preview"), ReadOnly: !canEdit || !s.Stored,
		Version: f.Version, View: f.View, Name: f.Name, Description: f.Description,
		NameError: f.Errors["name"], DescriptionError: f.Errors["description"]}
	for y := 1; y <= f.Years; y++ {
		v.Years = append(v.Years, y)
	}
	for _, dr := range finmodel.Drivers {
		row := views.ModelGridRow{Key: dr.Key, Label: dr.Label, Unit: dr.Unit}
		for y := 1; y <= f.Years; y++ {
			name := fieldName(y, dr.Key)
			row.Cells = append(row.Cells, views.ModelCell{Name: name, Value: f.Values[name], Error: f.Errors[name]})
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// resultLine is one line of the yearly results table.
type resultLine struct {
	key, label string
	strong     bool
	cell       func(l finmodel.Lines) (text, exact string)
	signed     bool // negative values are shown as losses
}

func randCell(get func(l finmodel.Lines) decimal.Decimal) func(l finmodel.Lines) (string, string) {
	return func(l finmodel.Lines) (string, string) {
		v := get(l)
		return views.Rand(v), v.StringFixed(2)
	}
}

var resultLines = []resultLine{
	{key: "users", label: "Active users (each month)", cell: func(l finmodel.Lines) (string, string) {
		return views.Count(l.Users.IntPart()), l.Users.String()
	}},
	{key: "transactions", label: "Transactions", cell: func(l finmodel.Lines) (string, string) {
		return views.Count(l.Transactions.IntPart()), l.Transactions.String()
	}},
	{key: "transaction_revenue", label: "Transaction revenue", cell: randCell(func(l finmodel.Lines) decimal.Decimal { return l.TransactionRevenue })},
	{key: "licensing_revenue", label: "Licensing revenue", cell: randCell(func(l finmodel.Lines) decimal.Decimal { return l.LicensingRevenue })},
	{key: "total_revenue", label: "Total revenue", strong: true, cell: randCell(func(l finmodel.Lines) decimal.Decimal { return l.TotalRevenue })},
	{key: "team_costs", label: "Team", cell: randCell(func(l finmodel.Lines) decimal.Decimal { return l.TeamCosts })},
	{key: "infrastructure_costs", label: "Infrastructure", cell: randCell(func(l finmodel.Lines) decimal.Decimal { return l.InfraCosts })},
	{key: "marketing_costs", label: "Marketing", cell: randCell(func(l finmodel.Lines) decimal.Decimal { return l.MarketingCosts })},
	{key: "compliance_costs", label: "Compliance and legal", cell: randCell(func(l finmodel.Lines) decimal.Decimal { return l.ComplianceCosts })},
	{key: "total_costs", label: "Total costs", strong: true, cell: randCell(func(l finmodel.Lines) decimal.Decimal { return l.TotalCosts })},
	{key: "operating_profit", label: "Operating profit", strong: true, signed: true, cell: randCell(func(l finmodel.Lines) decimal.Decimal { return l.OperatingProfit })},
	{key: "operating_margin", label: "Operating margin", signed: true, cell: func(l finmodel.Lines) (string, string) {
		m, ok := l.OperatingMargin()
		if !ok {
			return "n/a", "no revenue"
		}
		return views.Percent(m.Div(decimal.NewFromInt(100)), 2), m.StringFixed(2)
	}},
	{key: "cumulative_profit", label: "Cumulative operating profit", signed: true, cell: randCell(func(l finmodel.Lines) decimal.Decimal { return l.CumulativeProfit })},
}

func resultCell(line resultLine, l finmodel.Lines, id string) views.ModelResultCell {
	text, exact := line.cell(l)
	var cls []string
	if line.strong {
		cls = append(cls, "strong")
	}
	if line.signed && strings.HasPrefix(text, "-") {
		cls = append(cls, "loss")
	}
	return views.ModelResultCell{Text: text, Exact: exact, Class: strings.Join(cls, " "), ID: id}
}

// resultsView lays a computed plan out as the editor's results: a column per year (yearly) or
// a row per month (monthly), the break-even months and the headline tiles.
func resultsView(s scenarioRef, r finmodel.Result, view string) views.ModelResults {
	be := finmodel.BreakEvenOf(r)
	out := views.ModelResults{Monthly: view == "monthly", BreakEven: breakEvenText(be.ProfitableMonth), Payback: breakEvenText(be.PaybackMonth)}
	last := finalYear(r)
	margin := "n/a"
	if m, ok := last.OperatingMargin(); ok {
		margin = views.Percent(m.Div(decimal.NewFromInt(100)), 2)
	}
	out.Headline = []views.Tile{
		{MetricID: catalogue.IDModelPlanRevenue, Title: fmt.Sprintf("Year %d plan revenue", last.Year), Value: views.RandShort(last.TotalRevenue), Exact: views.Rand(last.TotalRevenue)},
		{MetricID: catalogue.IDModelOperatingProfit, Title: fmt.Sprintf("Year %d operating profit", last.Year), Value: views.RandShort(last.OperatingProfit),
			Exact: views.Rand(last.OperatingProfit), Lines: []string{"operating margin " + margin}},
		{MetricID: catalogue.IDModelOperatingProfit, Title: "Cumulative operating profit", Value: views.RandShort(last.CumulativeProfit),
			Exact: views.Rand(last.CumulativeProfit), Lines: []string{fmt.Sprintf("over %d years", len(r.Years))}},
		{MetricID: catalogue.IDModelBreakEven, Title: "Break-even", Value: shortMonth(be.ProfitableMonth),
			Lines: []string{"payback " + breakEvenText(be.PaybackMonth)}},
	}
	if view == "monthly" {
		out.Caption = "Monthly results (flat within each year, as the seed reads its yearly users)"
		out.CSVHref = s.href("/monthly.csv")
		out.Header = []string{"Plan month", "Active users", "Transactions", "Revenue", "Costs", "Operating profit", "Cumulative operating profit"}
		keys := []string{"users", "transactions", "total_revenue", "total_costs", "operating_profit", "cumulative_profit"}
		for _, m := range r.Months() {
			y, moy := finmodel.YearAndMonth(m.Month)
			row := []views.ModelResultCell{{Text: fmt.Sprintf("Year %d, month %d", y, moy)}}
			for _, k := range keys {
				row = append(row, resultCell(lineByKey(k), m.Lines, fmt.Sprintf("res-m%d-%s", m.Month, k)))
			}
			out.Rows = append(out.Rows, row)
		}
		return out
	}
	out.Caption = "Yearly results"
	out.CSVHref = s.href("/results.csv")
	out.Header = []string{""}
	for _, y := range r.Years {
		out.Header = append(out.Header, fmt.Sprintf("Year %d", y.Year))
	}
	out.Header = append(out.Header, "Total")
	total := r.Total()
	for _, line := range resultLines {
		head := views.ModelResultCell{Text: line.label}
		if line.strong {
			head.Class = "strong"
		}
		row := []views.ModelResultCell{head}
		for _, y := range r.Years {
			row = append(row, resultCell(line, y.Lines, fmt.Sprintf("res-y%d-%s", y.Year, line.key)))
		}
		if line.key == "users" || line.key == "cumulative_profit" {
			row = append(row, views.ModelResultCell{Text: "—"})
		} else {
			row = append(row, resultCell(line, total, "res-total-"+line.key))
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

func lineByKey(key string) resultLine {
	for _, l := range resultLines {
		if l.key == key {
			return l
		}
	}
	panic("no result line " + key)
}

func shortMonth(month int) string {
	if month == 0 {
		return "not within plan"
	}
	y, m := finmodel.YearAndMonth(month)
	return fmt.Sprintf("Y%d M%d", y, m)
}

// editorView is the editor page for scenario s showing form f and the results of r.
func (h *Model) editorView(c echo.Context, s scenarioRef, f scenarioForm, r finmodel.Result) views.ModelEditor {
	canEdit := canEditModel(c)
	v := views.ModelEditor{
		Head:    h.head(s, "editor"),
		Form:    h.formView(s, f, canEdit),
		Results: resultsView(s, r, f.View),
		Charts:  modelCharts(r, f.View),
		CanEdit: canEdit,
		Clone:   views.ModelCloneForm{Action: s.href("/clone"), Name: "Copy of " + s.Name, Label: "Clone into a new scenario"},
		Downloads: []views.ModelLink{
			{Label: "Assumptions CSV (importable)", Href: s.href("/assumptions.csv")},
			{Label: "Yearly results CSV", Href: s.href("/results.csv")},
			{Label: "Monthly results CSV", Href: s.href("/monthly.csv")},
			{Label: "Excel workbook (assumptions and results)", Href: s.href("/scenario.xlsx")},
		},
	}
	for _, t := range []struct{ key, label string }{{"yearly", "Yearly"}, {"monthly", "Monthly"}} {
		href := s.href("")
		if t.key == "monthly" {
			href += "?view=monthly"
		}
		v.ViewLinks = append(v.ViewLinks, views.ModelTab{Label: t.label, Href: href, Active: f.View == t.key})
	}
	if !s.Stored && canEdit {
		v.Notice = "The seed plan is read-only. Clone it (below) to change its assumptions."
	}
	return v
}

func readView(c echo.Context) (string, error) {
	switch v := c.QueryParam("view"); v {
	case "", "yearly":
		return "yearly", nil
	case "monthly":
		return v, nil
	default:
		return "", badRequest("Unknown view %q: choose yearly or monthly.", v)
	}
}

// Editor serves GET /model/:id: the scenario's assumptions (editable for executives on a
// stored scenario), its results and charts.
func (h *Model) Editor(c echo.Context) error {
	s, err := h.scenario(c)
	if done, err := scenarioNotFoundPage(c, err); done || err != nil {
		return err
	}
	view, err := readView(c)
	if err != nil {
		return err
	}
	v := h.editorView(c, s, formOf(s, view), finmodel.Compute(s.Assumptions))
	switch saved := c.QueryParam("saved"); {
	case saved == "unchanged":
		v.Notice = "Nothing changed, so nothing was saved."
	case saved == "new":
		v.Notice = "The new scenario was saved as version 1."
	case saved != "":
		if n, err := strconv.Atoi(saved); err == nil && n > 0 {
			v.Notice = fmt.Sprintf("Saved as version %d.", n)
		}
	}
	return render(c, http.StatusOK, views.ModelEditorPage(v))
}

// previewResponse is what static/model.js receives while someone types.
type previewResponse struct {
	OK          bool              `json:"ok"`
	Message     string            `json:"message,omitempty"`
	Errors      map[string]string `json:"errors"`
	ResultsHTML string            `json:"results_html,omitempty"`
	Charts      map[string]any    `json:"charts,omitempty"`
}

// Preview serves POST /model/:id/preview: the results of the typed assumptions, computed by
// finmodel exactly as a save would, as the results fragment and the charts' options. Invalid
// input answers ok=false with a message per field (status 200: the preview itself worked),
// and the page keeps the last good results. Nothing is written.
func (h *Model) Preview(c echo.Context) error {
	s, err := h.scenario(c)
	if done, err := scenarioNotFoundPage(c, err); done || err != nil {
		return err
	}
	f, a := readScenarioForm(c, len(s.Assumptions.Years))
	delete(f.Errors, "name") // the name matters for saving, not for the figures
	delete(f.Errors, "description")
	c.Response().Header().Set("Cache-Control", "no-store")
	if !f.ok() {
		msg := "Not updated: fix the marked values. The results below are from the last valid values."
		if len(f.General) > 0 {
			msg = "Not updated: " + strings.Join(f.General, " ") + " The results below are from the last valid values."
		}
		return c.JSON(http.StatusOK, previewResponse{Message: msg, Errors: f.Errors})
	}
	r := finmodel.Compute(a)
	var buf bytes.Buffer
	if err := views.ModelResultsView(resultsView(s, r, f.View)).Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	charts := map[string]any{}
	for _, ch := range modelCharts(r, f.View) {
		charts["chart-"+ch.ID] = ch.Options
	}
	return c.JSON(http.StatusOK, previewResponse{OK: true, Errors: map[string]string{}, ResultsHTML: buf.String(), Charts: charts,
		Message: "Updated from the values typed (not saved yet)."})
}

// Save serves POST /model/:id: the typed assumptions become the scenario's next version, if
// nobody saved since the editor loaded its version. Bad input re-shows the form with each
// message next to its field and the last saved results; a conflict (409) tells who saved what
// and when, keeps the typed values, and writes nothing.
func (h *Model) Save(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	s, err := h.scenario(c)
	if done, err := scenarioNotFoundPage(c, err); done || err != nil {
		return err
	}
	f, a := readScenarioForm(c, len(s.Assumptions.Years))
	if !s.Stored {
		v := h.editorView(c, s, formOf(s, f.View), finmodel.Compute(s.Assumptions))
		v.Message = "The seed plan is built in and read-only, so nothing was saved. Clone it to change its assumptions."
		return render(c, http.StatusBadRequest, views.ModelEditorPage(v))
	}
	if how := c.FormValue("resize"); how != "" {
		return h.resizeForm(c, s, f, how)
	}
	if !f.ok() {
		v := h.editorView(c, s, f, finmodel.Compute(s.Assumptions)) // the last good results stay
		v.Message = f.problem()
		return render(c, http.StatusBadRequest, views.ModelEditorPage(v))
	}
	saved, err := h.scenarios.Save(c.Request().Context(), by, s.Number,
		scenarios.Edit{BaseVersion: f.Version, Name: f.Name, Description: f.Description, Assumptions: a})
	var conflict scenarios.ConflictError
	var taken scenarios.NameTakenError
	var input scenarios.InputError
	var missing scenarios.NotFoundError
	switch {
	case errors.As(err, &conflict):
		f.Version = conflict.Current // a second, informed save may replace their version
		v := h.editorView(c, s, f, finmodel.Compute(a))
		cv := conflictView(s, conflict)
		v.Conflict = &cv
		return render(c, http.StatusConflict, views.ModelEditorPage(v))
	case errors.As(err, &taken):
		f.Errors["name"] = taken.Error()
		v := h.editorView(c, s, f, finmodel.Compute(s.Assumptions))
		v.Message = f.problem()
		return render(c, http.StatusBadRequest, views.ModelEditorPage(v))
	case errors.As(err, &input): // the form's own checks are the same, so only a bug gets here
		v := h.editorView(c, s, f, finmodel.Compute(s.Assumptions))
		v.Message = input.Msg + " Nothing was saved."
		return render(c, http.StatusBadRequest, views.ModelEditorPage(v))
	case errors.As(err, &missing):
		_, err := scenarioNotFoundPage(c, errScenarioNotFound{s.ID})
		return err
	case err != nil:
		return err
	}
	q := url.Values{}
	if f.View == "monthly" {
		q.Set("view", "monthly")
	}
	if saved.Unchanged {
		q.Set("saved", "unchanged")
	} else {
		q.Set("saved", strconv.Itoa(saved.Version))
	}
	return c.Redirect(http.StatusSeeOther, s.href("?"+q.Encode()))
}

// resizeForm answers the "add a year" and "remove the last year" buttons: the form comes back
// with the plan's years changed and nothing is saved; the results follow the form when its
// values are valid, else they stay those of the saved version.
func (h *Model) resizeForm(c echo.Context, s scenarioRef, f scenarioForm, how string) error {
	msg, ok := f.resize(how)
	a := f.check()
	results := s.Assumptions
	if f.ok() {
		results = a
	}
	v := h.editorView(c, s, f, finmodel.Compute(results))
	if !ok {
		v.Message = msg + " Nothing was changed."
		return render(c, http.StatusBadRequest, views.ModelEditorPage(v))
	}
	v.Notice = msg
	return render(c, http.StatusOK, views.ModelEditorPage(v))
}

// conflictView explains the refusal of a save (or restore) based on a version the scenario
// has moved past: who saved each version since, when, and what they changed.
func conflictView(s scenarioRef, e scenarios.ConflictError) views.ModelConflict {
	cv := views.ModelConflict{Href: s.href(""), Message: fmt.Sprintf(
		"Nothing was saved: this scenario changed after you opened it. You started from version %d; it is now at version %d. "+
			"Your typed values are kept below. Check what changed, then save again to make your values the next version "+
			"(theirs stays in the history and can be restored).", e.Base, e.Current)}
	if len(e.Since) == 0 {
		cv.Message = fmt.Sprintf("Nothing was saved: you started from version %d, which this scenario does not have (it is at version %d). Reload the page.", e.Base, e.Current)
	}
	for _, v := range e.Since {
		cv.Changes = append(cv.Changes, fmt.Sprintf("Version %d, saved by %s on %s SAST: %s", v.Version, v.ChangedByEmail, sastStamp(v.ChangedAt), v.Summary))
	}
	return cv
}
