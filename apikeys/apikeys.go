// Package apikeys makes, checks, limits and revokes the keys of the JSON API (/api/v1). A key
// reads and nothing else: its scopes say which figures, its bank (when it has one) whose, and
// its rate says how many requests a minute it may make. It is not an account and opens no page.
// Only a key's SHA-256 is stored; the key itself is shown once, when it is made.
package apikeys

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mari/audit"
	"mari/auth"
	"mari/bearer"
	"mari/calendar"
	"mari/queries"
)

// Prefix starts every key, so one pasted in the wrong place is recognisable (and findable by
// secret scanners).
const Prefix = "mari_api_"

// secretLen is the length of a key: the prefix and 32 random bytes in unpadded base64url.
var secretLen = bearer.Length(Prefix)

// Scope is what a key may read.
type Scope string

// The scopes a key can have.
const (
	MetricsRead      Scope = "metrics:read"
	UsersRead        Scope = "users:read"
	BanksRead        Scope = "banks:read"
	TransactionsRead Scope = "transactions:read"
)

// Scopes are every scope, in the order forms and messages list them.
var Scopes = []Scope{MetricsRead, UsersRead, BanksRead, TransactionsRead}

// Limits of a key's settings.
const (
	// DefaultRatePerMinute is a key's rate when neither the key nor the Store names one.
	DefaultRatePerMinute = 120
	// MaxRatePerMinute is the highest rate a key may have.
	MaxRatePerMinute = 10000
	// MaxYearsAhead is how far ahead a key's expiry may be: a key that outlives the people
	// who made it is a key nobody remembers to revoke.
	MaxYearsAhead = 2
)

// Errors of Authenticate, Admit, Revoke and Expire.
var (
	ErrUnknownKey = errors.New("this is not an API key of Mari BI")
	ErrExpired    = errors.New("this API key has expired")
	ErrRevoked    = errors.New("this API key has been revoked")
	ErrNoSuchKey  = errors.New("there is no API key with that id that is not revoked")
)

// InputError is a key's setting that cannot be accepted; Msg says why, for people. Nothing
// was written.
type InputError struct{ Msg string }

func (e InputError) Error() string { return e.Msg }

// scopeList is the valid scopes, for messages.
func scopeList() string { return strings.Join(scopeNames(Scopes), ", ") }

// ParseScopes reads a comma-separated list of scopes ("metrics:read,users:read"), in any
// order and letter case, repeats ignored. It returns them in the order of Scopes.
func ParseScopes(s string) ([]Scope, error) {
	var list []Scope
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			list = append(list, Scope(strings.ToLower(p)))
		}
	}
	return checkScopes(list)
}

// checkScopes returns scopes without repeats, in the order of Scopes; an unknown scope or none
// at all is an InputError.
func checkScopes(scopes []Scope) ([]Scope, error) {
	seen := map[Scope]bool{}
	for _, s := range scopes {
		if !slices.Contains(Scopes, s) {
			return nil, InputError{fmt.Sprintf("%q is not a scope; the scopes are %s", string(s), scopeList())}
		}
		seen[s] = true
	}
	if len(seen) == 0 {
		return nil, InputError{"choose at least one scope: " + scopeList()}
	}
	var out []Scope
	for _, s := range Scopes {
		if seen[s] {
			out = append(out, s)
		}
	}
	return out, nil
}

// Key is an API key, without its secret.
type Key struct {
	ID     int64
	Name   string
	Scopes []Scope
	// Bank is "" for a key that sees every bank; otherwise the key sees only this bank's
	// figures.
	Bank          string
	ExpiresAt     *time.Time
	RatePerMinute int
	CreatedAt     time.Time
	CreatedBy     string
	RevokedAt     *time.Time
	Uses          int64 // requests the rate limit allowed
	Refused       int64 // requests the rate limit refused
	LastUsedAt    *time.Time
}

// Has says whether the key may read what s names.
func (k Key) Has(s Scope) bool { return slices.Contains(k.Scopes, s) }

// Live says whether the key works at now: not revoked and not expired.
func (k Key) Live(now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || k.ExpiresAt.After(now))
}

// NewKey is what Create needs to make a key.
type NewKey struct {
	Name          string
	Scopes        []Scope
	Bank          string // "" = every bank
	ExpiresAt     *time.Time
	RatePerMinute int // 0 = the Store's DefaultRate
}

// Store keeps the keys in PostgreSQL, where every instance of the app finds them and shares
// their rate limits.
type Store struct {
	PG  queries.DB
	Now func() time.Time // nil = time.Now
	// DefaultRate is the requests per key per minute of a key made without its own rate
	// (MARI_API_RATE_LIMIT); 0 = DefaultRatePerMinute.
	DefaultRate int
}

func (s Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// createdBy is how the key list names who made a key.
func createdBy(a auth.Actor) string {
	if a.Email == "" {
		return "command line"
	}
	return a.Email
}

// check returns the key nk describes, or an InputError saying what is wrong with it. It needs
// no database; the bank's existence and the name's freedom are checked in Create's transaction.
func (s Store) check(nk NewKey, now time.Time) (Key, error) {
	k := Key{Name: strings.TrimSpace(nk.Name), Bank: strings.TrimSpace(nk.Bank), ExpiresAt: nk.ExpiresAt,
		RatePerMinute: nk.RatePerMinute}
	switch n := utf8.RuneCountInString(k.Name); {
	case n == 0:
		return Key{}, InputError{"name the key after who will use it (e.g. treasury-reporting)"}
	case n > 100:
		return Key{}, InputError{fmt.Sprintf("the name is %d characters; at most 100", n)}
	case strings.ContainsFunc(k.Name, unicode.IsControl):
		return Key{}, InputError{"the name may not contain control characters"}
	}
	scopes, err := checkScopes(nk.Scopes)
	if err != nil {
		return Key{}, err
	}
	k.Scopes = scopes
	if k.Bank != "" && k.Has(UsersRead) {
		return Key{}, InputError{"a key restricted to one bank cannot have users:read: a user's profile is not one bank's " +
			"figure, so it would show more than that bank's share. Leave out users:read, or make the key for all banks"}
	}
	if k.ExpiresAt != nil {
		if !k.ExpiresAt.After(now) {
			return Key{}, InputError{"the expiry must be in the future; leave it empty for a key that does not expire"}
		}
		if latest := now.AddDate(MaxYearsAhead, 0, 0); k.ExpiresAt.After(latest) {
			return Key{}, InputError{fmt.Sprintf("the expiry may be at most %d years ahead (by %s)",
				MaxYearsAhead, latest.In(calendar.SAST).Format("2006-01-02"))}
		}
	}
	if k.RatePerMinute == 0 {
		k.RatePerMinute = s.DefaultRate
		if k.RatePerMinute == 0 {
			k.RatePerMinute = DefaultRatePerMinute
		}
	}
	if k.RatePerMinute < 1 || k.RatePerMinute > MaxRatePerMinute {
		return Key{}, InputError{fmt.Sprintf("the rate limit is requests per minute, a whole number from 1 to %d", MaxRatePerMinute)}
	}
	return k, nil
}

// Create makes a key and returns its secret: the only time it is ever shown. Bad input is an
// InputError, and then nothing is written.
func (s Store) Create(ctx context.Context, nk NewKey, by auth.Actor) (secret string, k Key, err error) {
	now := s.now()
	k, err = s.check(nk, now)
	if err != nil {
		return "", Key{}, err
	}
	if secret, err = bearer.New(Prefix); err != nil {
		return "", Key{}, err
	}
	k.CreatedBy = createdBy(by)

	tx, err := s.PG.Begin(ctx)
	if err != nil {
		return "", Key{}, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if k.Bank != "" {
		err := tx.QueryRow(ctx, queries.SQL("pg/api_key_bank"), k.Bank).Scan(&k.Bank)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", Key{}, InputError{fmt.Sprintf("there is no bank partnership with the code %q", strings.TrimSpace(nk.Bank))}
		}
		if err != nil {
			return "", Key{}, err
		}
	}
	if err := nameFree(ctx, tx, k.Name, now); err != nil {
		return "", Key{}, err
	}
	err = tx.QueryRow(ctx, queries.SQL("pg/api_key_insert"), k.Name, bearer.Hash(secret), scopeNames(k.Scopes), k.Bank,
		k.ExpiresAt, k.RatePerMinute, now, k.CreatedBy).Scan(&k.ID, &k.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) { // taken since nameFree looked, by a create at the same moment
		return "", Key{}, InputError{fmt.Sprintf("a key named %q was just made; choose another name", k.Name)}
	}
	if err != nil {
		return "", Key{}, err
	}
	if err := record(ctx, tx, now, by, audit.APIKeyCreated, k.ID, describe(k)); err != nil {
		return "", Key{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return "", Key{}, err
	}
	return secret, k, nil
}

// nameFree returns an InputError when a key that is not revoked holds name. An expired key
// still holds its name until it is revoked: its name is still what its uses and its audit
// entries are known by.
func nameFree(ctx context.Context, q queries.Querier, name string, now time.Time) error {
	var id int64
	var expires *time.Time
	err := q.QueryRow(ctx, queries.SQL("pg/api_key_name_holder"), name).Scan(&id, &expires)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return err
	case expires != nil && !expires.After(now):
		return InputError{fmt.Sprintf("the expired key %d still holds the name %q: revoke it to reuse the name, or choose another", id, name)}
	}
	return InputError{fmt.Sprintf("a live key is already named %q: choose another name, or revoke that key first", name)}
}

// describe is a key's audit detail: every setting, never the secret or its hash.
func describe(k Key) string {
	bank, expires := "all banks", "never"
	if k.Bank != "" {
		bank = k.Bank
	}
	if k.ExpiresAt != nil {
		expires = sast(*k.ExpiresAt)
	}
	return audit.Summary([]audit.Field{{"name", k.Name}, {"scopes", strings.Join(scopeNames(k.Scopes), ",")},
		{"bank", bank}, {"expires", expires}, {"rate", fmt.Sprintf("%d/min", k.RatePerMinute)}})
}

func sast(t time.Time) string { return t.In(calendar.SAST).Format("2006-01-02 15:04 SAST") }

func record(ctx context.Context, q queries.Querier, at time.Time, by auth.Actor, action string, id int64, detail string) error {
	return audit.Record(ctx, q, at, audit.Entry{ActorID: by.ID, ActorEmail: by.Email, Action: action,
		Target: fmt.Sprintf("api key %d", id), Detail: detail, IP: by.IP})
}

// List returns every key, newest first, revoked ones too.
func (s Store) List(ctx context.Context) ([]Key, error) {
	rows, err := s.PG.Query(ctx, queries.SQL("pg/api_key_list"))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Key, error) { return scanKey(r) })
}

// Revoke ends a key at once: its next request is refused. ErrNoSuchKey when there is no key
// with that id, or it is revoked already.
func (s Store) Revoke(ctx context.Context, id int64, by auth.Actor) error {
	now := s.now()
	tx, err := s.PG.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var name string
	err = tx.QueryRow(ctx, queries.SQL("pg/api_key_revoke"), id, now).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNoSuchKey
	}
	if err != nil {
		return err
	}
	if err := record(ctx, tx, now, by, audit.APIKeyRevoked, id, "name="+name); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Expire sets when a key stops working. A time at or before now expires it at once (its expiry
// becomes now; a key that has already expired keeps its expiry, and nothing is written). A time
// more than MaxYearsAhead ahead is an InputError. ErrNoSuchKey when there is no key with that
// id, or it is revoked.
func (s Store) Expire(ctx context.Context, id int64, at time.Time, by auth.Actor) error {
	now := s.now()
	if latest := now.AddDate(MaxYearsAhead, 0, 0); at.After(latest) {
		return InputError{fmt.Sprintf("the expiry may be at most %d years ahead (by %s)",
			MaxYearsAhead, latest.In(calendar.SAST).Format("2006-01-02"))}
	}
	tx, err := s.PG.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var name string
	var before *time.Time
	err = tx.QueryRow(ctx, queries.SQL("pg/api_key_lock"), id).Scan(&name, &before)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNoSuchKey
	}
	if err != nil {
		return err
	}
	expired := before != nil && !before.After(now)
	atOnce := !at.After(now)
	if atOnce && expired {
		return nil
	}
	if atOnce {
		at = now
	}
	if _, err := tx.Exec(ctx, queries.SQL("pg/api_key_expire"), id, at); err != nil {
		return err
	}
	was := "never"
	if before != nil {
		was = sast(*before)
	}
	detail := "name=" + name + "; expires: " + was + " → " + sast(at)
	if atOnce {
		detail += " (expired at once)"
	}
	if err := record(ctx, tx, now, by, audit.APIKeyExpirySet, id, detail); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Authenticate finds the key secret is. Anything that is not a key of this app, including a
// malformed value (refused before any query), is ErrUnknownKey; a key that was revoked or has
// expired is ErrRevoked or ErrExpired. The lookup is by the secret's SHA-256, through the
// unique index: no stored secret is compared byte by byte, so the time taken tells an attacker
// nothing about how close a guess came.
func (s Store) Authenticate(ctx context.Context, secret string) (Key, error) {
	if !strings.HasPrefix(secret, Prefix) || len(secret) != secretLen {
		return Key{}, ErrUnknownKey
	}
	k, err := scanKey(s.PG.QueryRow(ctx, queries.SQL("pg/api_key_by_hash"), bearer.Hash(secret)))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return Key{}, ErrUnknownKey
	case err != nil:
		return Key{}, err
	case k.RevokedAt != nil:
		return Key{}, ErrRevoked
	case !k.Live(s.now()):
		return Key{}, ErrExpired
	}
	return k, nil
}

// Admission is Admit's answer for one request.
type Admission struct {
	Allowed bool
	// RetryAfter is how long until the key's window of requests starts afresh (the next
	// calendar minute), rounded up to whole seconds and at least 1 s: a refused request's
	// Retry-After.
	RetryAfter time.Duration
	// Remaining is how many more requests the key may make in this window.
	Remaining int
}

// Admit counts one request of k against its rate limit: Allowed while the key has made no more
// than its RatePerMinute requests in the current calendar minute, this one included. An allowed
// request is counted as a use (and sets LastUsedAt), a refused one as refused. The count is one
// atomic statement on the key's row in PostgreSQL, so the limit holds across concurrent
// requests and across every instance of the app. A key revoked or expired since it was
// authenticated is ErrRevoked or ErrExpired.
func (s Store) Admit(ctx context.Context, k Key) (Admission, error) {
	now := s.now()
	var windowStart time.Time
	var count, rate int
	err := s.PG.QueryRow(ctx, queries.SQL("pg/api_key_use"), k.ID, now).Scan(&windowStart, &count, &rate)
	if errors.Is(err, pgx.ErrNoRows) {
		return Admission{}, s.whyNotLive(ctx, k.ID)
	}
	if err != nil {
		return Admission{}, err
	}
	wait := windowStart.Add(time.Minute).Sub(now)
	if rest := wait % time.Second; rest != 0 {
		wait += time.Second - rest
	}
	return Admission{Allowed: count <= rate, RetryAfter: max(wait, time.Second), Remaining: max(rate-count, 0)}, nil
}

// whyNotLive says why Admit found no live key with id.
func (s Store) whyNotLive(ctx context.Context, id int64) error {
	k, err := scanKey(s.PG.QueryRow(ctx, queries.SQL("pg/api_key_by_id"), id))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return ErrUnknownKey
	case err != nil:
		return err
	case k.RevokedAt != nil:
		return ErrRevoked
	}
	return ErrExpired
}

func scanKey(r pgx.Row) (Key, error) {
	var k Key
	var scopes []string
	err := r.Scan(&k.ID, &k.Name, &scopes, &k.Bank, &k.ExpiresAt, &k.RatePerMinute, &k.CreatedAt, &k.CreatedBy,
		&k.RevokedAt, &k.Uses, &k.Refused, &k.LastUsedAt)
	for _, s := range scopes {
		k.Scopes = append(k.Scopes, Scope(s))
	}
	return k, err
}

func scopeNames(scopes []Scope) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = string(s)
	}
	return out
}

// ParseExpiryDate reads an expiry typed as a date, YYYY-MM-DD: the key stops working when that
// day starts (00:00 SAST), so "expires on 2027-01-31" is never a day later than people read.
// The command line and the admin page both read expiries through it.
func ParseExpiryDate(s string) (time.Time, error) {
	d, err := calendar.ParseDate(strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, InputError{"the expiry: " + err.Error()}
	}
	return d.Start(), nil
}
