-- daily_metrics for one SAST calendar day, computed from the source tables and upserted.
-- Every bound is an instant passed in from Go (package calendar), so the day is the SAST
-- day whatever the session time zone.
--   $1 the day (date)            $2 day start        $3 day end (exclusive)
--   $4 month start (instant)     $5 previous month start (instant)
--   $6 start of the day 30 days earlier   $7 end of that day
--   $8 fee per completed transaction       $9 the time of computation
-- The running totals continue from an earlier day's row (the carry) so that a day reads only
-- its own data and its bounded look-back windows, never the whole history; without a carry
-- they are recounted, which is what the same statement does with the zero carry below.
--   $10 users created before $11 (carried; 0 to recount)
--   $11 the instant from which users are counted (-infinity to recount)
--   $12 month-to-date senders before $14, $13 of them also senders the previous month
--       (carried; 0 to recount)
--   $14 the instant from which this month's senders are new to the count ($4 to recount)
-- A live refresh of today reads what its earlier refreshes kept (00020_rollup_live_day.sql)
-- instead of probing the history for every sender of the day again:
--   $15 the month-to-date senders from the day's kept senders (only when $14 is the day's
--       start: live_day_senders_add.sql has run)
--   $16 the churned users from the day's kept candidates (live_day_begin.sql has run)
WITH tx AS (
    SELECT count(*)                                           AS total,
           count(*) FILTER (WHERE status = 'COMPLETED')       AS successful,
           count(*) FILTER (WHERE status = 'FAILED')          AS failed,
           count(*) FILTER (WHERE status = 'PENDING')         AS pending,
           count(*) FILTER (WHERE is_fraud)                   AS fraud,
           coalesce(sum(amount) FILTER (WHERE status = 'COMPLETED'), 0) AS volume,
           count(DISTINCT sender_id)                          AS active_users,
           round(avg(amount) FILTER (WHERE status = 'COMPLETED'), 2) AS avg_amount,
           -- percentile_disc returns a real amount (exact), never an interpolated float.
           percentile_disc(0.5) WITHIN GROUP (ORDER BY amount) FILTER (WHERE status = 'COMPLETED') AS median_amount,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY processing_time_ms) FILTER (WHERE status <> 'PENDING') AS p50_ms,
           percentile_disc(0.95) WITHIN GROUP (ORDER BY processing_time_ms) FILTER (WHERE status <> 'PENDING') AS p95_ms
    FROM transactions
    WHERE created_at >= $2 AND created_at < $3
),
-- Senders from $14 through the day who had not sent earlier in the month: one probe of
-- transactions_sender_idx each (none when $14 is the month's start), and one more into the
-- previous month for those. The probe is a LATERAL with LIMIT so that no plan turns it into a
-- hash of every transaction of the month so far, which is what a day must not read.
mtd_read AS (
    SELECT count(*) AS active,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM transactions p
               WHERE p.sender_id = s.sender_id AND p.created_at >= $5 AND p.created_at < $4)) AS retained
    FROM (SELECT DISTINCT sender_id FROM transactions
          WHERE NOT $15::boolean AND created_at >= $14 AND created_at < $3) s
    LEFT JOIN LATERAL (
        SELECT 1 AS seen
        FROM transactions e
        WHERE $14 > $4 AND e.sender_id = s.sender_id AND e.created_at >= $4 AND e.created_at < $14
        LIMIT 1
    ) e ON true
    WHERE e.seen IS NULL
),
mtd_kept AS (
    SELECT count(*) FILTER (WHERE NOT earlier_this_month) AS active,
           count(*) FILTER (WHERE previous_month)         AS retained
    FROM live_day_senders
    WHERE $15::boolean AND day = $1
),
mtd AS (
    SELECT $12::bigint + r.active + k.active     AS active,
           $13::bigint + r.retained + k.retained AS retained
    FROM mtd_read r, mtd_kept k
),
signups AS (
    SELECT count(*) FILTER (WHERE created_at >= $2) AS new_users,
           $10::bigint + count(*)                   AS total_users
    FROM users
    WHERE created_at >= $11 AND created_at < $3
),
churn_read AS (
    SELECT count(*) AS churned
    FROM (SELECT DISTINCT sender_id FROM transactions
          WHERE NOT $16::boolean AND created_at >= $6 AND created_at < $7) s
    WHERE NOT EXISTS (
        SELECT 1 FROM transactions t
        WHERE t.sender_id = s.sender_id AND t.created_at >= $7 AND t.created_at < $3)
),
churn_kept AS (
    SELECT count(*) AS churned
    FROM live_day_churn_candidates c
    WHERE $16::boolean AND c.day = $1
      AND NOT EXISTS (
          SELECT 1 FROM transactions t
          WHERE t.sender_id = c.sender_id AND t.created_at >= $2 AND t.created_at < $3)
),
churn AS (
    SELECT r.churned + k.churned AS churned FROM churn_read r, churn_kept k
)
INSERT INTO daily_metrics (
    date, total_transactions, successful_transactions, failed_transactions, pending_transactions,
    fraud_transactions, total_volume, transaction_revenue, active_users, mtd_active_users,
    mtd_retained_users, new_users, total_users, churned_users, avg_transaction_amount,
    median_transaction_amount, p50_processing_time_ms, p95_processing_time_ms, day_complete,
    computed_at)
SELECT $1::date, tx.total, tx.successful, tx.failed, tx.pending,
       tx.fraud, tx.volume, tx.successful * $8::numeric, tx.active_users, mtd.active,
       mtd.retained, signups.new_users, signups.total_users, churn.churned, tx.avg_amount,
       tx.median_amount, tx.p50_ms, tx.p95_ms, $3 <= $9, $9
FROM tx, mtd, signups, churn
ON CONFLICT (date) DO UPDATE SET
    total_transactions        = EXCLUDED.total_transactions,
    successful_transactions   = EXCLUDED.successful_transactions,
    failed_transactions       = EXCLUDED.failed_transactions,
    pending_transactions      = EXCLUDED.pending_transactions,
    fraud_transactions        = EXCLUDED.fraud_transactions,
    total_volume              = EXCLUDED.total_volume,
    transaction_revenue       = EXCLUDED.transaction_revenue,
    active_users              = EXCLUDED.active_users,
    mtd_active_users          = EXCLUDED.mtd_active_users,
    mtd_retained_users        = EXCLUDED.mtd_retained_users,
    new_users                 = EXCLUDED.new_users,
    total_users               = EXCLUDED.total_users,
    churned_users             = EXCLUDED.churned_users,
    avg_transaction_amount    = EXCLUDED.avg_transaction_amount,
    median_transaction_amount = EXCLUDED.median_transaction_amount,
    p50_processing_time_ms    = EXCLUDED.p50_processing_time_ms,
    p95_processing_time_ms    = EXCLUDED.p95_processing_time_ms,
    day_complete              = EXCLUDED.day_complete,
    computed_at               = EXCLUDED.computed_at
