-- A new scenario at version 1 (clone, import, re-forecast); a taken name fails on the unique
-- index.
INSERT INTO model_scenarios (name, description, based_on, version, assumptions,
                             created_by, created_by_email, created_at,
                             updated_by, updated_by_email, updated_at)
VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $5, $6, $7)
RETURNING id
