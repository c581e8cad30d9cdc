package queries

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// StaffAccount is one row of staff_accounts. Roles are plain strings here; package auth gives
// them meaning.
type StaffAccount struct {
	ID                 int64
	Email              string
	DisplayName        string
	PasswordHash       string
	Role               string
	Disabled           bool
	MustChangePassword bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
	LastSignInAt       *time.Time
}

func scanAccount(row pgx.Row) (StaffAccount, error) {
	var a StaffAccount
	err := row.Scan(&a.ID, &a.Email, &a.DisplayName, &a.PasswordHash, &a.Role, &a.Disabled,
		&a.MustChangePassword, &a.CreatedAt, &a.UpdatedAt, &a.LastSignInAt)
	return a, err
}

func oneAccount(row pgx.Row) (StaffAccount, bool, error) {
	a, err := scanAccount(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, false, nil
	}
	return a, err == nil, err
}

// AccountByID returns the account with id; found is false when there is none.
func AccountByID(ctx context.Context, q Querier, id int64) (StaffAccount, bool, error) {
	return oneAccount(q.QueryRow(ctx, SQL("pg/account_by_id"), id))
}

// AccountByEmail returns the account with email (compared case-insensitively).
func AccountByEmail(ctx context.Context, q Querier, email string) (StaffAccount, bool, error) {
	return oneAccount(q.QueryRow(ctx, SQL("pg/account_by_email"), email))
}

// ListAccounts returns every account, enabled ones first.
func ListAccounts(ctx context.Context, q Querier) ([]StaffAccount, error) {
	rows, err := q.Query(ctx, SQL("pg/account_list"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StaffAccount
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// InsertAccount creates an account; created is false (and nothing is written) when the email
// is taken in any letter case.
func InsertAccount(ctx context.Context, q Querier, a StaffAccount, at time.Time) (id int64, created bool, err error) {
	err = q.QueryRow(ctx, SQL("pg/account_insert"), a.Email, a.DisplayName, a.PasswordHash, a.Role,
		a.MustChangePassword, at).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// SetAccountRole changes an account's role and returns its email and previous role; found is
// false when there is no such account.
func SetAccountRole(ctx context.Context, q Querier, id int64, role string, at time.Time) (email, previous string, found bool, err error) {
	err = q.QueryRow(ctx, SQL("pg/account_set_role"), id, role, at).Scan(&email, &previous)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", false, nil
	}
	return email, previous, err == nil, err
}

// SetAccountDisabled disables or enables an account and returns its email.
func SetAccountDisabled(ctx context.Context, q Querier, id int64, disabled bool, at time.Time) (email string, found bool, err error) {
	err = q.QueryRow(ctx, SQL("pg/account_set_disabled"), id, disabled, at).Scan(&email)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	return email, err == nil, err
}

// SetAccountPassword replaces an account's password hash and returns its email.
func SetAccountPassword(ctx context.Context, q Querier, id int64, hash string, mustChange bool, at time.Time) (email string, found bool, err error) {
	err = q.QueryRow(ctx, SQL("pg/account_set_password"), id, hash, mustChange, at).Scan(&email)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	return email, err == nil, err
}

// MarkSignedIn sets an account's last sign-in time.
func MarkSignedIn(ctx context.Context, q Querier, id int64, at time.Time) error {
	_, err := q.Exec(ctx, SQL("pg/account_signed_in"), id, at)
	return err
}

// Lock classes of LockSignIn: an account's attempts and an address's attempts.
const (
	SignInLockAccount int32 = 1
	SignInLockAddress int32 = 2
)

// LockSignIn serialises, until tx ends, the sign-in attempts that share key (an email with
// SignInLockAccount, an address with SignInLockAddress).
func LockSignIn(ctx context.Context, tx pgx.Tx, class int32, key string) error {
	_, err := tx.Exec(ctx, SQL("pg/auth_attempt_lock"), class, key)
	return err
}

// SignInTally is the count of failed or pending sign-ins in one scope, with the oldest.
type SignInTally struct {
	N      int
	Oldest *time.Time
}

// SignInCounts is what the sign-in limits weigh for one email and address.
type SignInCounts struct {
	Pair, Address, Account SignInTally
	// Known: the account signed in successfully from this address recently.
	Known bool
}

// CountSignIns counts the failed and pending sign-ins after windowStart for email from ip,
// for ip and for email (pair and account counts start after their last success), and whether
// email signed in successfully from ip after knownSince.
func CountSignIns(ctx context.Context, q Querier, email, ip string, windowStart, knownSince time.Time) (SignInCounts, error) {
	var c SignInCounts
	err := q.QueryRow(ctx, SQL("pg/auth_attempt_counts"), email, ip, windowStart, knownSince).Scan(
		&c.Pair.N, &c.Pair.Oldest, &c.Address.N, &c.Address.Oldest, &c.Account.N, &c.Account.Oldest, &c.Known)
	return c, err
}

// ReserveSignInAttempt records a pending attempt (counted as a failure until it ends).
func ReserveSignInAttempt(ctx context.Context, q Querier, at time.Time, email, ip string) (id int64, err error) {
	err = q.QueryRow(ctx, SQL("pg/auth_attempt_reserve"), at, email, ip).Scan(&id)
	return id, err
}

// FinishSignInAttempt records whether a pending attempt succeeded.
func FinishSignInAttempt(ctx context.Context, q Querier, id int64, succeeded bool) error {
	_, err := q.Exec(ctx, SQL("pg/auth_attempt_finish"), id, succeeded)
	return err
}

// CancelSignInAttempt forgets a pending attempt whose password was never checked.
func CancelSignInAttempt(ctx context.Context, q Querier, id int64) error {
	_, err := q.Exec(ctx, SQL("pg/auth_attempt_cancel"), id)
	return err
}

// PruneSignInAttempts deletes failures before failuresBefore and successes before
// successesBefore.
func PruneSignInAttempts(ctx context.Context, q Querier, failuresBefore, successesBefore time.Time) error {
	_, err := q.Exec(ctx, SQL("pg/auth_attempts_prune"), failuresBefore, successesBefore)
	return err
}
