-- Saves a new version only if the scenario is still at the version the editor loaded ($2);
-- no row is updated when someone else saved first.
UPDATE model_scenarios
SET name = $3, description = $4, assumptions = $5, version = version + 1,
    updated_by = $6, updated_by_email = $7, updated_at = $8
WHERE id = $1 AND version = $2
RETURNING version
