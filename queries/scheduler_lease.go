package queries

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lease is one row of scheduler_leases.
type Lease struct {
	Holder     string
	AcquiredAt time.Time
	ExpiresAt  time.Time
	Live       bool // not yet expired by the database clock
}

// ClaimLease claims the lease name for holder for ttl, or renews it when holder already holds
// it. ok is false when another holder's lease is still live.
func ClaimLease(ctx context.Context, q Querier, name, holder string, ttl time.Duration) (lease Lease, ok bool, err error) {
	err = q.QueryRow(ctx, SQL("pg/scheduler_lease_claim"), name, holder, ttl.Milliseconds()).Scan(&lease.AcquiredAt, &lease.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Lease{}, false, nil
	}
	if err != nil {
		return Lease{}, false, err
	}
	lease.Holder, lease.Live = holder, true
	return lease, true, nil
}

// ReleaseLease gives the lease up if holder still holds it.
func ReleaseLease(ctx context.Context, q Querier, name, holder string) error {
	_, err := q.Exec(ctx, SQL("pg/scheduler_lease_release"), name, holder)
	return err
}

// LeaseHolder reads who holds the lease name; ok is false when nobody ever has.
func LeaseHolder(ctx context.Context, q Querier, name string) (lease Lease, ok bool, err error) {
	err = q.QueryRow(ctx, SQL("pg/scheduler_lease_holder"), name).Scan(&lease.Holder, &lease.AcquiredAt, &lease.ExpiresAt, &lease.Live)
	if errors.Is(err, pgx.ErrNoRows) {
		return Lease{}, false, nil
	}
	return lease, err == nil, err
}
