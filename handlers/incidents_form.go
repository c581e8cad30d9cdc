package handlers

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mari/calendar"
	"mari/incidents"
	"mari/queries"
	"mari/views"
)

const fixFields = "Please fix the fields marked below; nothing was saved."

func readIncidentForm(c echo.Context) views.IncidentForm {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	f := views.IncidentForm{Title: v("title"), Severity: v("severity"), Outage: v("is_outage") != "",
		StartedAt: v("started_at"), EndedAt: v("ended_at"), Errors: map[string]string{},
		// Browsers send a textarea's line breaks as CRLF; stored and counted as one character
		// each, as the textarea's maxlength counts them.
		Description: strings.TrimRight(normaliseText(c.FormValue("description")), " \t\r\n")}
	// The checkbox sends "1" when ticked and nothing otherwise; any other value is not from
	// the form, and reading it as "ticked" would record an outage nobody chose.
	if o := v("is_outage"); o != "" && o != "1" && o != "on" {
		f.Errors["is_outage"] = "Tick the outage box or leave it empty."
	}
	// A version the database cannot hold is as unknown as a missing one: 0, which an edit
	// refuses as a conflict unless it changes nothing.
	if n, err := strconv.Atoi(v("version")); err == nil && n > 0 && n <= math.MaxInt32 {
		f.Version = n
	}
	return f
}

func formFromIncident(i queries.Incident) views.IncidentForm {
	f := views.IncidentForm{ID: i.ID, Action: "/incidents/" + strconv.FormatInt(i.ID, 10), Title: i.Title,
		Severity: i.Severity, Outage: i.IsOutage, StartedAt: i.StartedAt.In(calendar.SAST).Format(datetimeLocal),
		Description: i.Description, Version: i.Version, Errors: map[string]string{}}
	if i.EndedAt != nil {
		f.EndedAt = i.EndedAt.In(calendar.SAST).Format(datetimeLocal)
	}
	return f
}

// parseSASTMinute reads a datetime-local value ("2026-03-15T09:30", seconds allowed) as SAST.
// ok is false for anything else, and for a time outside calendar.EarliestDate..LatestDate:
// bounded times keep every incident's duration and the uptime computed from it meaningful.
func parseSASTMinute(s string) (time.Time, bool) {
	for _, layout := range []string{datetimeLocal, "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, calendar.SAST); err == nil {
			return t, calendar.CheckInWindow(t) == nil
		}
	}
	return time.Time{}, false
}

// validateIncident reads every field of f and returns the incident to save; f.Errors says
// what is wrong, field by field: a time that does not read here, the rules of an incident
// (incidents.Problems, which the service checks again) for the rest.
func validateIncident(f *views.IncidentForm, now time.Time) queries.Incident {
	i := queries.Incident{ID: f.ID, Title: f.Title, Severity: f.Severity, IsOutage: f.Outage, Description: f.Description}
	start, ok := parseSASTMinute(f.StartedAt)
	if !ok {
		f.Errors["started_at"] = incidents.MsgStart
	}
	i.StartedAt = start
	if f.EndedAt != "" {
		if end, ok := parseSASTMinute(f.EndedAt); ok {
			i.EndedAt = &end
		} else {
			f.Errors["ended_at"] = incidents.MsgEnd
		}
	}
	for field, msg := range incidents.Problems(i, now) {
		if _, known := f.Errors[field]; !known {
			f.Errors[field] = msg
		}
	}
	return i
}

// incidentService writes incidents; it holds nothing but the pool and the clock, so making it
// per request costs nothing.
func (h *Incidents) incidentService() *incidents.Service { return incidents.New(h.db, h.opts.Now) }

// Create serves POST /incidents: a valid incident is saved and audited together.
func (h *Incidents) Create(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	now := h.opts.Now()
	f := readIncidentForm(c)
	f.Action = "/incidents"
	i := validateIncident(&f, now)
	refuse := func() error {
		f.Open = true
		return h.renderPage(c, http.StatusBadRequest, func(p *views.IncidentsPage) { p.New, p.Message = f, fixFields })
	}
	if len(f.Errors) > 0 {
		return refuse()
	}
	id, err := h.incidentService().Record(c.Request().Context(), by, i)
	if input := (incidents.InputError{}); errors.As(err, &input) { // the form checks the same rules
		maps.Copy(f.Errors, input.Fields)
		return refuse()
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/incidents?saved=1#incident-"+strconv.FormatInt(id, 10))
}

// Edit serves POST /incidents/:id: the change and its before→after audit entry land together.
// A form loaded before someone else changed the incident (edited or ended it) is refused
// (409) with what saving it would change, its values kept, and nothing written.
func (h *Incidents) Edit(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	id, ok := incidentID(c)
	if !ok {
		_, err := incidentNotFoundPage(c, errIncidentNotFound{c.Param("id")})
		return err
	}
	ctx := c.Request().Context()
	if _, found, err := queries.IncidentByID(ctx, h.db, id); err != nil || !found {
		if err == nil {
			err = errIncidentNotFound{c.Param("id")}
		}
		_, err = incidentNotFoundPage(c, err)
		return err
	}
	now := h.opts.Now()
	f := readIncidentForm(c)
	f.ID, f.Action = id, "/incidents/"+strconv.FormatInt(id, 10)
	i := validateIncident(&f, now)
	if len(f.Errors) > 0 {
		return h.renderEditForm(c, http.StatusBadRequest, f, fixFields)
	}
	_, err = h.incidentService().Edit(ctx, by, i, f.Version)
	var conflict incidents.ConflictError
	var input incidents.InputError
	var missing incidents.NotFoundError
	switch {
	case errors.As(err, &conflict):
		f.Version = conflict.Current // a second, informed save may replace their values
		return h.renderEditForm(c, http.StatusConflict, f, fmt.Sprintf("Nothing was saved: this incident was changed by someone else after you opened the form "+
			"(you started from version %d; it is now at version %d). Your values are kept below; saving them again would change %s. "+
			"Check them, then save again to make them the incident's record.", conflict.Base, conflict.Current, incidents.Changes(conflict.Saved, i)))
	case errors.As(err, &input): // the form checks the same rules, so only a bug gets here
		maps.Copy(f.Errors, input.Fields)
		return h.renderEditForm(c, http.StatusBadRequest, f, fixFields)
	case errors.As(err, &missing):
		_, err := incidentNotFoundPage(c, errIncidentNotFound{c.Param("id")})
		return err
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/incidents?saved=1#incident-"+strconv.FormatInt(id, 10))
}

// renderEditForm shows the list with incident f.ID's edit form open, holding what was typed,
// and message at the top. An incident outside the listed period is added on top so its form
// can be seen.
func (h *Incidents) renderEditForm(c echo.Context, status int, f views.IncidentForm, message string) error {
	f.Open = true
	return h.renderPage(c, status, func(p *views.IncidentsPage) {
		p.Message = message
		for k := range p.Rows {
			if p.Rows[k].ID == f.ID {
				p.Rows[k].Edit = f
				return
			}
		}
		if i, ok, err := queries.IncidentByID(c.Request().Context(), h.db, f.ID); err == nil && ok {
			r := incidentRow(i, h.opts.Now())
			r.Edit = f
			p.Rows = append([]views.IncidentRow{r}, p.Rows...)
		}
	})
}

// End serves POST /incidents/:id/end: an ongoing incident ends now, or at the time given
// (after its start, not in the future).
func (h *Incidents) End(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	id, ok := incidentID(c)
	if !ok {
		_, err := incidentNotFoundPage(c, errIncidentNotFound{c.Param("id")})
		return err
	}
	ctx := c.Request().Context()
	typed := strings.TrimSpace(c.FormValue("ended_at"))
	var at *time.Time
	var problem string
	if typed != "" {
		if t, ok := parseSASTMinute(typed); ok {
			at = &t
		} else {
			problem = incidents.MsgEndNow
		}
	}
	if problem != "" { // what was typed is refused, after saying 404 for no incident
		if _, found, err := queries.IncidentByID(ctx, h.db, id); err != nil || !found {
			if err == nil {
				err = errIncidentNotFound{c.Param("id")}
			}
			_, err = incidentNotFoundPage(c, err)
			return err
		}
	} else {
		err = h.incidentService().End(ctx, by, id, at)
		var ended incidents.AlreadyEndedError
		var input incidents.InputError
		var missing incidents.NotFoundError
		switch {
		case errors.As(err, &ended):
			problem = ended.Error()
		case errors.As(err, &input):
			problem = input.Fields["ended_at"]
		case errors.As(err, &missing):
			_, err := incidentNotFoundPage(c, errIncidentNotFound{c.Param("id")})
			return err
		case err != nil:
			return err
		}
	}
	if problem != "" {
		return h.renderPage(c, http.StatusBadRequest, func(p *views.IncidentsPage) {
			p.Message = "The incident was not ended: " + problem
			for k := range p.Rows {
				if p.Rows[k].ID == id {
					p.Rows[k].EndForm.EndedAt, p.Rows[k].EndForm.Error = typed, problem
				}
			}
		})
	}
	return c.Redirect(http.StatusSeeOther, "/incidents?saved=1#incident-"+strconv.FormatInt(id, 10))
}

// incidentID reads :id, a positive whole number.
func incidentID(c echo.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	return id, err == nil && id > 0
}

func incidentTarget(id int64) string { return incidents.Target(id) }
