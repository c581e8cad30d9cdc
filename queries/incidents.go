package queries

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Incident is one row of the incidents table. EndedAt is nil while the incident is ongoing.
type Incident struct {
	ID          int64
	Title       string
	Severity    string // minor, major or critical
	IsOutage    bool
	StartedAt   time.Time
	EndedAt     *time.Time
	Description string
	CreatedAt   time.Time
	Version     int // bumped by every change; an edit names the version it started from
}

func scanIncident(row pgx.Row) (Incident, error) {
	var i Incident
	err := row.Scan(&i.ID, &i.Title, &i.Severity, &i.IsOutage, &i.StartedAt, &i.EndedAt, &i.Description, &i.CreatedAt, &i.Version)
	return i, err
}

// IncidentList returns the incidents that overlap [from, to), ongoing first, then newest first.
func IncidentList(ctx context.Context, q Querier, from, to time.Time) ([]Incident, error) {
	rows, err := q.Query(ctx, SQL("pg/incident_list"), from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Incident
	for rows.Next() {
		i, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// IncidentCount is how many incidents overlap [from, to).
func IncidentCount(ctx context.Context, q Querier, from, to time.Time) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, SQL("pg/incident_count"), from, to).Scan(&n)
	return n, err
}

// IncidentByID returns one incident; ok is false when there is none with that id.
func IncidentByID(ctx context.Context, q Querier, id int64) (Incident, bool, error) {
	return incidentByID(ctx, q, "pg/incident_by_id", id)
}

// IncidentForUpdate is IncidentByID that locks the row until the transaction ends.
func IncidentForUpdate(ctx context.Context, q Querier, id int64) (Incident, bool, error) {
	return incidentByID(ctx, q, "pg/incident_by_id_for_update", id)
}

func incidentByID(ctx context.Context, q Querier, name string, id int64) (Incident, bool, error) {
	i, err := scanIncident(q.QueryRow(ctx, SQL(name), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return i, false, nil
	}
	return i, err == nil, err
}

// InsertIncident records a new incident and returns its id.
func InsertIncident(ctx context.Context, q Querier, i Incident, now time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, SQL("pg/incident_insert"), i.Title, i.Severity, i.IsOutage, i.StartedAt, i.EndedAt,
		i.Description, now).Scan(&id)
	return id, err
}

// UpdateIncident saves every editable field of incident i.ID (ending it is an update of
// EndedAt) and returns its new version; run it in the transaction that locked the row
// (IncidentForUpdate).
func UpdateIncident(ctx context.Context, q Querier, i Incident) (int, error) {
	var version int
	err := q.QueryRow(ctx, SQL("pg/incident_update"), i.ID, i.Title, i.Severity, i.IsOutage, i.StartedAt, i.EndedAt,
		i.Description).Scan(&version)
	return version, err
}
