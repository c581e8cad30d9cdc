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

// InsertSignInAttempt records one checked sign-in for the rate limits.
func InsertSignInAttempt(ctx context.Context, q Querier, at time.Time, email, ip string, succeeded bool) error {
	_, err := q.Exec(ctx, SQL("pg/auth_attempt_insert"), at, email, ip, succeeded)
	return err
}

// SignInFailures counts failed sign-ins after since: for email (after its last success) and
// for ip.
func SignInFailures(ctx context.Context, q Querier, email, ip string, since time.Time) (byEmail, byIP int, err error) {
	err = q.QueryRow(ctx, SQL("pg/auth_attempt_failures"), email, ip, since).Scan(&byEmail, &byIP)
	return
}

// PruneSignInAttempts deletes attempts before cutoff.
func PruneSignInAttempts(ctx context.Context, q Querier, cutoff time.Time) error {
	_, err := q.Exec(ctx, SQL("pg/auth_attempts_prune"), cutoff)
	return err
}
