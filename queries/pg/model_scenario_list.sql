-- Every stored scenario, most recently changed first.
SELECT id, name, description, based_on, version, assumptions, created_by_email, created_at,
       updated_by_email, updated_at
FROM model_scenarios
ORDER BY updated_at DESC, id DESC
