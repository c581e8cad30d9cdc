// Package scenarios saves the financial model's scenarios: a new scenario (a clone, an import
// or a re-forecast), a new version of a scenario's assumptions, and an old version restored
// as the newest. Each change is one transaction, in the caller's context, holding the change,
// its history entry and its audit entry: a request cut off by its deadline writes nothing.
//
// Saves are optimistic: each names the version it started from, and one whose version is no
// longer the scenario's current one is refused with a ConflictError, however many arrive at
// once (the scenario's row is locked while the version is compared and bumped).
package scenarios

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mari/audit"
	"mari/auth"
	"mari/finmodel"
	"mari/queries"
)

// Limits of what is stored (the model_scenarios table checks the same).
const (
	MaxNameChars        = 100
	MaxDescriptionChars = 2000
	MaxBasedOnChars     = 300
	MaxSummaryChars     = 4000
)

// SeedName is the built-in plan's name, which no stored scenario may take.
const SeedName = "Seed plan"

// DB is what the service needs of PostgreSQL: statements, and transactions.
type DB = queries.DB

// Service writes scenarios to PostgreSQL.
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

// NotFoundError is a scenario that does not exist or, when Version is set, a version it never
// had.
type NotFoundError struct {
	ID      int64
	Version int
}

func (e NotFoundError) Error() string {
	if e.Version > 0 {
		return fmt.Sprintf("scenario %d has no version %d", e.ID, e.Version)
	}
	return fmt.Sprintf("there is no scenario %d", e.ID)
}

// ConflictError refuses a save or a restore that started from version Base of a scenario that
// is now at version Current. Since lists the versions saved after Base, oldest first: who
// saved them, when and what they changed (none when Base is not a version the scenario has).
type ConflictError struct {
	Base, Current int
	Since         []queries.ScenarioVersion
}

func (ConflictError) Error() string { return "the scenario changed since it was opened" }

// InputError is something typed that cannot be saved. Field is the form field it belongs to
// ("name", "description", "based_on", "summary" or "assumptions"); Msg says what to fix.
type InputError struct{ Field, Msg string }

func (e InputError) Error() string { return e.Msg }

// NameTakenError refuses a name another scenario has (names are compared without regard to
// case). It wraps the database's refusal.
type NameTakenError struct {
	Name string
	Err  error
}

func (e NameTakenError) Error() string { return NameTakenMessage(e.Name) }
func (e NameTakenError) Unwrap() error { return e.Err }

// NameTakenMessage tells the person to choose another name.
func NameTakenMessage(name string) string {
	return fmt.Sprintf("A scenario called “%s” already exists (names are compared without regard to case); choose another name.", name)
}

// StorableText reports whether s is valid UTF-8 without control characters other than tab and
// line breaks. PostgreSQL refuses invalid UTF-8 and NUL, so text carrying them is refused as
// input here rather than failing later as a database error.
func StorableText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// CheckName says what is wrong with a scenario name ("" when nothing is): 1 to 100
// characters of storable text, and not the seed plan's name.
func CheckName(name string) string {
	switch n := utf8.RuneCountInString(name); {
	case !StorableText(name):
		return "The name has a character that cannot be stored (a control character or invalid text); type it again."
	case strings.TrimSpace(name) == "":
		return "Enter a name for the scenario."
	case n > MaxNameChars:
		return fmt.Sprintf("The name is %d characters; use at most 100.", n)
	case strings.EqualFold(strings.TrimSpace(name), SeedName):
		return "“Seed plan” is the built-in plan's name; choose another."
	}
	return ""
}

// CheckDescription says what is wrong with a description ("" when nothing is).
func CheckDescription(d string) string {
	if !StorableText(d) {
		return "The description has a character that cannot be stored (a control character or invalid text); type it again."
	}
	if n := utf8.RuneCountInString(d); n > MaxDescriptionChars {
		return fmt.Sprintf("The description is %d characters; use at most 2 000.", n)
	}
	return ""
}

// checkAssumptions refuses a plan finmodel would not accept from the editor.
func checkAssumptions(a finmodel.Assumptions) error {
	if errs := finmodel.Validate(a); len(errs) > 0 {
		e := errs[0]
		where := ""
		if e.Year > 0 {
			dr, _ := finmodel.DriverByKey(e.Key)
			where = fmt.Sprintf("Year %d %s: ", e.Year, strings.ToLower(dr.Label))
		}
		msg := where + e.Message + "."
		return InputError{Field: "assumptions", Msg: strings.ToUpper(msg[:1]) + msg[1:]}
	}
	return nil
}

func checkScenario(name, description string, a finmodel.Assumptions) error {
	if msg := CheckName(name); msg != "" {
		return InputError{Field: "name", Msg: msg}
	}
	if msg := CheckDescription(description); msg != "" {
		return InputError{Field: "description", Msg: msg}
	}
	return checkAssumptions(a)
}

func checkLine(field, text string, limit int) error {
	if !StorableText(text) || utf8.RuneCountInString(text) > limit {
		return InputError{Field: field, Msg: fmt.Sprintf("The %s must be text of at most %d characters.", strings.ReplaceAll(field, "_", " "), limit)}
	}
	return nil
}

// ChangeSummary says what a save changes: renames, description, and every assumption
// ("Year 3 active users 1 750 000 → 2 000 000"); "" when nothing changes.
func ChangeSummary(oldName, oldDesc string, before finmodel.Assumptions, name, desc string, after finmodel.Assumptions) string {
	var parts []string
	if oldName != name {
		parts = append(parts, fmt.Sprintf("renamed “%s” → “%s”", oldName, name))
	}
	if oldDesc != desc {
		parts = append(parts, "description changed")
	}
	if ch := finmodel.Changes(before, after); len(ch) > 0 {
		parts = append(parts, finmodel.Summary(ch, 20))
	}
	return strings.Join(parts, "; ")
}

// Draft is a scenario to create.
type Draft struct {
	Name, Description string
	BasedOn           string // where it came from, shown under its name
	Assumptions       finmodel.Assumptions
	// Summary is its first history entry, such as "cloned from Base case (scenario 3,
	// version 7)"; AuditDetail is its audit entry's detail ("" means the same text).
	Summary, AuditDetail string
}

// Create stores a new scenario at version 1 with its first history entry and its audit entry.
func (s *Service) Create(ctx context.Context, by auth.Actor, d Draft) (int64, error) {
	if err := checkScenario(d.Name, d.Description, d.Assumptions); err != nil {
		return 0, err
	}
	if err := checkLine("based_on", d.BasedOn, MaxBasedOnChars); err != nil {
		return 0, err
	}
	if err := checkLine("summary", d.Summary, MaxSummaryChars); err != nil {
		return 0, err
	}
	detail := d.AuditDetail
	if detail == "" {
		detail = d.Summary
	}
	now := s.now()
	var id int64
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		var err error
		row := queries.Scenario{Name: d.Name, Description: d.Description, BasedOn: d.BasedOn, Assumptions: d.Assumptions}
		if id, err = queries.InsertScenario(ctx, tx, row, d.Summary, tableActor(by), now); err != nil {
			return err
		}
		return record(ctx, tx, now, by, audit.ScenarioCreated, id, d.Name, detail)
	})
	if err != nil {
		return 0, nameTaken(err, d.Name)
	}
	return id, nil
}

// Edit is a save of the editor: the typed plan, and the version the editor loaded.
type Edit struct {
	BaseVersion       int
	Name, Description string
	Assumptions       finmodel.Assumptions
}

// Saved is the outcome of a save.
type Saved struct {
	Version   int  // the scenario's version after the save
	Unchanged bool // the plan was the current one: nothing was written
}

// Save makes e the scenario's next version if the scenario is still at e.BaseVersion
// (ConflictError otherwise, checked before anything else so a stale form never passes for
// "unchanged"). A save that changes nothing writes nothing.
func (s *Service) Save(ctx context.Context, by auth.Actor, id int64, e Edit) (Saved, error) {
	if err := checkScenario(e.Name, e.Description, e.Assumptions); err != nil {
		return Saved{}, err
	}
	now := s.now()
	var out Saved
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		cur, ok, err := queries.ScenarioByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return NotFoundError{ID: id}
		}
		if cur.Version != e.BaseVersion {
			return conflict(ctx, tx, id, e.BaseVersion, cur.Version)
		}
		summary := ChangeSummary(cur.Name, cur.Description, cur.Assumptions, e.Name, e.Description, e.Assumptions)
		if summary == "" {
			out = Saved{Version: cur.Version, Unchanged: true}
			return nil
		}
		next := queries.Scenario{ID: cur.ID, Name: e.Name, Description: e.Description, Assumptions: e.Assumptions}
		v, ok, err := queries.UpdateScenario(ctx, tx, next, e.BaseVersion, summary, tableActor(by), now)
		if err != nil {
			return err
		}
		if !ok { // the row lock makes this unreachable; kept so a change in locking cannot overwrite
			return conflict(ctx, tx, id, e.BaseVersion, cur.Version)
		}
		out = Saved{Version: v}
		return record(ctx, tx, now, by, audit.ScenarioSaved, cur.ID, e.Name, fmt.Sprintf("version %d: %s", v, summary))
	})
	if err != nil {
		return Saved{}, nameTaken(err, e.Name)
	}
	return out, nil
}

// Restore saves version `version` of scenario id (its assumptions, name and description) as
// the newest version, if the scenario is still at base: like a save it names the version the
// person was looking at, so it cannot silently undo a save made meanwhile. It returns the
// new version.
func (s *Service) Restore(ctx context.Context, by auth.Actor, id int64, version, base int) (int, error) {
	now := s.now()
	var out int
	var name string
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		cur, ok, err := queries.ScenarioByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return NotFoundError{ID: id}
		}
		if cur.Version != base {
			return conflict(ctx, tx, id, base, cur.Version)
		}
		target, ok, err := queries.ScenarioVersionOf(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if !ok {
			return NotFoundError{ID: id, Version: version}
		}
		name = target.Name
		change := ChangeSummary(cur.Name, cur.Description, cur.Assumptions, target.Name, target.Description, target.Assumptions)
		if change == "" {
			change = "no changes to the assumptions"
		}
		summary := fmt.Sprintf("restored version %d: %s", version, change)
		next := queries.Scenario{ID: cur.ID, Name: target.Name, Description: target.Description, Assumptions: target.Assumptions}
		v, ok, err := queries.UpdateScenario(ctx, tx, next, base, summary, tableActor(by), now)
		if err != nil {
			return err
		}
		if !ok {
			return conflict(ctx, tx, id, base, cur.Version)
		}
		out = v
		return record(ctx, tx, now, by, audit.ScenarioRestored, cur.ID, target.Name, fmt.Sprintf("version %d: %s", v, summary))
	})
	if err != nil {
		return 0, nameTaken(err, name)
	}
	return out, nil
}

// conflict builds the refusal of a change based on version base when the scenario is at
// current, with the versions saved since, read in the same transaction.
func conflict(ctx context.Context, tx pgx.Tx, id int64, base, current int) error {
	since, err := queries.ScenarioVersionsAfter(ctx, tx, id, base)
	if err != nil {
		return err
	}
	return ConflictError{Base: base, Current: current, Since: since}
}

func nameTaken(err error, name string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return NameTakenError{Name: name, Err: err}
	}
	return err
}

// Target is how the audit log names a scenario.
func Target(id int64, name string) string { return fmt.Sprintf("scenario %d (%s)", id, name) }

func tableActor(by auth.Actor) queries.Actor { return queries.Actor{ID: by.ID, Email: by.Email} }

// record writes the audit entry of a change inside the transaction that makes it.
func record(ctx context.Context, tx pgx.Tx, at time.Time, by auth.Actor, action string, id int64, name, detail string) error {
	return audit.Record(ctx, tx, at, audit.Entry{ActorID: by.ID, ActorEmail: by.Email, Action: action,
		Target: Target(id, name), Detail: detail, IP: by.IP})
}
