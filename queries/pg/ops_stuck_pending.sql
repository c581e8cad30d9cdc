-- Payments still PENDING that were initiated before $1 (the wall screen passes now − 10
-- minutes): how many, and when the oldest started. Reads the partial index on pending rows,
-- so it stays cheap however large transactions grows.
SELECT count(*), min(created_at)
FROM transactions
WHERE status = 'PENDING' AND created_at < $1
