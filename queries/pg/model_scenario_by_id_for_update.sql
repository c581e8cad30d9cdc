-- One scenario, locked until the transaction ends (a save or a restore).
SELECT id, name, description, based_on, version, assumptions, created_by_email, created_at,
       updated_by_email, updated_at
FROM model_scenarios
WHERE id = $1
FOR UPDATE
