-- The payments a batch refers to, locked until it commits so that two batches finalising the
-- same payment take turns (the second sees the first's answer). Sorted to lock in one order.
SELECT id, sender_id, amount::text, currency, coalesce(bank_id, ''), channel, coalesce(device_type, ''),
       created_at, status, completed_at
FROM transactions
WHERE id = ANY($1::uuid[])
ORDER BY id
FOR UPDATE
