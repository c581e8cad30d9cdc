package queries

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// DisplayLink is a wall screen's read-only link to the operations dashboard.
type DisplayLink struct {
	ID             int64
	Name           string
	CreatedByEmail string
	CreatedAt      time.Time
	RevokedAt      *time.Time
}

// InsertDisplayLink stores a new link by the SHA-256 of its token.
func InsertDisplayLink(ctx context.Context, q Querier, name string, hash []byte, by Actor, at time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, SQL("pg/display_insert"), name, hash, by.ID, by.Email, at).Scan(&id)
	return id, err
}

// DisplayLinks lists every link, active ones first, newest first.
func DisplayLinks(ctx context.Context, q Querier) ([]DisplayLink, error) {
	rows, err := q.Query(ctx, SQL("pg/display_list"))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DisplayLink, error) {
		var l DisplayLink
		err := r.Scan(&l.ID, &l.Name, &l.CreatedByEmail, &l.CreatedAt, &l.RevokedAt)
		return l, err
	})
}

// DisplayLinkByID finds one link; ok is false when there is none.
func DisplayLinkByID(ctx context.Context, q Querier, id int64) (DisplayLink, bool, error) {
	var l DisplayLink
	err := q.QueryRow(ctx, SQL("pg/display_by_id"), id).Scan(&l.ID, &l.Name, &l.CreatedByEmail, &l.CreatedAt, &l.RevokedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, false, nil
	}
	return l, err == nil, err
}

// RevokeDisplayLink revokes link id at at; revoked is false when it already was (or is not).
func RevokeDisplayLink(ctx context.Context, q Querier, id int64, at time.Time) (revoked bool, err error) {
	var name string
	err = q.QueryRow(ctx, SQL("pg/display_revoke"), id, at).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ActiveDisplayLink is the unrevoked link with this token hash; ok is false for any other.
func ActiveDisplayLink(ctx context.Context, q Querier, hash []byte) (id int64, name string, ok bool, err error) {
	err = q.QueryRow(ctx, SQL("pg/display_active_by_hash"), hash).Scan(&id, &name)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", false, nil
	}
	return id, name, err == nil, err
}
