package reports

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mari/audit"
	"mari/auth"
	"mari/calendar"
	"mari/queries"
)

// The writes of investor reports: a draft started, its narrative saved, the report published
// with its figures frozen. Each is one transaction, in the caller's context, holding the
// change and its audit entry, so a request cut off by its deadline writes nothing. A published
// report never changes again: saving or publishing it is refused with a ConflictError however
// many requests arrive at once (the report's row is locked while its status is checked).

// MaxNarrativeChars bounds each narrative field (the table's CHECK says the same).
const MaxNarrativeChars = 5000

// EarliestMonth is the first month a report may be written for.
var EarliestMonth = calendar.EarliestDate.MonthStart()

// DB is what the service needs of PostgreSQL: statements, and transactions.
type DB = queries.DB

// Service writes investor reports to PostgreSQL.
type Service struct {
	DB          DB
	LaunchMonth calendar.Date    // zero: the month of the first sign-up
	Now         func() time.Time // the clock; nil means time.Now
}

// NewService returns a service over db.
func NewService(db DB, launch calendar.Date, now func() time.Time) *Service {
	return &Service{DB: db, LaunchMonth: launch, Now: now}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// NotFoundError is a report that does not exist.
type NotFoundError struct{ ID int64 }

func (e NotFoundError) Error() string { return fmt.Sprintf("There is no report %d.", e.ID) }

// ConflictError refuses a change the report's state no longer allows (it is published, its
// month has not ended, another draft was started at the same moment); Msg says why, for
// people.
type ConflictError struct{ Msg string }

func (e ConflictError) Error() string { return e.Msg }

// InputError is something typed that cannot be saved; Msg says what to fix.
type InputError struct{ Msg string }

func (e InputError) Error() string { return e.Msg }

// Messages of the refusals that depend on the report's state.
const (
	msgPublishedNoEdit  = "This report is published and can no longer be edited; start a corrected version instead."
	msgAlreadyPublished = "This report is already published."
	msgConcurrentDrafts = "Someone else started a draft of this month at the same moment; open it from the list of reports."
)

// CheckMonth says why no report can be written for month at now: before EarliestMonth, or a
// month that has not begun (SAST). nil when one can.
func CheckMonth(month calendar.Date, now time.Time) error {
	month = month.MonthStart()
	this := calendar.Today(now).MonthStart()
	switch {
	case month.Before(EarliestMonth):
		return InputError{fmt.Sprintf("%s is before %s; Mari has no data that old.", month.MonthKey(), EarliestMonth.MonthKey())}
	case month.After(this):
		return InputError{fmt.Sprintf("%s has not begun yet (this month is %s).", month.MonthKey(), this.MonthKey())}
	}
	return nil
}

// CheckNarrative says what is wrong with a narrative ("" when nothing is): each field valid
// text of at most MaxNarrativeChars characters.
func CheckNarrative(n queries.Narrative) string {
	for _, f := range []struct{ name, v string }{
		{"Milestones", n.Milestones}, {"Challenges", n.Challenges}, {"Next month's goals", n.NextMonthGoals},
	} {
		if !utf8.ValidString(f.v) {
			return fmt.Sprintf("%s contains text that is not valid UTF-8.", f.name)
		}
		if k := utf8.RuneCountInString(f.v); k > MaxNarrativeChars {
			return fmt.Sprintf("%s is %d characters long; the limit is %d. Nothing was saved.", f.name, k, MaxNarrativeChars)
		}
	}
	return ""
}

// Target is how the audit log names a report.
func Target(r queries.Report) string {
	return fmt.Sprintf("report %d (%s v%d)", r.ID, r.Month.MonthKey(), r.Version)
}

// Draft is the draft a StartDraft opened.
type Draft struct {
	ID      int64
	Version int
	Reused  bool // the month already had an open draft, which is returned; nothing was written
}

// StartDraft opens the draft of month: the month's open draft when it has one, else a new
// draft of its next version, starting from the narrative of its latest published version.
// Two starts at the same moment cannot make two drafts: the one that loses gets a
// ConflictError.
func (s *Service) StartDraft(ctx context.Context, by auth.Actor, month calendar.Date) (Draft, error) {
	now := s.now()
	if err := CheckMonth(month, now); err != nil {
		return Draft{}, err
	}
	month = month.MonthStart()
	var out Draft
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		versions, err := queries.ReportVersions(ctx, tx, month)
		if err != nil {
			return err
		}
		for _, v := range versions {
			if !v.Published() {
				out = Draft{ID: v.ID, Version: v.Version, Reused: true}
				return nil
			}
		}
		id, version, err := queries.InsertReportDraft(ctx, tx, month, tableActor(by), now)
		if err != nil {
			return err
		}
		out = Draft{ID: id, Version: version}
		detail := "new report"
		if version > 1 {
			detail = fmt.Sprintf("draft of version %d, starting from version %d", version, version-1)
		}
		return record(ctx, tx, now, by, audit.ReportDrafted, queries.Report{ID: id, Month: month, Version: version}, detail)
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return Draft{}, ConflictError{msgConcurrentDrafts}
	}
	if err != nil {
		return Draft{}, err
	}
	return out, nil
}

// SaveNarrative saves the narrative of draft id. A published report is refused with a
// ConflictError.
func (s *Service) SaveNarrative(ctx context.Context, by auth.Actor, id int64, n queries.Narrative) error {
	if msg := CheckNarrative(n); msg != "" {
		return InputError{msg}
	}
	now := s.now()
	return pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		r, ok, err := queries.ReportByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return NotFoundError{id}
		}
		if r.Published() {
			return ConflictError{msgPublishedNoEdit}
		}
		if _, err := queries.UpdateReportNarrative(ctx, tx, id, n, tableActor(by), now); err != nil {
			return err
		}
		detail := fmt.Sprintf("narrative saved (%d, %d and %d characters)", utf8.RuneCountInString(n.Milestones),
			utf8.RuneCountInString(n.Challenges), utf8.RuneCountInString(n.NextMonthGoals))
		return record(ctx, tx, now, by, audit.ReportDrafted, r, detail)
	})
}

// Publish computes draft id's figures once more, in the transaction that freezes them, and
// publishes it. A report already published, or whose month is not over or not fully rolled
// up, is refused with a ConflictError saying why.
func (s *Service) Publish(ctx context.Context, by auth.Actor, id int64) (Figures, error) {
	var out Figures
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		r, ok, err := queries.ReportByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return NotFoundError{id}
		}
		if r.Published() {
			return ConflictError{msgAlreadyPublished}
		}
		now := s.now()
		f, err := Compute(ctx, queries.Executive{PG: tx}, r.Month, s.LaunchMonth, now)
		if err != nil {
			return err
		}
		if msg := f.CanPublish(r.Month, now); msg != "" {
			return ConflictError{msg}
		}
		frozen, err := f.Marshal()
		if err != nil {
			return err
		}
		if _, err := queries.PublishReport(ctx, tx, id, frozen, tableActor(by), now); err != nil {
			return err
		}
		out = f
		detail := fmt.Sprintf("figures frozen: volume %s, revenue %s, transactions %d, total users %d",
			f.Current.CompletedVolume.StringFixed(2), f.Current.Revenue.StringFixed(2), f.Current.Transactions, f.Current.TotalUsers)
		return record(ctx, tx, now, by, audit.ReportPublished, r, detail)
	})
	if err != nil {
		return Figures{}, err
	}
	return out, nil
}

func tableActor(by auth.Actor) queries.Actor { return queries.Actor{ID: by.ID, Email: by.Email} }

// record writes the audit entry of a change inside the transaction that makes it.
func record(ctx context.Context, tx pgx.Tx, at time.Time, by auth.Actor, action string, r queries.Report, detail string) error {
	return audit.Record(ctx, tx, at, audit.Entry{ActorID: by.ID, ActorEmail: by.Email, Action: action,
		Target: Target(r), Detail: detail, IP: by.IP})
}
