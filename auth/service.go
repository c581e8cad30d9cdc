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

// RateLimits bound failed sign-ins within Window. An attacker's failures slow the attacker,
// not the account's owner signing in from elsewhere:
//   - PerPair failures for one account from one address stop that address trying that
//     account;
//   - PerAddress failures from one address (any accounts) stop that address, and PerAccount
//     failures for one account (from any addresses) stop new addresses trying it; neither
//     applies to an address the account signed in from successfully within KnownFor, so a
//     spray from elsewhere, or from behind the same proxy, never locks the owner out.
//
// PerAccount is deliberately much higher than PerPair: it only matters for guessing spread
// over many addresses.
type RateLimits struct {
	Window     time.Duration
	PerPair    int
	PerAddress int
	PerAccount int
	KnownFor   time.Duration
}

// DefaultRateLimits: in 15 minutes, 5 failures per account and address, 20 per address and
// 100 per account; an address stays known to an account for 30 days after a sign-in.
var DefaultRateLimits = RateLimits{Window: 15 * time.Minute, PerPair: 5, PerAddress: 20, PerAccount: 100, KnownFor: 30 * 24 * time.Hour}

// Errors of the sign-in and account operations. Their texts are written for users.
var (
	ErrWrongCredentials = errors.New("Email or password is wrong.")
	ErrRateLimited      = errors.New("Too many failed sign-ins.")
	ErrEmailTaken       = errors.New("There is already an account with that email.")
	ErrNoAccount        = errors.New("There is no such account.")
	ErrOwnAccount       = errors.New("You cannot change your own role or disable your own account; ask another admin.")
)

// RateLimitedError refuses a sign-in that a limit stops; RetryAfter is when the limit lifts.
// errors.Is(err, ErrRateLimited) holds for it.
type RateLimitedError struct{ RetryAfter time.Duration }

func (e RateLimitedError) Error() string {
	minutes := int((e.RetryAfter + time.Minute - 1) / time.Minute)
	unit := "minutes"
	if minutes <= 1 {
		minutes, unit = 1, "minute"
	}
	return fmt.Sprintf("Too many failed sign-ins. Wait %d %s, then try again.", minutes, unit)
}

func (e RateLimitedError) Is(target error) bool { return target == ErrRateLimited }

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
	Gate   *HashGate  // nil = a gate with the default bounds, made on first use
	Now    func() time.Time

	gateOnce sync.Once

	dummyMu sync.Mutex
	dummy   string
}

// NewService returns a service with default parameters.
func NewService(db *pgxpool.Pool) *Service { return &Service{DB: db} }

func (s *Service) params() HashParams {
	if s.Params == (HashParams{}) {
		return DefaultHashParams
	}
	return s.Params
}

func (s *Service) gate() *HashGate {
	s.gateOnce.Do(func() {
		if s.Gate == nil {
			s.Gate = NewHashGate(0, 0) // the configuration's defaults
		}
	})
	return s.Gate
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
// time as a known one. It is made on first use, through the gate like every hash.
func (s *Service) dummyHash(ctx context.Context) (string, error) {
	s.dummyMu.Lock()
	defer s.dummyMu.Unlock()
	if s.dummy != "" {
		return s.dummy, nil
	}
	pw, err := GeneratePassword()
	if err != nil {
		return "", err
	}
	h, err := s.gate().hash(ctx, pw, s.params())
	if err != nil {
		return "", err
	}
	s.dummy = h
	return h, nil
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
// wrong-password sign-ins all take the same time and return ErrWrongCredentials. A sign-in a
// limit stops returns a RateLimitedError before any password check, and one that finds
// every hashing slot taken returns ErrBusy; neither checks the password.
//
// The attempt is counted and recorded (as pending) in one step under locks on the account and
// the address, before its password is checked, so parallel attempts cannot all slip under a
// limit: at most the limit's number of them ever reach the check.
func (s *Service) SignIn(ctx context.Context, rawEmail, password, ip string) (Account, error) {
	if len(password) > MaxPasswordLen {
		return Account{}, InputError{fmt.Sprintf("The password is too long (at most %d bytes).", MaxPasswordLen)}
	}
	if strings.TrimSpace(rawEmail) == "" || password == "" {
		return Account{}, InputError{"Enter your email and your password."}
	}
	email, err := NormalizeEmail(rawEmail)
	if err != nil {
		return Account{}, err
	}
	attempt, err := s.reserveAttempt(ctx, email, ip)
	if err != nil {
		return Account{}, err
	}

	row, found, err := queries.AccountByEmail(ctx, s.DB, email)
	if err != nil {
		s.cancelAttempt(ctx, attempt)
		return Account{}, err
	}
	hash := row.PasswordHash
	if !found {
		if hash, err = s.dummyHash(ctx); err != nil {
			s.cancelAttempt(ctx, attempt)
			return Account{}, err
		}
	}
	match, verr, err := s.gate().verify(ctx, password, hash)
	if err != nil {
		s.cancelAttempt(ctx, attempt)
		return Account{}, err
	}
	ok := found && verr == nil && match && !row.Disabled

	now := s.now()
	lim := s.limits()
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := queries.FinishSignInAttempt(ctx, tx, attempt, ok); err != nil {
			return err
		}
		entry := audit.Entry{ActorEmail: email, Action: audit.SignInFailed, IP: ip}
		if ok {
			id := row.ID
			entry = audit.Entry{ActorID: &id, ActorEmail: row.Email, Action: audit.SignIn, Target: accountTarget(id), IP: ip}
			if err := queries.MarkSignedIn(ctx, tx, row.ID, now); err != nil {
				return err
			}
			// Successful sign-ins keep the table small. The audit log keeps the history.
			if err := queries.PruneSignInAttempts(ctx, tx, now.Add(-attemptRetention(lim)), now.Add(-lim.KnownFor)); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, entry)
	})
	if err != nil {
		return Account{}, err
	}
	if !ok {
		return Account{}, ErrWrongCredentials
	}
	return accountOf(row), nil
}

// reserveAttempt checks the limits for email from ip and, when none stops it, records the
// attempt as pending; both under the account's and the address's locks, in one transaction.
// A refused attempt is audited and not recorded, so refusals never extend a limit.
func (s *Service) reserveAttempt(ctx context.Context, email, ip string) (int64, error) {
	now := s.now()
	lim := s.limits()
	var id int64
	var refused *RateLimitedError
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := queries.LockSignIn(ctx, tx, queries.SignInLockAccount, email); err != nil {
			return err
		}
		if err := queries.LockSignIn(ctx, tx, queries.SignInLockAddress, ip); err != nil {
			return err
		}
		c, err := queries.CountSignIns(ctx, tx, email, ip, now.Add(-lim.Window), now.Add(-lim.KnownFor))
		if err != nil {
			return err
		}
		if refused = lim.refusal(c, now); refused != nil {
			return audit.Record(ctx, tx, now, audit.Entry{ActorEmail: email, Action: audit.SignInFailed,
				Detail: "refused: too many failed sign-ins", IP: ip})
		}
		id, err = queries.ReserveSignInAttempt(ctx, tx, now, email, ip)
		return err
	})
	if err != nil {
		return 0, err
	}
	if refused != nil {
		return 0, *refused
	}
	return id, nil
}

// refusal says whether a limit stops an attempt with counts c at now, and until when.
func (l RateLimits) refusal(c queries.SignInCounts, now time.Time) *RateLimitedError {
	stop := func(t queries.SignInTally) *RateLimitedError {
		wait := l.Window
		if t.Oldest != nil {
			wait = t.Oldest.Add(l.Window).Sub(now)
		}
		return &RateLimitedError{RetryAfter: max(wait, time.Second)}
	}
	switch {
	case c.Pair.N >= l.PerPair:
		return stop(c.Pair)
	case !c.Known && c.Address.N >= l.PerAddress:
		return stop(c.Address)
	case !c.Known && c.Account.N >= l.PerAccount:
		return stop(c.Account)
	}
	return nil
}

// cancelAttempt forgets a pending attempt whose password was never checked (the gate was
// full, the client left or the database failed), so it does not count against anyone. It
// runs even when ctx has ended; if it fails, the attempt counts as a failure until the window
// passes, which errs on the safe side.
func (s *Service) cancelAttempt(ctx context.Context, id int64) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = queries.CancelSignInAttempt(cctx, s.DB, id)
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
	hash, err := s.gate().hash(ctx, pw, s.params())
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
	hash, err := s.gate().hash(ctx, pw, s.params())
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
	match, verr, err := s.gate().verify(ctx, current, row.PasswordHash)
	if err != nil {
		return err
	}
	if verr != nil || !match {
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
