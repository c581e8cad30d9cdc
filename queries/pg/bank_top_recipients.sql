-- The seed's "Top Recipients" done right: one bank's 20 recipients (by blood hash) with the
-- most COMPLETED transactions in the SAST days [$2, $3], with their volume and average.
-- Ties: larger volume first, then blood hash, so the order is stable.
SELECT u.blood_hash, count(*), sum(t.amount), round(avg(t.amount), 2)
FROM transactions t
JOIN users u ON u.id = t.recipient_id
WHERE t.bank_id = $1
  AND t.status = 'COMPLETED'
  AND t.created_at >= ($2::date)::timestamp AT TIME ZONE 'Africa/Johannesburg'
  AND t.created_at <  ($3::date + 1)::timestamp AT TIME ZONE 'Africa/Johannesburg'
GROUP BY u.blood_hash
ORDER BY count(*) DESC, sum(t.amount) DESC, u.blood_hash
LIMIT 20
