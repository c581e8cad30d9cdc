-- Every bank partnership, for the operations dashboard's bank filter (and to reject unknown
-- codes), by name.
SELECT bank_code, bank_name
FROM bank_partnerships
ORDER BY bank_name, bank_code
