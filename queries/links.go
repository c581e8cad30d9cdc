package queries

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Read-only links to published investor reports, and the log of their views.

// Link is one read-only link; its token is never stored, only the token's SHA-256.
type Link struct {
	ID             int64
	ReportID       int64
	RecipientName  string
	CreatedBy      *int64
	CreatedByEmail string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	RevokedAt      *time.Time
	ReplacedBy     *int64
	Views          int64 // filled by LinkList only
}

// Link states as shown to staff.
const (
	LinkActive  = "active"
	LinkExpired = "expired"
	LinkRevoked = "revoked"
)

// State is the link's state at now. Revocation wins over expiry.
func (l Link) State(now time.Time) string {
	switch {
	case l.RevokedAt != nil:
		return LinkRevoked
	case !now.Before(l.ExpiresAt):
		return LinkExpired
	default:
		return LinkActive
	}
}

func scanLink(row pgx.Row, extra ...any) (Link, error) {
	var l Link
	dest := append([]any{&l.ID, &l.ReportID, &l.RecipientName, &l.CreatedBy, &l.CreatedByEmail,
		&l.CreatedAt, &l.ExpiresAt, &l.RevokedAt, &l.ReplacedBy}, extra...)
	err := row.Scan(dest...)
	return l, err
}

// InsertLink stores a new link to a published report; ok is false (nothing written) when the
// report does not exist or is not published.
func InsertLink(ctx context.Context, q Querier, reportID int64, recipient string, tokenHash []byte, by Actor, at, expires time.Time) (id int64, ok bool, err error) {
	err = q.QueryRow(ctx, SQL("pg/link_insert"), reportID, recipient, tokenHash, by.ID, by.Email, at, expires).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// LinkByHash finds the link whose token hashes to tokenHash.
func LinkByHash(ctx context.Context, q Querier, tokenHash []byte) (Link, bool, error) {
	l, err := scanLink(q.QueryRow(ctx, SQL("pg/link_by_hash"), tokenHash))
	if errors.Is(err, pgx.ErrNoRows) {
		return Link{}, false, nil
	}
	return l, err == nil, err
}

// LinkForUpdate returns link id of report reportID, locked until tx ends.
func LinkForUpdate(ctx context.Context, tx pgx.Tx, id, reportID int64) (Link, bool, error) {
	l, err := scanLink(tx.QueryRow(ctx, SQL("pg/link_by_id_for_update"), id, reportID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Link{}, false, nil
	}
	return l, err == nil, err
}

// LinkList returns the links of a report by recipient, newest first, with their view counts.
func LinkList(ctx context.Context, q Querier, reportID int64) ([]Link, error) {
	rows, err := q.Query(ctx, SQL("pg/link_list"), reportID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var views int64
		l, err := scanLink(rows, &views)
		if err != nil {
			return nil, err
		}
		l.Views = views
		out = append(out, l)
	}
	return out, rows.Err()
}

// RevokeLink revokes a link at at, recording its replacement (nil for none); ok is false when
// it was already revoked.
func RevokeLink(ctx context.Context, q Querier, id int64, at time.Time, replacedBy *int64) (bool, error) {
	tag, err := q.Exec(ctx, SQL("pg/link_revoke"), id, at, replacedBy)
	return tag.RowsAffected() == 1, err
}

// InsertLinkView logs one opening of a link.
func InsertLinkView(ctx context.Context, q Querier, linkID int64, at time.Time, ip, userAgent string) error {
	_, err := q.Exec(ctx, SQL("pg/link_view_insert"), linkID, at, ip, userAgent)
	return err
}

// LinkView is one logged opening of a link.
type LinkView struct {
	LinkID        int64
	RecipientName string
	ViewedAt      time.Time
	IP            string
	UserAgent     string
}

// LinkViews returns the newest views of a report's links.
func LinkViews(ctx context.Context, q Querier, reportID int64, limit int) ([]LinkView, error) {
	rows, err := q.Query(ctx, SQL("pg/link_views"), reportID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LinkView
	for rows.Next() {
		var v LinkView
		if err := rows.Scan(&v.LinkID, &v.RecipientName, &v.ViewedAt, &v.IP, &v.UserAgent); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
