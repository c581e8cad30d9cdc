-- Brings one SAST day's bank_daily_recipients rows (completed transactions per bank and
-- recipient) up to date with its transactions, and its month's bank_monthly_recipients sums
-- with them, writing only what changed: a refresh of today rewrites the few recipients paid
-- since the last one, not every row of the day (each rewrite costs index entries in both
-- tables). A month sum that drops to 0 stays as a 0 row, which the month's list skips.
--   $1 the day (date)   $2 its start   $3 its end (instant, exclusive)   $4 its month (first day)
WITH fresh AS (
    SELECT bank_id, recipient_id, count(*)::integer AS completed, sum(amount) AS volume
    FROM transactions
    WHERE bank_id IS NOT NULL AND status = 'COMPLETED' AND created_at >= $2 AND created_at < $3
    GROUP BY bank_id, recipient_id
), old AS (
    SELECT bank_id, recipient_id, completed, volume FROM bank_daily_recipients WHERE day = $1
), diff AS (
    SELECT bank_id, recipient_id, f.completed, f.volume,
           coalesce(f.completed, 0) - coalesce(o.completed, 0) AS delta
    FROM fresh f FULL JOIN old o USING (bank_id, recipient_id)
    WHERE f.completed IS DISTINCT FROM o.completed OR f.volume IS DISTINCT FROM o.volume
), gone AS (
    DELETE FROM bank_daily_recipients d
    USING diff
    WHERE d.day = $1 AND d.bank_id = diff.bank_id AND d.recipient_id = diff.recipient_id
      AND diff.completed IS NULL
), written AS (
    INSERT INTO bank_daily_recipients AS d (day, bank_id, recipient_id, completed, volume)
    SELECT $1::date, bank_id, recipient_id, completed, volume FROM diff WHERE completed IS NOT NULL
    ON CONFLICT (day, bank_id, recipient_id) DO UPDATE SET completed = EXCLUDED.completed, volume = EXCLUDED.volume
    RETURNING 1
), summed AS (
    INSERT INTO bank_monthly_recipients AS m (month, bank_id, recipient_id, completed)
    SELECT $4::date, bank_id, recipient_id, delta FROM diff WHERE delta <> 0
    ON CONFLICT (month, bank_id, recipient_id) DO UPDATE SET completed = m.completed + EXCLUDED.completed
)
SELECT count(*) FROM written
