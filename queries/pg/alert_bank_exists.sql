-- Whether bank partnership $1 exists (an alert rule may watch it).
SELECT EXISTS (SELECT 1 FROM bank_partnerships WHERE bank_code = $1)
