package queries

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// IngestToken is a bearer token of the ingestion endpoint, without its secret.
type IngestToken struct {
	ID             int64
	Name           string
	CreatedAt      time.Time
	CreatedBy      string
	RevokedAt      *time.Time
	LastUsedAt     *time.Time
	EventsAccepted int64
}

// IngestTokenInsert stores a token's hash; ok is false when the name is taken.
func IngestTokenInsert(ctx context.Context, q Querier, name string, hash []byte, at time.Time, by string) (id int64, ok bool, err error) {
	err = q.QueryRow(ctx, SQL("pg/ingest_token_insert"), name, hash, at, by).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// IngestTokenByHash finds the live token with this hash.
func IngestTokenByHash(ctx context.Context, q Querier, hash []byte) (id int64, name string, ok bool, err error) {
	err = q.QueryRow(ctx, SQL("pg/ingest_token_by_hash"), hash).Scan(&id, &name)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", false, nil
	}
	return id, name, err == nil, err
}

// IngestTokenList lists every token, live ones first.
func IngestTokenList(ctx context.Context, q Querier) ([]IngestToken, error) {
	rows, err := q.Query(ctx, SQL("pg/ingest_token_list"))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (IngestToken, error) {
		var t IngestToken
		err := r.Scan(&t.ID, &t.Name, &t.CreatedAt, &t.CreatedBy, &t.RevokedAt, &t.LastUsedAt, &t.EventsAccepted)
		return t, err
	})
}

// IngestTokenRevoke revokes a live token and returns its name; ok is false when there is none.
func IngestTokenRevoke(ctx context.Context, q Querier, id int64, at time.Time) (name string, ok bool, err error) {
	err = q.QueryRow(ctx, SQL("pg/ingest_token_revoke"), id, at).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	return name, err == nil, err
}

// IngestTokenRevokeByName revokes the live token named name; ok is false when there is none.
func IngestTokenRevokeByName(ctx context.Context, q Querier, name string, at time.Time) (id int64, ok bool, err error) {
	err = q.QueryRow(ctx, SQL("pg/ingest_token_revoke_by_name"), name, at).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// IngestTokenUsed records a request's use of a token.
func IngestTokenUsed(ctx context.Context, q Querier, id int64, at time.Time, accepted int) error {
	_, err := q.Exec(ctx, SQL("pg/ingest_token_used"), id, at, accepted)
	return err
}

// DeadLetter is one stored dead letter.
type DeadLetter struct {
	ID         int64
	Topic      string
	Source     string
	EventID    string
	Reason     string
	Payload    string
	ReceivedAt time.Time
	LastSeen   time.Time
	TimesSeen  int
}

// IngestDeadLettersRecent returns the newest dead letters.
func IngestDeadLettersRecent(ctx context.Context, q Querier, limit int) ([]DeadLetter, error) {
	rows, err := q.Query(ctx, SQL("pg/ingest_dead_letters_recent"), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DeadLetter, error) {
		var d DeadLetter
		err := r.Scan(&d.ID, &d.Topic, &d.Source, &d.EventID, &d.Reason, &d.Payload, &d.ReceivedAt, &d.LastSeen, &d.TimesSeen)
		return d, err
	})
}

// IngestStatus are the ingestion page's counters.
type IngestStatus struct {
	EventsToday, EventsLastHour int64
	Held                        int64
	OldestHeld                  *time.Time
	DeadLetters, DeadToday      int64
}

// IngestStatusNow reads the counters.
func IngestStatusNow(ctx context.Context, q Querier, todayStart, hourAgo time.Time) (IngestStatus, error) {
	var s IngestStatus
	err := q.QueryRow(ctx, SQL("pg/ingest_status"), todayStart, hourAgo).Scan(&s.EventsToday, &s.EventsLastHour,
		&s.Held, &s.OldestHeld, &s.DeadLetters, &s.DeadToday)
	return s, err
}
