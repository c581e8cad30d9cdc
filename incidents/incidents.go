// Package incidents records, edits and ends incidents: the outages and degradations the
// uptime figures are computed from. Each change is one transaction, in the caller's context,
// holding the change and its audit entry (every field, or every field before and after), so a
// request cut off by its deadline writes nothing.
//
// Edits are optimistic: each names the version of the incident its form was loaded at, and
// one that would change an incident changed by someone else since (edited, or ended) is
// refused with a ConflictError, however many arrive at once (the row is locked while its
// version is compared and bumped). An incident ends once: of several ends at once, one wins
// and the others get an AlreadyEndedError.
package incidents

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mari/audit"
	"mari/auth"
	"mari/calendar"
	"mari/problems"
	"mari/queries"
)

// Severities are an incident's possible severities, mildest first.
var Severities = []string{"minor", "major", "critical"}

// Limits of an incident's text.
const (
	MaxTitleChars       = 200
	MaxDescriptionChars = 5000
)

// earliest is the oldest time an incident may be given, as the forms show times.
var earliest = calendar.EarliestDate.Start().In(calendar.SAST).Format("2006-01-02 15:04")

// The messages of the fields, shared with the form that reads them from text.
var (
	MsgTitle       = "Enter a title of 1 to 200 characters."
	MsgSeverity    = "Choose minor, major or critical."
	MsgStart       = "Enter when the incident started, as a date and time (SAST) from " + earliest + " to now."
	MsgEnd         = "Enter when the incident ended as a date and time (SAST) from " + earliest + " to now, or leave it empty while it is ongoing."
	MsgEndNow      = "Enter when the incident ended as a date and time (SAST) from " + earliest + " to now, or leave it empty for now."
	MsgDescription = "The description can be at most 5000 characters."
	MsgText        = "The text contains characters that are not valid UTF-8."
)

// SASTMinute is an instant as the incident pages and the audit log show it.
func SASTMinute(t time.Time) string { return t.In(calendar.SAST).Format("2006-01-02 15:04") }

// Problems says what is wrong with incident i at now, keyed by the form's field names
// (title, severity, started_at, ended_at, description); empty when nothing is.
func Problems(i queries.Incident, now time.Time) map[string]string {
	out := map[string]string{}
	if n := utf8.RuneCountInString(i.Title); n < 1 || n > MaxTitleChars {
		out["title"] = MsgTitle
	}
	valid := false
	for _, s := range Severities {
		valid = valid || s == i.Severity
	}
	if !valid {
		out["severity"] = MsgSeverity
	}
	switch {
	case calendar.CheckInWindow(i.StartedAt) != nil:
		out["started_at"] = MsgStart
	case i.StartedAt.After(now):
		out["started_at"] = "An incident cannot start in the future (now is " + SASTMinute(now) + " SAST)."
	}
	if i.EndedAt != nil {
		switch end := *i.EndedAt; {
		case calendar.CheckInWindow(end) != nil:
			out["ended_at"] = MsgEnd
		case end.After(now):
			out["ended_at"] = "An incident cannot end in the future (now is " + SASTMinute(now) + " SAST); leave it empty while it is ongoing."
		case out["started_at"] == "" && !end.After(i.StartedAt):
			out["ended_at"] = fmt.Sprintf("The end (%s) must be after the start (%s).", SASTMinute(end), SASTMinute(i.StartedAt))
		}
	}
	if utf8.RuneCountInString(i.Description) > MaxDescriptionChars {
		out["description"] = MsgDescription
	}
	if !utf8.ValidString(i.Title) || !utf8.ValidString(i.Description) || strings.ContainsRune(i.Title+i.Description, 0) {
		out["description"] = MsgText
	}
	return out
}

// fields are the audited fields of an incident, as text.
func fields(i queries.Incident) []audit.Field {
	end := "ongoing"
	if i.EndedAt != nil {
		end = SASTMinute(*i.EndedAt) + " SAST"
	}
	return []audit.Field{
		{"title", strconv.Quote(i.Title)}, {"severity", i.Severity}, {"outage", strconv.FormatBool(i.IsOutage)},
		{"started_at", SASTMinute(i.StartedAt) + " SAST"}, {"ended_at", end},
		{"description", strconv.Quote(i.Description)},
	}
}

// Summary is every audited field of i: "title=…; severity=…; …".
func Summary(i queries.Incident) string { return audit.Summary(fields(i)) }

// Changes is "field: before → after" for every field that differs; "" for none.
func Changes(before, after queries.Incident) string {
	return audit.Changes(fields(before), fields(after))
}

// Target is how the audit log names an incident.
func Target(id int64) string { return "incident " + strconv.FormatInt(id, 10) }

// InputError refuses an incident with something wrong in it: Fields says what, by form field.
type InputError struct{ Fields map[string]string }

func (e InputError) Error() string { return problems.Join(e.Fields) }

// NotFoundError is an incident that does not exist.
type NotFoundError struct{ ID int64 }

func (e NotFoundError) Error() string { return fmt.Sprintf("no incident %d", e.ID) }

// ConflictError refuses an edit that started from version Base of an incident now at version
// Current, and that differs from what is saved now (Saved).
type ConflictError struct {
	Base, Current int
	Saved         queries.Incident
}

func (e ConflictError) Error() string {
	return fmt.Sprintf("the incident changed since version %d (it is at version %d)", e.Base, e.Current)
}

// AlreadyEndedError refuses to end an incident that has ended.
type AlreadyEndedError struct{ At time.Time }

func (e AlreadyEndedError) Error() string {
	return "This incident already ended at " + SASTMinute(e.At) + " SAST; edit it to change the end."
}

// DB is what the service needs of PostgreSQL: statements, and transactions.
type DB = queries.DB

// Service writes incidents to PostgreSQL.
type Service struct {
	DB  DB
	Now func() time.Time // the clock; nil means time.Now
}

// New returns a service over db with the clock now (nil: time.Now).
func New(db DB, now func() time.Time) *Service { return &Service{DB: db, Now: now} }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Record stores a new incident (at version 1) with its audit entry and returns its id.
func (s *Service) Record(ctx context.Context, by auth.Actor, i queries.Incident) (int64, error) {
	now := s.now()
	if bad := Problems(i, now); len(bad) > 0 {
		return 0, InputError{bad}
	}
	var id int64
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		var err error
		if id, err = queries.InsertIncident(ctx, tx, i, now); err != nil {
			return err
		}
		i.ID = id
		return record(ctx, tx, now, by, audit.IncidentRecorded, id, Summary(i))
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// Edited is the outcome of an edit.
type Edited struct {
	Version   int  // the incident's version after the edit
	Unchanged bool // the values were the saved ones: nothing was written
}

// Edit saves every field of incident i.ID, if it is still at version base. Values equal to
// the saved ones change nothing and write nothing, whatever version they came from: they
// cannot undo anybody's change.
func (s *Service) Edit(ctx context.Context, by auth.Actor, i queries.Incident, base int) (Edited, error) {
	now := s.now()
	if bad := Problems(i, now); len(bad) > 0 {
		return Edited{}, InputError{bad}
	}
	var out Edited
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		before, found, err := queries.IncidentForUpdate(ctx, tx, i.ID)
		if err != nil {
			return err
		}
		if !found {
			return NotFoundError{i.ID}
		}
		changes := Changes(before, i)
		if changes == "" {
			out = Edited{Version: before.Version, Unchanged: true}
			return nil
		}
		if before.Version != base {
			return ConflictError{Base: base, Current: before.Version, Saved: before}
		}
		v, err := queries.UpdateIncident(ctx, tx, i)
		if err != nil {
			return err
		}
		out = Edited{Version: v}
		return record(ctx, tx, now, by, audit.IncidentChanged, i.ID, changes)
	})
	if err != nil {
		return Edited{}, err
	}
	return out, nil
}

// End ends ongoing incident id at `at`, or now (to the second) when at is nil: after its
// start, not in the future. An incident that has ended gets an AlreadyEndedError; a time
// that cannot be its end, an InputError on ended_at.
func (s *Service) End(ctx context.Context, by auth.Actor, id int64, at *time.Time) error {
	now := s.now()
	end := now.Truncate(time.Second)
	if at != nil {
		if calendar.CheckInWindow(*at) != nil {
			return InputError{map[string]string{"ended_at": MsgEndNow}}
		}
		end = *at
	}
	return pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		i, found, err := queries.IncidentForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !found {
			return NotFoundError{id}
		}
		switch {
		case i.EndedAt != nil:
			return AlreadyEndedError{*i.EndedAt}
		case end.After(now):
			return InputError{map[string]string{"ended_at": "An incident cannot end in the future (now is " + SASTMinute(now) + " SAST)."}}
		case !end.After(i.StartedAt):
			return InputError{map[string]string{"ended_at": fmt.Sprintf("The end (%s) must be after the start (%s).", SASTMinute(end), SASTMinute(i.StartedAt))}}
		}
		after := i
		after.EndedAt = &end
		if _, err := queries.UpdateIncident(ctx, tx, after); err != nil {
			return err
		}
		return record(ctx, tx, now, by, audit.IncidentChanged, id, "ended: "+Changes(i, after))
	})
}

func record(ctx context.Context, tx pgx.Tx, at time.Time, by auth.Actor, action string, id int64, detail string) error {
	return audit.Record(ctx, tx, at, audit.Entry{ActorID: by.ID, ActorEmail: by.Email, Action: action,
		Target: Target(id), Detail: detail, IP: by.IP})
}
