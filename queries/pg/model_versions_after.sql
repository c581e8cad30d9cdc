-- The versions saved after version $2, oldest first: what a conflicting save missed.
SELECT scenario_id, version, name, description, assumptions, changed_by_email, changed_at, summary
FROM model_scenario_versions
WHERE scenario_id = $1 AND version > $2
ORDER BY version
