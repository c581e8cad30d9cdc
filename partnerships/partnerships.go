// Package partnerships creates and edits bank partnerships: the contract terms Mari's
// revenue is computed from (licensing fee, the bank's share of the transaction fee, the SLA).
// Each change is one transaction, in the caller's context, holding the change and its audit
// entry (every field before and after), so a request cut off by its deadline writes nothing.
//
// Edits are optimistic: each names the version of the partnership its form was loaded at, and
// one that would change a partnership saved by someone else since is refused with a
// ConflictError, however many arrive at once (the row is locked while its version is compared
// and bumped).
package partnerships

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"mari/audit"
	"mari/auth"
	"mari/calendar"
	"mari/problems"
	"mari/queries"
)

// Rules of a partnership's fields.
var (
	CodePattern   = regexp.MustCompile(`^[A-Z0-9_]{2,20}$`)
	Statuses      = []string{"pilot", "active", "inactive"}
	MaxMonthlyFee = decimal.RequireFromString("10000000.00")
	hundred       = decimal.NewFromInt(100)
)

// Limits of a partnership's fields.
const (
	MaxNameChars        = 100
	MinSLA, MaxSLA      = 100, 120000 // milliseconds
	MaxAPIEndpointBytes = 255
)

// The messages of the fields, shared with the form that reads them from text.
const (
	MsgCode        = "The bank code is 2 to 20 characters: capital letters A–Z, digits and _."
	MsgName        = "Enter the bank's name, at most 100 characters."
	MsgNameText    = "The bank's name has a character that cannot be stored (invalid text or NUL); type it again."
	MsgStatus      = "Choose pilot, active or inactive."
	MsgMonthlyFee  = "Enter the monthly fee in rand, 0 to 10 000 000.00, with at most 2 decimals (such as 45000.00)."
	MsgShare       = "Enter the bank's share as a percentage from 0 to 100, with at most 2 decimals (such as 30)."
	MsgSLA         = "Enter the SLA as whole milliseconds from 100 to 120 000."
	MsgAPIEndpoint = "Enter an https:// address of at most 255 characters, or leave it empty."
)

// MsgStartWindow and MsgEndWindow refuse a contract date outside the dates the app handles.
var (
	MsgStartWindow = fmt.Sprintf("Enter a start date from %s to %s.", calendar.EarliestDate, calendar.LatestDate)
	MsgEndWindow   = fmt.Sprintf("Enter an end date from %s to %s, or leave it empty for an open-ended contract.", calendar.EarliestDate, calendar.LatestDate)
)

func inWindow(d calendar.Date) bool {
	return !d.Before(calendar.EarliestDate) && !d.After(calendar.LatestDate)
}

// Problems says what is wrong with p, keyed by the form's field names (bank_code, bank_name,
// status, contract_start, contract_end, monthly_fee, bank_share_percent, sla_p95_ms,
// api_endpoint); empty when nothing is. The code is only checked when checkCode is set: an
// edit never changes it.
func Problems(p queries.Partnership, checkCode bool) map[string]string {
	out := map[string]string{}
	if checkCode && !CodePattern.MatchString(p.Code) {
		out["bank_code"] = MsgCode
	}
	switch n := utf8.RuneCountInString(p.Name); {
	case !utf8.ValidString(p.Name) || strings.ContainsRune(p.Name, 0):
		out["bank_name"] = MsgNameText
	case n < 1 || n > MaxNameChars:
		out["bank_name"] = MsgName
	}
	valid := false
	for _, s := range Statuses {
		valid = valid || s == p.Status
	}
	if !valid {
		out["status"] = MsgStatus
	}
	startOK := inWindow(p.ContractStart)
	if !startOK {
		out["contract_start"] = MsgStartWindow
	}
	if p.ContractEnd != nil {
		switch end := *p.ContractEnd; {
		case !inWindow(end):
			out["contract_end"] = MsgEndWindow
		case startOK && end.Before(p.ContractStart):
			out["contract_end"] = fmt.Sprintf("The contract cannot end (%s) before it starts (%s).", end, p.ContractStart)
		}
	}
	if fee := p.MonthlyFee; fee.IsNegative() || fee.GreaterThan(MaxMonthlyFee) || !fee.Equal(fee.Round(2)) {
		out["monthly_fee"] = MsgMonthlyFee
	}
	if pct := p.BankShare.Mul(hundred); pct.IsNegative() || pct.GreaterThan(hundred) || !pct.Equal(pct.Round(2)) {
		out["bank_share_percent"] = MsgShare
	}
	if p.SLAP95ms < MinSLA || p.SLAP95ms > MaxSLA {
		out["sla_p95_ms"] = MsgSLA
	}
	if e := p.APIEndpoint; e != "" {
		u, err := url.Parse(e)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(e) > MaxAPIEndpointBytes ||
			strings.ContainsAny(e, " \t\r\n") || !utf8.ValidString(e) {
			out["api_endpoint"] = MsgAPIEndpoint
		}
	}
	return out
}

// fields are the audited fields of a partnership, as text. No secrets: the API key hash is
// not among them.
func fields(p queries.Partnership) []audit.Field {
	end := "open-ended"
	if p.ContractEnd != nil {
		end = p.ContractEnd.String()
	}
	api := "none"
	if p.APIEndpoint != "" {
		api = p.APIEndpoint
	}
	return []audit.Field{
		{"name", strconv.Quote(p.Name)}, {"status", p.Status}, {"contract_start", p.ContractStart.String()},
		{"contract_end", end}, {"monthly_fee", p.MonthlyFee.StringFixed(2)},
		{"bank_share", p.BankShare.Mul(hundred).StringFixed(2) + "%"}, {"sla_p95_ms", strconv.FormatInt(p.SLAP95ms, 10)},
		{"api_endpoint", api},
	}
}

// Summary is every audited field of p: "name=…; status=…; …".
func Summary(p queries.Partnership) string { return audit.Summary(fields(p)) }

// Changes is "field: before → after" for every field that differs; "" for none.
func Changes(before, after queries.Partnership) string {
	return audit.Changes(fields(before), fields(after))
}

// Target is how the audit log names a partnership.
func Target(code string) string { return "bank " + code }

// InputError refuses a partnership with something wrong in it: Fields says what, by form
// field.
type InputError struct{ Fields map[string]string }

func (e InputError) Error() string { return problems.Join(e.Fields) }

// CodeTakenError refuses a new partnership whose code another one has.
type CodeTakenError struct{ Code string }

func (e CodeTakenError) Error() string {
	return fmt.Sprintf("A partnership with the code %s already exists; choose another code or edit that one.", e.Code)
}

// NotFoundError is a partnership that does not exist.
type NotFoundError struct{ Code string }

func (e NotFoundError) Error() string { return "no partnership " + e.Code }

// ConflictError refuses an edit that started from version Base of a partnership now at
// version Current, and that differs from what is saved now (Saved).
type ConflictError struct {
	Base, Current int
	Saved         queries.Partnership
}

func (e ConflictError) Error() string {
	return fmt.Sprintf("the partnership changed since version %d (it is at version %d)", e.Base, e.Current)
}

// DB is what the service needs of PostgreSQL: statements, and transactions.
type DB = queries.DB

// Service writes partnerships to PostgreSQL.
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

// Create stores a new partnership (at version 1) with its audit entry.
func (s *Service) Create(ctx context.Context, by auth.Actor, p queries.Partnership) error {
	if bad := Problems(p, true); len(bad) > 0 {
		return InputError{bad}
	}
	now := s.now()
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		if err := queries.InsertPartnership(ctx, tx, p, now); err != nil {
			return err
		}
		return record(ctx, tx, now, by, audit.PartnershipCreated, p.Code, Summary(p))
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return CodeTakenError{p.Code}
	}
	return err
}

// Edited is the outcome of an edit.
type Edited struct {
	Version   int  // the partnership's version after the edit
	Unchanged bool // the values were the saved ones: nothing was written
}

// Edit saves p's details over the partnership with p.Code, if it is still at version base.
// Values equal to the saved ones change nothing and write nothing, whatever version they
// came from: they cannot undo anybody's change.
func (s *Service) Edit(ctx context.Context, by auth.Actor, p queries.Partnership, base int) (Edited, error) {
	if bad := Problems(p, false); len(bad) > 0 {
		return Edited{}, InputError{bad}
	}
	now := s.now()
	var out Edited
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		before, ok, err := queries.PartnershipForUpdate(ctx, tx, p.Code)
		if err != nil {
			return err
		}
		if !ok {
			return NotFoundError{p.Code}
		}
		changes := Changes(before, p)
		if changes == "" {
			out = Edited{Version: before.Version, Unchanged: true}
			return nil
		}
		if before.Version != base {
			return ConflictError{Base: base, Current: before.Version, Saved: before}
		}
		v, err := queries.UpdatePartnership(ctx, tx, p, now)
		if err != nil {
			return err
		}
		out = Edited{Version: v}
		return record(ctx, tx, now, by, audit.PartnershipChanged, p.Code, changes)
	})
	if err != nil {
		return Edited{}, err
	}
	return out, nil
}

func record(ctx context.Context, tx pgx.Tx, at time.Time, by auth.Actor, action, code, detail string) error {
	return audit.Record(ctx, tx, at, audit.Entry{ActorID: by.ID, ActorEmail: by.Email, Action: action,
		Target: Target(code), Detail: detail, IP: by.IP})
}
