-- The success-rate alert template: the payments that reached their final state in the window
-- ($1, $2], of bank $3 or of every bank when $3 is NULL, completed and failed. The rate is
-- metrics.SuccessRate of the two, computed in Go.
SELECT count(*) FILTER (WHERE status = 'COMPLETED'),
       count(*) FILTER (WHERE status = 'FAILED')
FROM transactions
WHERE completed_at > $1 AND completed_at <= $2
  AND ($3::text IS NULL OR bank_id = $3)
