package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"mari/audit"
	"mari/calendar"
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
	return f
}

func formFromIncident(i queries.Incident) views.IncidentForm {
	f := views.IncidentForm{ID: i.ID, Action: "/incidents/" + strconv.FormatInt(i.ID, 10), Title: i.Title,
		Severity: i.Severity, Outage: i.IsOutage, StartedAt: i.StartedAt.In(calendar.SAST).Format(datetimeLocal),
		Description: i.Description, Errors: map[string]string{}}
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

// earliestIncident is the oldest time an incident may be given, as the form shows times.
var earliestIncident = calendar.EarliestDate.Start().Format("2006-01-02 15:04")

// validateIncident checks every field of f against the clock and returns the incident to
// save; f.Errors says what is wrong, field by field.
func validateIncident(f *views.IncidentForm, now time.Time) queries.Incident {
	i := queries.Incident{ID: f.ID, Title: f.Title, Severity: f.Severity, IsOutage: f.Outage, Description: f.Description}
	if n := utf8.RuneCountInString(f.Title); n < 1 || n > 200 {
		f.Errors["title"] = "Enter a title of 1 to 200 characters."
	}
	valid := false
	for _, s := range incidentSeverities {
		valid = valid || s == f.Severity
	}
	if !valid {
		f.Errors["severity"] = "Choose minor, major or critical."
	}
	start, ok := parseSASTMinute(f.StartedAt)
	switch {
	case !ok:
		f.Errors["started_at"] = "Enter when the incident started, as a date and time (SAST) from " + earliestIncident + " to now."
	case start.After(now):
		f.Errors["started_at"] = "An incident cannot start in the future (now is " + sastMinute(now) + " SAST)."
	}
	i.StartedAt = start
	if f.EndedAt != "" {
		end, ok := parseSASTMinute(f.EndedAt)
		switch {
		case !ok:
			f.Errors["ended_at"] = "Enter when the incident ended as a date and time (SAST) from " + earliestIncident + " to now, or leave it empty while it is ongoing."
		case end.After(now):
			f.Errors["ended_at"] = "An incident cannot end in the future (now is " + sastMinute(now) + " SAST); leave it empty while it is ongoing."
		case f.Errors["started_at"] == "" && !end.After(start):
			f.Errors["ended_at"] = fmt.Sprintf("The end (%s) must be after the start (%s).", sastMinute(end), sastMinute(start))
		default:
			i.EndedAt = &end
		}
	}
	if utf8.RuneCountInString(f.Description) > 5000 {
		f.Errors["description"] = "The description can be at most 5000 characters."
	}
	if !utf8.ValidString(f.Title) || !utf8.ValidString(f.Description) {
		f.Errors["description"] = "The text contains characters that are not valid UTF-8."
	}
	return i
}

// Create serves POST /incidents: a valid incident is saved and audited together.
func (h *Incidents) Create(c echo.Context) error {
	_, by, err := staff(c)
	if err != nil {
		return err
	}
	now := h.opts.Now()
	f := readIncidentForm(c)
	f.Action = "/incidents"
	i := validateIncident(&f, now)
	if len(f.Errors) > 0 {
		f.Open = true
		return h.renderPage(c, http.StatusBadRequest, func(p *views.IncidentsPage) { p.New, p.Message = f, fixFields })
	}
	ctx := c.Request().Context()
	var id int64
	err = pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		if id, err = queries.InsertIncident(ctx, tx, i, now); err != nil {
			return err
		}
		i.ID = id
		return audit.Record(ctx, tx, now, auditEntry(c, by, audit.IncidentRecorded, incidentTarget(id), incidentSummaryText(i)))
	})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/incidents?saved=1#incident-"+strconv.FormatInt(id, 10))
}

// Edit serves POST /incidents/:id: the change and its before→after audit entry land together.
func (h *Incidents) Edit(c echo.Context) error {
	_, by, err := staff(c)
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
		return h.renderEditError(c, f)
	}
	err = pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		before, found, err := queries.IncidentForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !found {
			return errIncidentNotFound{c.Param("id")}
		}
		changes := incidentChanges(before, i)
		if changes == "" {
			return nil
		}
		if err := queries.UpdateIncident(ctx, tx, i); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, auditEntry(c, by, audit.IncidentChanged, incidentTarget(id), changes))
	})
	if done, err := incidentNotFoundPage(c, err); done || err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/incidents?saved=1#incident-"+strconv.FormatInt(id, 10))
}

// renderEditError shows the list with incident f.ID's edit form open, holding what was typed.
// An incident outside the listed period is added on top so its form can be seen.
func (h *Incidents) renderEditError(c echo.Context, f views.IncidentForm) error {
	f.Open = true
	return h.renderPage(c, http.StatusBadRequest, func(p *views.IncidentsPage) {
		p.Message = fixFields
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
	_, by, err := staff(c)
	if err != nil {
		return err
	}
	id, ok := incidentID(c)
	if !ok {
		_, err := incidentNotFoundPage(c, errIncidentNotFound{c.Param("id")})
		return err
	}
	ctx := c.Request().Context()
	now := h.opts.Now()
	typed := strings.TrimSpace(c.FormValue("ended_at"))
	var problem string
	end := now.Truncate(time.Second)
	if typed != "" {
		t, ok := parseSASTMinute(typed)
		if !ok {
			problem = "Enter when the incident ended as a date and time (SAST) from " + earliestIncident + " to now, or leave it empty for now."
		}
		end = t
	}
	err = pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		i, found, err := queries.IncidentForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !found {
			return errIncidentNotFound{c.Param("id")}
		}
		switch {
		case problem != "":
			return nil // what was typed is refused; the lookup above still answers 404 for no incident
		case i.EndedAt != nil:
			problem = "This incident already ended at " + sastMinute(*i.EndedAt) + " SAST; edit it to change the end."
		case end.After(now):
			problem = "An incident cannot end in the future (now is " + sastMinute(now) + " SAST)."
		case !end.After(i.StartedAt):
			problem = fmt.Sprintf("The end (%s) must be after the start (%s).", sastMinute(end), sastMinute(i.StartedAt))
		}
		if problem != "" {
			return nil
		}
		after := i
		after.EndedAt = &end
		if err := queries.UpdateIncident(ctx, tx, after); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, auditEntry(c, by, audit.IncidentChanged, incidentTarget(id),
			"ended: "+incidentChanges(i, after)))
	})
	if done, err := incidentNotFoundPage(c, err); done || err != nil {
		return err
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

func incidentTarget(id int64) string { return "incident " + strconv.FormatInt(id, 10) }

// incidentFields are the audited fields of an incident, as text.
func incidentFields(i queries.Incident) [][2]string {
	end := "ongoing"
	if i.EndedAt != nil {
		end = sastMinute(*i.EndedAt) + " SAST"
	}
	return [][2]string{
		{"title", strconv.Quote(i.Title)}, {"severity", i.Severity}, {"outage", strconv.FormatBool(i.IsOutage)},
		{"started_at", sastMinute(i.StartedAt) + " SAST"}, {"ended_at", end},
		{"description", strconv.Quote(i.Description)},
	}
}

func incidentSummaryText(i queries.Incident) string {
	var parts []string
	for _, kv := range incidentFields(i) {
		parts = append(parts, kv[0]+"="+kv[1])
	}
	return strings.Join(parts, "; ")
}

// incidentChanges is "field: before → after" for every field that changed; "" for none.
func incidentChanges(before, after queries.Incident) string {
	b, a := incidentFields(before), incidentFields(after)
	var parts []string
	for k := range b {
		if b[k][1] != a[k][1] {
			parts = append(parts, b[k][0]+": "+b[k][1]+" → "+a[k][1])
		}
	}
	return strings.Join(parts, "; ")
}
