-- The bank partnership a key may be restricted to: its code as stored, matched exactly or in
-- capitals (the partnership form stores codes in capitals).
SELECT bank_code FROM bank_partnerships
WHERE bank_code = $1 OR bank_code = upper($1)
ORDER BY bank_code = $1 DESC
LIMIT 1
