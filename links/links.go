// Package links makes and revokes the app's read-only links: links to published investor
// reports, one named recipient each and an expiry, and display links through which a wall
// screen shows the operations dashboard. A token is 32 random bytes (base64url), returned once
// when the link is made; only its SHA-256 is stored.
//
// Each change is one transaction, in the caller's context, holding the change and its audit
// entry, so a request cut off by its deadline writes nothing. A link's row is locked while it
// is revoked or replaced, so two requests cannot both replace the same link.
package links

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mari/audit"
	"mari/auth"
	"mari/queries"
)

// Limits of a link.
const (
	DefaultDays         = 30  // a report link's life when none is chosen
	MaxDays             = 365 // the longest a report link may live
	MaxRecipientChars   = 200
	MaxDisplayNameChars = 200
	tokenBytes          = 32
)

// Audit actions of display links.
const (
	DisplayLinkCreated = "display_link_created"
	DisplayLinkRevoked = "display_link_revoked"
)

// tokenEncoding is strict: a token whose last character differs only in the unused low bits
// would otherwise decode to the same bytes and open the link.
var tokenEncoding = base64.RawURLEncoding.Strict()

// NewToken returns a fresh token and the hash stored for it.
func NewToken() (string, []byte, error) {
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	return tokenEncoding.EncodeToString(b[:]), hashToken(b[:]), nil
}

func hashToken(raw []byte) []byte {
	h := sha256.Sum256(raw)
	return h[:]
}

// ParseToken returns the hash of a well-formed token; ok is false for anything else.
func ParseToken(s string) ([]byte, bool) {
	if len(s) != tokenEncoding.EncodedLen(tokenBytes) {
		return nil, false
	}
	raw, err := tokenEncoding.DecodeString(s)
	if err != nil || len(raw) != tokenBytes {
		return nil, false
	}
	return hashToken(raw), true
}

// CheckRecipient trims a recipient's name and says what is wrong with it ("" when nothing is).
func CheckRecipient(s string) (string, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return s, "Enter the recipient's name: every link is made for one named person."
	case !utf8.ValidString(s):
		return s, "The recipient's name is not valid text."
	case utf8.RuneCountInString(s) > MaxRecipientChars:
		return s, fmt.Sprintf("The recipient's name is %d characters long; the limit is %d.", utf8.RuneCountInString(s), MaxRecipientChars)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return s, "The recipient's name may not contain line breaks or control characters."
	}
	return s, ""
}

// CheckDays says what is wrong with a report link's life in days ("" when nothing is).
func CheckDays(n int) string {
	if n < 1 || n > MaxDays {
		return fmt.Sprintf("The expiry must be between 1 and %d days; %d is not.", MaxDays, n)
	}
	return ""
}

// CheckDisplayName trims a wall screen's name and says what is wrong with it ("" when
// nothing is).
func CheckDisplayName(s string) (string, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return s, "Enter a name for the screen, such as “Ops room TV”, so the link can be recognised and revoked later."
	case !utf8.ValidString(s):
		return s, "The name is not valid text."
	case utf8.RuneCountInString(s) > MaxDisplayNameChars:
		return s, "The name is too long: 200 characters at most."
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return s, "The name may not contain line breaks or control characters."
	}
	return s, ""
}

// DB is what the service needs of PostgreSQL: statements, and transactions.
type DB = queries.DB

// Service makes and revokes links in PostgreSQL.
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

// NotFoundError is a report or a link that does not exist; Msg says which, for people.
type NotFoundError struct{ Msg string }

func (e NotFoundError) Error() string { return e.Msg }

// ConflictError refuses a change the link's state no longer allows (it was revoked, or
// replaced by a request that came first); Msg says why, for people.
type ConflictError struct{ Msg string }

func (e ConflictError) Error() string { return e.Msg }

// InputError is something typed that cannot be saved; Msg says what to fix.
type InputError struct{ Msg string }

func (e InputError) Error() string { return e.Msg }

// Created is a new link. Token opens it and is never stored: this is the only time it exists.
type Created struct {
	ID        int64
	Token     string
	Recipient string // the report link's recipient, or the display link's name
	Replaced  int64  // the link a rotation replaced; 0 for a new link
}

// ShareReport makes a link to published report reportID for recipient, valid for days days.
func (s *Service) ShareReport(ctx context.Context, by auth.Actor, reportID int64, recipient string, days int) (Created, error) {
	recipient, msg := CheckRecipient(recipient)
	if msg == "" {
		msg = CheckDays(days)
	}
	if msg != "" {
		return Created{}, InputError{msg}
	}
	now := s.now()
	var out Created
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		r, err := publishedReport(ctx, tx, reportID)
		if err != nil {
			return err
		}
		if out, err = insertReportLink(ctx, tx, r, recipient, days, by, now); err != nil {
			return err
		}
		return record(ctx, tx, now, by, audit.LinkCreated, reportTarget(r),
			fmt.Sprintf("link %d for %s, valid %d days", out.ID, recipient, days))
	})
	if err != nil {
		return Created{}, err
	}
	return out, nil
}

// RevokeReportLink revokes link linkID of report reportID at once. Revoking a link that is
// already revoked changes nothing and records nothing; revoked says whether this call did it.
func (s *Service) RevokeReportLink(ctx context.Context, by auth.Actor, reportID, linkID int64) (revoked bool, err error) {
	now := s.now()
	err = pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		r, err := publishedReport(ctx, tx, reportID)
		if err != nil {
			return err
		}
		l, ok, err := queries.LinkForUpdate(ctx, tx, linkID, reportID)
		if err != nil {
			return err
		}
		if !ok {
			return NotFoundError{fmt.Sprintf("Report %d has no link %d.", reportID, linkID)}
		}
		if revoked, err = queries.RevokeLink(ctx, tx, l.ID, now, nil); err != nil || !revoked {
			return err
		}
		return record(ctx, tx, now, by, audit.LinkRevoked, reportTarget(r), fmt.Sprintf("link %d for %s", l.ID, l.RecipientName))
	})
	if err != nil {
		return false, err
	}
	return revoked, nil
}

// RotateReportLink replaces link linkID of report reportID by a new link for the same
// recipient, valid for days days, and revokes the old one. Only a link that is not revoked
// can be replaced: of several rotations of one link at once, one wins and the others get a
// ConflictError.
func (s *Service) RotateReportLink(ctx context.Context, by auth.Actor, reportID, linkID int64, days int) (Created, error) {
	if msg := CheckDays(days); msg != "" {
		return Created{}, InputError{msg}
	}
	now := s.now()
	var out Created
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		r, err := publishedReport(ctx, tx, reportID)
		if err != nil {
			return err
		}
		old, ok, err := queries.LinkForUpdate(ctx, tx, linkID, reportID)
		if err != nil {
			return err
		}
		if !ok {
			return NotFoundError{fmt.Sprintf("Report %d has no link %d.", reportID, linkID)}
		}
		if old.RevokedAt != nil {
			return ConflictError{fmt.Sprintf("Link %d was revoked; create a new link for %s instead.", old.ID, old.RecipientName)}
		}
		if out, err = insertReportLink(ctx, tx, r, old.RecipientName, days, by, now); err != nil {
			return err
		}
		out.Replaced = old.ID
		if _, err := queries.RevokeLink(ctx, tx, old.ID, now, &out.ID); err != nil {
			return err
		}
		return record(ctx, tx, now, by, audit.LinkRotated, reportTarget(r),
			fmt.Sprintf("link %d for %s replaced by link %d, valid %d days", old.ID, old.RecipientName, out.ID, days))
	})
	if err != nil {
		return Created{}, err
	}
	return out, nil
}

// publishedReport reads report id inside tx: it must exist and be published.
func publishedReport(ctx context.Context, tx pgx.Tx, id int64) (queries.Report, error) {
	r, ok, err := queries.ReportByID(ctx, tx, id)
	switch {
	case err != nil:
		return r, err
	case !ok:
		return r, NotFoundError{fmt.Sprintf("There is no report %d.", id)}
	case !r.Published():
		return r, InputError{"Only a published report can be shared: publish this draft first."}
	}
	return r, nil
}

func insertReportLink(ctx context.Context, tx pgx.Tx, r queries.Report, recipient string, days int, by auth.Actor, now time.Time) (Created, error) {
	token, hash, err := NewToken()
	if err != nil {
		return Created{}, err
	}
	id, ok, err := queries.InsertLink(ctx, tx, r.ID, recipient, hash, tableActor(by), now, now.Add(time.Duration(days)*24*time.Hour))
	if err != nil {
		return Created{}, err
	}
	if !ok { // published reports stay published, so only a change of the rules gets here
		return Created{}, InputError{"Only a published report can be shared: publish this draft first."}
	}
	return Created{ID: id, Token: token, Recipient: recipient}, nil
}

func reportTarget(r queries.Report) string {
	return fmt.Sprintf("report %d (%s v%d)", r.ID, r.Month.MonthKey(), r.Version)
}

// CreateDisplayLink makes a wall screen's link to the operations dashboard, named name.
func (s *Service) CreateDisplayLink(ctx context.Context, by auth.Actor, name string) (Created, error) {
	name, msg := CheckDisplayName(name)
	if msg != "" {
		return Created{}, InputError{msg}
	}
	token, hash, err := NewToken()
	if err != nil {
		return Created{}, err
	}
	now := s.now()
	var id int64
	err = pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		var err error
		if id, err = queries.InsertDisplayLink(ctx, tx, name, hash, tableActor(by), now); err != nil {
			return err
		}
		return record(ctx, tx, now, by, DisplayLinkCreated, DisplayTarget(id), "for "+name)
	})
	if err != nil {
		return Created{}, err
	}
	return Created{ID: id, Token: token, Recipient: name}, nil
}

// RevokeDisplayLink revokes display link id at once. Revoking one that is already revoked
// changes nothing and records nothing; revoked says whether this call did it.
func (s *Service) RevokeDisplayLink(ctx context.Context, by auth.Actor, id int64) (revoked bool, err error) {
	now := s.now()
	err = pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		l, ok, err := queries.DisplayLinkByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return NotFoundError{fmt.Sprintf("There is no display link %d.", id)}
		}
		// The update waits for any other revocation of the row and then matches only a link
		// still active, so of revocations at once exactly one is recorded.
		if revoked, err = queries.RevokeDisplayLink(ctx, tx, id, now); err != nil || !revoked {
			return err
		}
		return record(ctx, tx, now, by, DisplayLinkRevoked, DisplayTarget(id), "for "+l.Name)
	})
	if err != nil {
		return false, err
	}
	return revoked, nil
}

// DisplayTarget is how the audit log names a display link.
func DisplayTarget(id int64) string { return fmt.Sprintf("display link %d", id) }

func tableActor(by auth.Actor) queries.Actor { return queries.Actor{ID: by.ID, Email: by.Email} }

func record(ctx context.Context, tx pgx.Tx, at time.Time, by auth.Actor, action, target, detail string) error {
	return audit.Record(ctx, tx, at, audit.Entry{ActorID: by.ID, ActorEmail: by.Email, Action: action,
		Target: target, Detail: detail, IP: by.IP})
}
