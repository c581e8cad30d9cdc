package views

// View models of the financial-model pages (issue 5). Handlers compute and format every
// figure; the templates lay them out.

// ModelTab is one link of a scenario's page tabs.
type ModelTab struct {
	Label, Href string
	Active      bool
}

// ModelHead is the top of every page of one scenario: its name, what it is, and its tabs.
type ModelHead struct {
	ID          string // "seed" or the scenario number
	Name        string
	Description string
	Meta        string // "version 4 · saved by … on …" or "built in, read-only"
	BasedOn     string
	Seed        bool
	Tabs        []ModelTab
}

// ModelCell is one cell of the assumptions grid: an input with its typed value and, when the
// value is wrong, the message shown next to it.
type ModelCell struct {
	Name  string // form field, "y3.users"
	Value string
	Error string
}

// ModelGridRow is one driver of the assumptions grid.
type ModelGridRow struct {
	Key, Label, Unit string
	Cells            []ModelCell
}

// ModelForm is the editor's assumptions form.
type ModelForm struct {
	Action, PreviewAction string
	ReadOnly              bool
	Version               int
	View                  string // "yearly" or "monthly"
	Name, Description     string
	NameError             string
	DescriptionError      string
	Years                 []int
	Rows                  []ModelGridRow
}

// ModelResultCell is one cell of a results table.
type ModelResultCell struct {
	Text, Exact, Class, ID string
}

// ModelResults is the results table of the editor (yearly: a column per year; monthly: a row
// per month) with the break-even summary; the preview re-renders exactly this.
type ModelResults struct {
	Caption   string
	Monthly   bool
	Header    []string
	Rows      [][]ModelResultCell
	BreakEven string
	Payback   string
	Headline  []Tile
	CSVHref   string
}

// ModelConflict tells the second of two people saving the same scenario what happened.
type ModelConflict struct {
	Message string
	Changes []string // "version 5 by a@mari.example at 2026-03-15 10:02 SAST: Year 3 users …"
	Href    string   // the scenario as saved now
}

// ModelLink is a labelled link (downloads, alternatives).
type ModelLink struct{ Label, Href string }

// ModelEditor is GET /model/:id.
type ModelEditor struct {
	Head      ModelHead
	Form      ModelForm
	Results   ModelResults
	Charts    []Chart
	Message   string // form-level problem (400) — nothing was saved
	Conflict  *ModelConflict
	Notice    string // "Saved as version 3."
	CanEdit   bool
	Clone     ModelCloneForm
	Downloads []ModelLink
	ViewLinks []ModelTab
}

// ModelCloneForm is the "clone into a new scenario" form.
type ModelCloneForm struct {
	Action, Name, Error string
	Label               string
}

// ModelListRow is one scenario on the list page.
type ModelListRow struct {
	ID, Href, Name, Description, BasedOn string
	Version                              string
	Updated                              string
	FinalProfit, Cumulative, BreakEven   string
}

// ModelList is GET /model.
type ModelList struct {
	Seed        ModelListRow
	Rows        []ModelListRow
	CanEdit     bool
	Clone       ModelCloneForm
	ImportName  string
	ImportError string
	ImportRows  []string // row-level problems of a refused import
	Error       string
}

// ModelVersionRow is one line of a scenario's history.
type ModelVersionRow struct {
	Version         int
	When, By        string
	Name, Summary   string
	Current         bool
	RestoreAction   string // "" when restoring is not possible (current version, or no right)
	FinalProfit     string
	CumulativeFinal string
}

// ModelHistory is GET /model/:id/history.
type ModelHistory struct {
	Head           ModelHead
	Rows           []ModelVersionRow
	CurrentVersion int
	Notice, Error  string
}

// ModelTable is a titled table with optional per-cell highlighting and a CSV link.
type ModelTable struct {
	Title, Note, CSVHref, HelpID string
	Header                       []string
	Rows                         [][]ModelResultCell
	Empty                        string
}

// ModelSensitivity is GET /model/:id/sensitivity.
type ModelSensitivity struct {
	Head   ModelHead
	Charts []Chart
	Table  ModelTable
	Note   string
}

// ModelCompareChoice is one scenario that can be ticked for comparison.
type ModelCompareChoice struct {
	ID, Name string
	Checked  bool
}

// ModelCompare is GET /model/compare.
type ModelCompare struct {
	Choices []ModelCompareChoice
	Error   string
	Names   []string
	Tables  []ModelTable
	Charts  []Chart
}

// ModelActuals is GET /model/:id/actuals.
type ModelActuals struct {
	Head        ModelHead
	Launch      string
	Summary     string
	Unavailable string
	Empty       string
	Table       ModelTable
	Charts      []Chart
	CanEdit     bool
	Reforecast  ModelCloneForm
	Notes       []string
}
