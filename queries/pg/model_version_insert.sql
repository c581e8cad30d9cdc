-- One entry of a scenario's version history.
INSERT INTO model_scenario_versions (scenario_id, version, name, description, assumptions,
                                     changed_by, changed_by_email, changed_at, summary)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
