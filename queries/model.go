package queries

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"mari/finmodel"
)

// The financial-model scenarios (issue 5): model_scenarios holds each scenario's current
// version, model_scenario_versions every version ever saved. Assumptions travel as JSON with
// every decimal as a string (shopspring/decimal's JSON form), never as a float.

// Scenario is a stored scenario at its current version.
type Scenario struct {
	ID                int64
	Name, Description string
	BasedOn           string
	Version           int
	Assumptions       finmodel.Assumptions
	CreatedByEmail    string
	CreatedAt         time.Time
	UpdatedByEmail    string
	UpdatedAt         time.Time
}

// ScenarioVersion is one saved version of a scenario.
type ScenarioVersion struct {
	ScenarioID        int64
	Version           int
	Name, Description string
	Assumptions       finmodel.Assumptions
	ChangedByEmail    string
	ChangedAt         time.Time
	Summary           string
}

func decodeAssumptions(raw []byte) (finmodel.Assumptions, error) {
	var a finmodel.Assumptions
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("stored assumptions: %w", err)
	}
	return a, nil
}

// encodeAssumptions is the JSON stored for a; decimals marshal as strings.
func encodeAssumptions(a finmodel.Assumptions) ([]byte, error) {
	return json.Marshal(a)
}

func scanScenario(row pgx.Row) (Scenario, error) {
	var s Scenario
	var raw []byte
	if err := row.Scan(&s.ID, &s.Name, &s.Description, &s.BasedOn, &s.Version, &raw, &s.CreatedByEmail,
		&s.CreatedAt, &s.UpdatedByEmail, &s.UpdatedAt); err != nil {
		return s, err
	}
	a, err := decodeAssumptions(raw)
	s.Assumptions = a
	return s, err
}

func scenarioOne(ctx context.Context, q Querier, name string, id int64) (Scenario, bool, error) {
	s, err := scanScenario(q.QueryRow(ctx, SQL(name), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return s, false, nil
	}
	return s, err == nil, err
}

// ScenarioByID returns scenario id; ok is false when there is none.
func ScenarioByID(ctx context.Context, q Querier, id int64) (Scenario, bool, error) {
	return scenarioOne(ctx, q, "pg/model_scenario_by_id", id)
}

// ScenarioByIDForUpdate is ScenarioByID, locking the row until q's transaction ends.
func ScenarioByIDForUpdate(ctx context.Context, q pgx.Tx, id int64) (Scenario, bool, error) {
	return scenarioOne(ctx, q, "pg/model_scenario_by_id_for_update", id)
}

// ScenarioList returns every stored scenario, most recently changed first.
func ScenarioList(ctx context.Context, q Querier) ([]Scenario, error) {
	rows, err := q.Query(ctx, SQL("pg/model_scenario_list"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Scenario
	for rows.Next() {
		s, err := scanScenario(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// InsertScenario stores a new scenario at version 1 together with its first history entry;
// run it inside a transaction. A taken name is a unique violation (23505).
func InsertScenario(ctx context.Context, q Querier, s Scenario, summary string, by Actor, at time.Time) (int64, error) {
	raw, err := encodeAssumptions(s.Assumptions)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := q.QueryRow(ctx, SQL("pg/model_scenario_insert"), s.Name, s.Description, s.BasedOn, raw, by.ID, by.Email, at).Scan(&id); err != nil {
		return 0, err
	}
	_, err = q.Exec(ctx, SQL("pg/model_version_insert"), id, 1, s.Name, s.Description, raw, by.ID, by.Email, at, summary)
	return id, err
}

// UpdateScenario saves s as the next version if the stored scenario is still at baseVersion,
// and records the history entry; run it inside a transaction. ok is false (nothing written)
// when someone else saved first.
func UpdateScenario(ctx context.Context, q Querier, s Scenario, baseVersion int, summary string, by Actor, at time.Time) (version int, ok bool, err error) {
	raw, err := encodeAssumptions(s.Assumptions)
	if err != nil {
		return 0, false, err
	}
	err = q.QueryRow(ctx, SQL("pg/model_scenario_update"), s.ID, baseVersion, s.Name, s.Description, raw, by.ID, by.Email, at).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	_, err = q.Exec(ctx, SQL("pg/model_version_insert"), s.ID, version, s.Name, s.Description, raw, by.ID, by.Email, at, summary)
	return version, err == nil, err
}

func scanVersions(rows pgx.Rows, err error) ([]ScenarioVersion, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ScenarioVersion
	for rows.Next() {
		var v ScenarioVersion
		var raw []byte
		if err := rows.Scan(&v.ScenarioID, &v.Version, &v.Name, &v.Description, &raw, &v.ChangedByEmail, &v.ChangedAt, &v.Summary); err != nil {
			return nil, err
		}
		if v.Assumptions, err = decodeAssumptions(raw); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ScenarioVersions returns a scenario's history, newest first.
func ScenarioVersions(ctx context.Context, q Querier, id int64) ([]ScenarioVersion, error) {
	return scanVersions(q.Query(ctx, SQL("pg/model_versions"), id))
}

// ScenarioVersionsAfter returns the versions saved after version, oldest first.
func ScenarioVersionsAfter(ctx context.Context, q Querier, id int64, version int) ([]ScenarioVersion, error) {
	return scanVersions(q.Query(ctx, SQL("pg/model_versions_after"), id, version))
}

// ScenarioVersionOf returns one version; ok is false when there is no such version.
func ScenarioVersionOf(ctx context.Context, q Querier, id int64, version int) (ScenarioVersion, bool, error) {
	vs, err := scanVersions(q.Query(ctx, SQL("pg/model_version"), id, version))
	if err != nil || len(vs) == 0 {
		return ScenarioVersion{}, false, err
	}
	return vs[0], true, nil
}
