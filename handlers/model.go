package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/calendar"
	"mari/finmodel"
	"mari/queries"
	"mari/scenarios"
	"mari/views"
)

// ModelDB is what the financial-model pages need of PostgreSQL: statements, and transactions
// so a save, its history entry and its audit entry land together.
type ModelDB = queries.DB

// ModelOptions configure the financial-model pages.
type ModelOptions struct {
	LaunchMonth  calendar.Date    // plan month 1 for plan against actuals; zero: the first sign-up's month
	PanelTimeout time.Duration    // time limit of the actuals queries
	Now          func() time.Time // the clock
	Log          *slog.Logger
}

// Model serves the financial-model scenario editor (issue 5): the list, the editor and its
// live preview, saving with optimistic concurrency, clone, history and restore, compare,
// sensitivity, plan against actuals with re-forecast, and CSV/XLSX export and CSV import.
// The model itself is package finmodel; this file and its siblings only read forms, talk to
// the database and lay results out.
type Model struct {
	db        ModelDB
	scenarios *scenarios.Service // every write: clone, import, re-forecast, save, restore
	opts      ModelOptions
}

// NewModel returns the handler.
func NewModel(db ModelDB, opts ModelOptions) *Model {
	panelDefaults(&opts.PanelTimeout, &opts.Now, &opts.Log)
	return &Model{db: db, scenarios: scenarios.New(db, opts.Now), opts: opts}
}

// seedID is the pseudo-scenario id of the built-in seed plan.
const seedID = "seed"

const seedName = scenarios.SeedName

// scenarioRef is a scenario as the pages use it: a stored one, or the built-in seed plan
// (Stored false, Version 0, read-only).
type scenarioRef struct {
	ID          string
	Stored      bool
	Number      int64
	Name        string
	Description string
	BasedOn     string
	Version     int
	Assumptions finmodel.Assumptions
	UpdatedBy   string
	UpdatedAt   time.Time
}

func seedScenario() scenarioRef {
	return scenarioRef{ID: seedID, Name: seedName, Assumptions: finmodel.SeedPlan(),
		Description: "Seed §7 \"5-Year Financial Model\", exactly as written: the plan the seed's targets were set against."}
}

func refOf(s queries.Scenario) scenarioRef {
	return scenarioRef{ID: strconv.FormatInt(s.ID, 10), Stored: true, Number: s.ID, Name: s.Name,
		Description: s.Description, BasedOn: s.BasedOn, Version: s.Version, Assumptions: s.Assumptions,
		UpdatedBy: s.UpdatedByEmail, UpdatedAt: s.UpdatedAt}
}

func (s scenarioRef) href(suffix string) string { return "/model/" + s.ID + suffix }

// errScenarioNotFound is a :id that names no scenario.
type errScenarioNotFound struct{ id string }

func (e errScenarioNotFound) Error() string { return "no scenario " + e.id }

func scenarioNotFoundPage(c echo.Context, err error) (bool, error) {
	var nf errScenarioNotFound
	if !errors.As(err, &nf) {
		return false, err
	}
	return true, render(c, http.StatusNotFound, views.ErrorPage(http.StatusNotFound, "Scenario not found",
		fmt.Sprintf("There is no scenario %q. See every scenario at /model.", nf.id)))
}

// parseScenarioID reads :id: "seed" or a positive whole number.
func parseScenarioID(raw string) (int64, bool, error) {
	if raw == seedID {
		return 0, true, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		return 0, false, errScenarioNotFound{raw}
	}
	return n, false, nil
}

// scenario loads the :id scenario; errScenarioNotFound when there is none.
func (h *Model) scenario(c echo.Context) (scenarioRef, error) {
	raw := c.Param("id")
	n, seed, err := parseScenarioID(raw)
	if err != nil {
		return scenarioRef{}, err
	}
	if seed {
		return seedScenario(), nil
	}
	s, ok, err := queries.ScenarioByID(c.Request().Context(), h.db, n)
	if err != nil {
		return scenarioRef{}, err
	}
	if !ok {
		return scenarioRef{}, errScenarioNotFound{raw}
	}
	return refOf(s), nil
}

// canEditModel: executives (and admins) own the financial model; other roles read it.
func canEditModel(c echo.Context) bool {
	a, ok := auth.Current(c)
	return ok && auth.Allows(a.Role, auth.RoleExecutive)
}

func sastStamp(t time.Time) string {
	return t.In(calendar.SAST).Format("2006-01-02 15:04")
}

// head is the title block and tabs of a scenario's pages; active is the tab's key.
func (h *Model) head(s scenarioRef, active string) views.ModelHead {
	hd := views.ModelHead{ID: s.ID, Name: s.Name, Description: s.Description, BasedOn: s.BasedOn, Seed: !s.Stored}
	if s.Stored {
		hd.Meta = fmt.Sprintf("version %d · last saved by %s on %s SAST", s.Version, s.UpdatedBy, sastStamp(s.UpdatedAt))
	} else {
		hd.Meta = "built into Mari BI from finmodel.SeedPlan(); clone it to change it"
	}
	for _, t := range []struct{ key, label, suffix string }{
		{"editor", "Assumptions and results", ""},
		{"history", "History", "/history"},
		{"sensitivity", "Sensitivity", "/sensitivity"},
		{"actuals", "Plan against actuals", "/actuals"},
	} {
		hd.Tabs = append(hd.Tabs, views.ModelTab{Label: t.label, Href: s.href(t.suffix), Active: t.key == active})
	}
	hd.Tabs = append(hd.Tabs, views.ModelTab{Label: "Compare", Href: "/model/compare?s=" + s.ID})
	return hd
}

// validateName checks a scenario name: 1–100 characters, not the seed plan's.
func validateName(name string) string { return scenarios.CheckName(name) }

func nameTakenMessage(name string) string { return scenarios.NameTakenMessage(name) }

// createScenario stores a new scenario (clone, import, re-forecast) with its first history
// entry and its audit entry, in one transaction. A taken name is a scenarios.NameTakenError,
// which still unwraps to the database's unique violation.
func (h *Model) createScenario(c echo.Context, s queries.Scenario, summary, auditDetail string) (int64, error) {
	by, err := changeActor(c)
	if err != nil {
		return 0, err
	}
	return h.scenarios.Create(c.Request().Context(), by, scenarios.Draft{Name: s.Name, Description: s.Description,
		BasedOn: s.BasedOn, Assumptions: s.Assumptions, Summary: summary, AuditDetail: auditDetail})
}

// finalYear is a plan's last year (zero Lines for an empty plan).
func finalYear(r finmodel.Result) finmodel.YearResult {
	if len(r.Years) == 0 {
		return finmodel.YearResult{}
	}
	return r.Years[len(r.Years)-1]
}

func breakEvenText(month int) string {
	if month == 0 {
		return "not within the plan"
	}
	return finmodel.MonthLabel(month)
}

// signedRand is a difference in rand with its sign: "+R 1 000.00", "−R 5.00".
func signedRand(d decimal.Decimal) string {
	if d.IsNegative() {
		return "−" + views.Rand(d.Neg())
	}
	return "+" + views.Rand(d)
}
