package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"mari/finmodel"
	"mari/queries"
	"mari/scenarios"
	"mari/views"
)

// List serves GET /model: the seed plan and every stored scenario with its headline figures.
func (h *Model) List(c echo.Context) error {
	return h.renderList(c, http.StatusOK, views.ModelList{})
}

func listRow(s scenarioRef) views.ModelListRow {
	r := finmodel.Compute(s.Assumptions)
	last := finalYear(r)
	row := views.ModelListRow{ID: s.ID, Href: s.href(""), Name: s.Name, Description: s.Description, BasedOn: s.BasedOn,
		FinalProfit: views.Rand(last.OperatingProfit), Cumulative: views.Rand(last.CumulativeProfit),
		BreakEven: breakEvenText(finmodel.BreakEvenOf(r).ProfitableMonth)}
	if s.Stored {
		row.Version = strconv.Itoa(s.Version)
		row.Updated = fmt.Sprintf("%s SAST by %s", sastStamp(s.UpdatedAt), s.UpdatedBy)
	} else {
		row.Version = "built in"
		row.Updated = "never changes"
	}
	return row
}

// renderList shows the list with v's messages (a refused clone or import keeps what was typed).
func (h *Model) renderList(c echo.Context, status int, v views.ModelList) error {
	all, err := queries.ScenarioList(c.Request().Context(), h.db)
	if err != nil {
		return err
	}
	v.Seed = listRow(seedScenario())
	for _, s := range all {
		v.Rows = append(v.Rows, listRow(refOf(s)))
	}
	v.CanEdit = canEditModel(c)
	if v.Clone.Action == "" {
		v.Clone = views.ModelCloneForm{Action: "/model/seed/clone", Name: "", Label: "Clone the seed plan"}
	}
	return render(c, status, views.ModelListPage(v))
}

// Clone serves POST /model/:id/clone: a new scenario with the assumptions of :id at its
// current version, named as typed.
func (h *Model) Clone(c echo.Context) error {
	if _, _, err := staff(c); err != nil {
		return err
	}
	s, err := h.scenario(c)
	if done, err := scenarioNotFoundPage(c, err); done || err != nil {
		return err
	}
	name := strings.TrimSpace(c.FormValue("name"))
	refuse := func(msg string) error {
		return h.renderList(c, http.StatusBadRequest, views.ModelList{
			Error: "Nothing was saved: " + msg,
			Clone: views.ModelCloneForm{Action: s.href("/clone"), Name: name, Error: msg, Label: "Clone " + s.Name},
		})
	}
	if msg := validateName(name); msg != "" {
		return refuse(msg)
	}
	basedOn := s.Name
	if s.Stored {
		basedOn = fmt.Sprintf("%s (scenario %d, version %d)", s.Name, s.Number, s.Version)
	}
	summary := "cloned from " + basedOn
	description := s.Description
	if !s.Stored {
		description = "" // the seed's description ("exactly as written") stops being true once edited
	}
	id, err := h.createScenario(c, queries.Scenario{Name: name, Description: description, BasedOn: basedOn, Assumptions: s.Assumptions}, summary, summary)
	if taken := (scenarios.NameTakenError{}); errors.As(err, &taken) {
		return refuse(taken.Error())
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/model/"+strconv.FormatInt(id, 10)+"?saved=new")
}

// History serves GET /model/:id/history: every version, newest first, with who saved it,
// when and what changed, and a restore button for executives.
func (h *Model) History(c echo.Context) error {
	s, err := h.scenario(c)
	if done, err := scenarioNotFoundPage(c, err); done || err != nil {
		return err
	}
	return h.renderHistory(c, http.StatusOK, s, "", "")
}

func (h *Model) renderHistory(c echo.Context, status int, s scenarioRef, notice, problem string) error {
	v := views.ModelHistory{Head: h.head(s, "history"), CurrentVersion: s.Version, Notice: notice, Error: problem}
	if s.Stored {
		versions, err := queries.ScenarioVersions(c.Request().Context(), h.db, s.Number)
		if err != nil {
			return err
		}
		canEdit := canEditModel(c)
		for _, ver := range versions {
			r := finmodel.Compute(ver.Assumptions)
			last := finalYear(r)
			row := views.ModelVersionRow{Version: ver.Version, When: sastStamp(ver.ChangedAt), By: ver.ChangedByEmail,
				Name: ver.Name, Summary: ver.Summary, Current: ver.Version == s.Version,
				FinalProfit: views.Rand(last.OperatingProfit), CumulativeFinal: views.Rand(last.CumulativeProfit)}
			if canEdit && !row.Current {
				row.RestoreAction = s.href("/restore/" + strconv.Itoa(ver.Version))
			}
			v.Rows = append(v.Rows, row)
		}
	}
	return render(c, status, views.ModelHistoryPage(v))
}

// Restore serves POST /model/:id/restore/:version: the old version's assumptions (and name)
// are saved again as the newest version. Like a save it carries the version the page showed,
// so it cannot silently undo a save made meanwhile.
func (h *Model) Restore(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	s, err := h.scenario(c)
	if done, err := scenarioNotFoundPage(c, err); done || err != nil {
		return err
	}
	if !s.Stored {
		return h.renderHistory(c, http.StatusBadRequest, s, "", "The seed plan is built in and has no versions to restore.")
	}
	old, err := strconv.Atoi(c.Param("version"))
	if err != nil || old <= 0 || old > math.MaxInt32 {
		return badRequest("%q is not a version number.", c.Param("version"))
	}
	base, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || base <= 0 || base > math.MaxInt32 {
		return h.renderHistory(c, http.StatusBadRequest, s, "", "The form did not say which version you were looking at; reload the page and try again. Nothing was restored.")
	}
	version, err := h.scenarios.Restore(c.Request().Context(), by, s.Number, old, base)
	var conflict scenarios.ConflictError
	var taken scenarios.NameTakenError
	var missing scenarios.NotFoundError
	switch {
	case errors.As(err, &conflict):
		cv := conflictView(s, conflict)
		msg := cv.Message
		if len(cv.Changes) > 0 {
			msg = fmt.Sprintf("Nothing was restored: the scenario changed after you opened this page (you saw version %d; it is now %d: %s). Look at the history again and restore if you still want to.",
				base, conflict.Current, strings.Join(cv.Changes, "; "))
		}
		fresh, err := h.scenario(c)
		if err != nil {
			return err
		}
		return h.renderHistory(c, http.StatusConflict, fresh, "", msg)
	case errors.As(err, &taken):
		return h.renderHistory(c, http.StatusBadRequest, s, "", "Nothing was restored: that version's name is now used by another scenario. Rename that scenario first.")
	case errors.As(err, &missing) && missing.Version > 0:
		_, err := scenarioNotFoundPage(c, errScenarioNotFound{fmt.Sprintf("%s version %d", s.ID, old)})
		return err
	case errors.As(err, &missing):
		_, err := scenarioNotFoundPage(c, errScenarioNotFound{s.ID})
		return err
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.href("?saved="+strconv.Itoa(version)))
}
