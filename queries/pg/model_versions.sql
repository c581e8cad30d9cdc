-- A scenario's version history, newest first.
SELECT scenario_id, version, name, description, assumptions, changed_by_email, changed_at, summary
FROM model_scenario_versions
WHERE scenario_id = $1
ORDER BY version DESC
