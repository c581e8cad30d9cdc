package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mari/audit"
	"mari/queries"
)

// Limits of the sign-in form and the rate limits.
const (
	MaxEmailLen       = 254  // bytes, RFC 5321's path limit
	MaxPasswordLen    = 1024 // bytes; longer input is refused before hashing
	MaxNameLen        = 100  // characters
	MinPasswordLength = 12   // characters, for passwords people choose
)

// RateLimits bound failed sign-ins within Window, per account (email) and per address (IP).
type RateLimits struct {
	Window     time.Duration
	PerAccount int
	PerAddress int
}

// DefaultRateLimits: 5 failures per account and 20 per address in 15 minutes.
var DefaultRateLimits = RateLimits{Window: 15 * time.Minute, PerAccount: 5, PerAddress: 20}

// Errors of the sign-in and account operations. Their texts are written for users.
var (
	ErrWrongCredentials = errors.New("Email or password is wrong.")
	ErrRateLimited      = errors.New("Too many failed sign-ins. Wait 15 minutes, then try again.")
	ErrEmailTaken       = errors.New("There is already an account with that email.")
	ErrNoAccount        = errors.New("There is no such account.")
	ErrOwnAccount       = errors.New("You cannot change your own role or disable your own account; ask another admin.")
)

// InputError is a problem with what a person typed; its message says what to fix.
type InputError struct{ Msg string }

func (e InputError) Error() string { return e.Msg }

// Actor is who makes a change: an account (ID set) or a command-line operator.
type Actor struct {
	ID    *int64
	Email string
	IP    string
}

// ActorOf makes the actor of a signed-in account at address ip.
func ActorOf(a Account, ip string) Actor {
	id := a.ID
	return Actor{ID: &id, Email: a.Email, IP: ip}
}

// Service signs staff in and manages their accounts over PostgreSQL. Every change is written
// in one transaction with its audit entry.
type Service struct {
	DB     *pgxpool.Pool
	Params HashParams // for new hashes; zero = DefaultHashParams
	Limits RateLimits // zero = DefaultRateLimits
	Now    func() time.Time

	dummyOnce sync.Once
	dummy     string
}

// NewService returns a service with default parameters.
func NewService(db *pgxpool.Pool) *Service { return &Service{DB: db} }

func (s *Service) params() HashParams {
	if s.Params == (HashParams{}) {
		return DefaultHashParams
	}
	return s.Params
}

func (s *Service) limits() RateLimits {
	if s.Limits == (RateLimits{}) {
		return DefaultRateLimits
	}
	return s.Limits
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// dummyHash is verified against when there is no account, so an unknown email costs the same
// time as a known one.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		pw, err := GeneratePassword()
		if err == nil {
			s.dummy, err = HashPassword(pw, s.params())
		}
		if err != nil {
			panic(fmt.Sprintf("auth: cannot make the dummy hash: %v", err))
		}
	})
	return s.dummy
}

// NormalizeEmail trims and lower-cases an email and checks it is one address of sane length.
func NormalizeEmail(raw string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(raw))
	if e == "" {
		return "", InputError{"Enter an email address."}
	}
	if len(e) > MaxEmailLen {
		return "", InputError{fmt.Sprintf("The email is too long (at most %d characters).", MaxEmailLen)}
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || addr.Name != "" {
		return "", InputError{"That does not look like an email address, such as name@mari.example."}
	}
	return e, nil
}

// ParseRole checks a role name from a form.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", InputError{"Choose one of the roles: admin, executive, ops or partnerships."}
}

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameLen {
		return "", InputError{fmt.Sprintf("The name is too long (at most %d characters).", MaxNameLen)}
	}
	return name, nil
}

// CheckNewPassword enforces the rules for a password a person chooses.
func CheckNewPassword(pw string) error {
	if len(pw) > MaxPasswordLen {
		return InputError{fmt.Sprintf("The password is too long (at most %d bytes).", MaxPasswordLen)}
	}
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return InputError{fmt.Sprintf("Choose a password of at least %d characters.", MinPasswordLength)}
	}
	return nil
}

func accountOf(r queries.StaffAccount) Account {
	return Account{ID: r.ID, Email: r.Email, Name: r.DisplayName, Role: Role(r.Role),
		MustChangePassword: r.MustChangePassword, SessionStamp: stampOf(r.PasswordHash)}
}

// stampOf derives the session stamp from the password hash (itself salted and slow), so it
// changes with every new password and reveals nothing.
func stampOf(hash string) string {
	sum := sha256.Sum256([]byte("mari session stamp\x00" + hash))
	return hex.EncodeToString(sum[:12])
}

// Load returns the enabled account with id; ok is false when it is gone or disabled. It reads
// the database on every call on purpose: a disabled account or a new role takes effect on the
// account's next request.
func (s *Service) Load(ctx context.Context, id int64) (Account, bool, error) {
	r, found, err := queries.AccountByID(ctx, s.DB, id)
	if err != nil || !found || r.Disabled {
		return Account{}, false, err
	}
	return accountOf(r), true, nil
}

// SignIn checks email and password from the sign-in form at address ip. Unknown, disabled and
// wrong-password sign-ins all take the same time and return ErrWrongCredentials; too many
// recent failures for the email or the address return ErrRateLimited before any check.
func (s *Service) SignIn(ctx context.Context, rawEmail, password, ip string) (Account, error) {
	if len(rawEmail) > MaxEmailLen {
		return Account{}, InputError{fmt.Sprintf("The email is too long (at most %d characters).", MaxEmailLen)}
	}
	if len(password) > MaxPasswordLen {
		return Account{}, InputError{fmt.Sprintf("The password is too long (at most %d bytes).", MaxPasswordLen)}
	}
	email := strings.ToLower(strings.TrimSpace(rawEmail))
	if email == "" || password == "" {
		return Account{}, InputError{"Enter your email and your password."}
	}
	now := s.now()
	lim := s.limits()
	byEmail, byIP, err := queries.SignInFailures(ctx, s.DB, email, ip, now.Add(-lim.Window))
	if err != nil {
		return Account{}, err
	}
	if byEmail >= lim.PerAccount || byIP >= lim.PerAddress {
		if err := audit.Record(ctx, s.DB, now, audit.Entry{ActorEmail: email, Action: audit.SignInFailed,
			Detail: "refused: too many failed sign-ins", IP: ip}); err != nil {
			return Account{}, err
		}
		return Account{}, ErrRateLimited
	}

	row, found, err := queries.AccountByEmail(ctx, s.DB, email)
	if err != nil {
		return Account{}, err
	}
	hash := s.dummyHash()
	if found {
		hash = row.PasswordHash
	}
	match, verr := VerifyPassword(password, hash)
	ok := found && verr == nil && match && !row.Disabled

	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return Account{}, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if err := queries.InsertSignInAttempt(ctx, tx, now, email, ip, ok); err != nil {
		return Account{}, err
	}
	entry := audit.Entry{ActorEmail: email, Action: audit.SignInFailed, IP: ip}
	if ok {
		id := row.ID
		entry = audit.Entry{ActorID: &id, ActorEmail: row.Email, Action: audit.SignIn, Target: accountTarget(id), IP: ip}
		if err := queries.MarkSignedIn(ctx, tx, row.ID, now); err != nil {
			return Account{}, err
		}
		// Attempts older than every window count for nothing any more (audit_log keeps the
		// history); successful sign-ins keep the table small.
		if err := queries.PruneSignInAttempts(ctx, tx, now.Add(-attemptRetention(lim))); err != nil {
			return Account{}, err
		}
	}
	if err := audit.Record(ctx, tx, now, entry); err != nil {
		return Account{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return Account{}, err
	}
	if !ok {
		return Account{}, ErrWrongCredentials
	}
	return accountOf(row), nil
}

func attemptRetention(l RateLimits) time.Duration {
	return max(24*time.Hour, 2*l.Window)
}

// RecordSignOut writes the sign-out to the audit log.
func (s *Service) RecordSignOut(ctx context.Context, a Account, ip string) error {
	id := a.ID
	return audit.Record(ctx, s.DB, s.now(), audit.Entry{ActorID: &id, ActorEmail: a.Email, Action: audit.SignOut,
		Target: accountTarget(a.ID), IP: ip})
}

func accountTarget(id int64) string { return fmt.Sprintf("account %d", id) }

// List returns every account, enabled ones first.
func (s *Service) List(ctx context.Context) ([]queries.StaffAccount, error) {
	return queries.ListAccounts(ctx, s.DB)
}

// inTx runs fn in a transaction.
func (s *Service) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func (s *Service) record(ctx context.Context, tx pgx.Tx, at time.Time, by Actor, action, target, detail string) error {
	return audit.Record(ctx, tx, at, audit.Entry{ActorID: by.ID, ActorEmail: by.Email, Action: action,
		Target: target, Detail: detail, IP: by.IP})
}

// Create makes an account with a random one-time password, which it returns (the only time it
// is ever shown). The account must change it at its first sign-in.
func (s *Service) Create(ctx context.Context, by Actor, rawEmail, rawName string, role Role) (Account, string, error) {
	email, err := NormalizeEmail(rawEmail)
	if err != nil {
		return Account{}, "", err
	}
	name, err := checkName(rawName)
	if err != nil {
		return Account{}, "", err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return Account{}, "", err
	}
	pw, err := GeneratePassword()
	if err != nil {
		return Account{}, "", err
	}
	hash, err := HashPassword(pw, s.params())
	if err != nil {
		return Account{}, "", err
	}
	now := s.now()
	var acc Account
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		id, created, err := queries.InsertAccount(ctx, tx, queries.StaffAccount{Email: email, DisplayName: name,
			PasswordHash: hash, Role: string(role), MustChangePassword: true}, now)
		if err != nil {
			return err
		}
		if !created {
			return ErrEmailTaken
		}
		acc = Account{ID: id, Email: email, Name: name, Role: role, MustChangePassword: true}
		return s.record(ctx, tx, now, by, audit.AccountCreated, accountTarget(id),
			fmt.Sprintf("%s, role %s", email, role))
	})
	if err != nil {
		return Account{}, "", err
	}
	return acc, pw, nil
}

// SetRole changes account id's role.
func (s *Service) SetRole(ctx context.Context, by Actor, id int64, role Role) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	if by.ID != nil && *by.ID == id {
		return ErrOwnAccount
	}
	now := s.now()
	return s.inTx(ctx, func(tx pgx.Tx) error {
		email, previous, found, err := queries.SetAccountRole(ctx, tx, id, string(role), now)
		if err != nil {
			return err
		}
		if !found {
			return ErrNoAccount
		}
		return s.record(ctx, tx, now, by, audit.RoleChanged, accountTarget(id),
			fmt.Sprintf("%s: %s → %s", email, previous, role))
	})
}

// SetDisabled disables or re-enables account id. A disabled account is signed out at its
// next request and cannot sign in.
func (s *Service) SetDisabled(ctx context.Context, by Actor, id int64, disabled bool) error {
	if by.ID != nil && *by.ID == id {
		return ErrOwnAccount
	}
	now := s.now()
	return s.inTx(ctx, func(tx pgx.Tx) error {
		email, found, err := queries.SetAccountDisabled(ctx, tx, id, disabled, now)
		if err != nil {
			return err
		}
		if !found {
			return ErrNoAccount
		}
		what := "enabled"
		if disabled {
			what = "disabled"
		}
		return s.record(ctx, tx, now, by, audit.AccountChanged, accountTarget(id), email+": "+what)
	})
}

// ResetPassword gives account id a new random one-time password, returned once.
func (s *Service) ResetPassword(ctx context.Context, by Actor, id int64) (string, error) {
	pw, err := GeneratePassword()
	if err != nil {
		return "", err
	}
	return pw, s.setPassword(ctx, by, id, pw, true, "reset to a one-time password")
}

func (s *Service) setPassword(ctx context.Context, by Actor, id int64, pw string, mustChange bool, detail string) error {
	hash, err := HashPassword(pw, s.params())
	if err != nil {
		return err
	}
	now := s.now()
	return s.inTx(ctx, func(tx pgx.Tx) error {
		email, found, err := queries.SetAccountPassword(ctx, tx, id, hash, mustChange, now)
		if err != nil {
			return err
		}
		if !found {
			return ErrNoAccount
		}
		return s.record(ctx, tx, now, by, audit.PasswordChanged, accountTarget(id), email+": "+detail)
	})
}

// ChangePassword sets a's own password after checking the current one.
func (s *Service) ChangePassword(ctx context.Context, a Account, ip, current, next, confirm string) error {
	if len(current) > MaxPasswordLen {
		return InputError{fmt.Sprintf("The password is too long (at most %d bytes).", MaxPasswordLen)}
	}
	if err := CheckNewPassword(next); err != nil {
		return err
	}
	if next != confirm {
		return InputError{"The new password and its confirmation differ."}
	}
	if next == current {
		return InputError{"Choose a new password that differs from the current one."}
	}
	row, found, err := queries.AccountByID(ctx, s.DB, a.ID)
	if err != nil {
		return err
	}
	if !found || row.Disabled {
		return ErrNoAccount
	}
	if ok, err := VerifyPassword(current, row.PasswordHash); err != nil || !ok {
		return InputError{"The current password is wrong."}
	}
	return s.setPassword(ctx, ActorOf(a, ip), a.ID, next, false, "changed by its owner")
}

// DemoEmail is the demo account that `make run` prepares.
const DemoEmail = "demo@mari.example"

// EnsureDemoAccount makes sure the demo executive account exists and enabled, and gives it a
// new random password (not one-time), which it returns.
func (s *Service) EnsureDemoAccount(ctx context.Context, by Actor) (string, error) {
	row, found, err := queries.AccountByEmail(ctx, s.DB, DemoEmail)
	if err != nil {
		return "", err
	}
	if !found {
		if _, _, err := s.Create(ctx, by, DemoEmail, "Demo executive", RoleExecutive); err != nil && !errors.Is(err, ErrEmailTaken) {
			return "", err
		}
		if row, found, err = queries.AccountByEmail(ctx, s.DB, DemoEmail); err != nil || !found {
			return "", fmt.Errorf("demo account: %v", err)
		}
	}
	if row.Disabled {
		if err := s.SetDisabled(ctx, by, row.ID, false); err != nil {
			return "", err
		}
	}
	pw, err := GeneratePassword()
	if err != nil {
		return "", err
	}
	return pw, s.setPassword(ctx, by, row.ID, pw, false, "new demo password")
}
