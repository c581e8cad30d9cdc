-- The executive metrics' daily inputs: one row per SAST day of [$1, $2], whether or not the
-- rollup has a row for it (a day without one reads zero transactions and is not present).
-- Revenue follows the shared rules (revenue_daily, migration 00015) with the fee $3.
SELECT r.day,
       m.date IS NOT NULL                         AS present,
       coalesce(m.day_complete, false)            AS complete,
       coalesce(m.total_transactions, 0)          AS transactions,
       coalesce(m.successful_transactions, 0)     AS completed,
       coalesce(m.failed_transactions, 0)         AS failed,
       coalesce(m.fraud_transactions, 0)          AS fraud,
       coalesce(m.total_volume, 0)                AS completed_volume,
       coalesce(m.new_users, 0)                   AS new_users,
       coalesce(m.active_users, 0)                AS active_users,
       coalesce(m.mtd_active_users, 0)            AS mtd_active_users,
       coalesce(m.mtd_retained_users, 0)          AS mtd_retained_users,
       r.fees_billed, r.bank_share, r.transaction_revenue, r.licensing_revenue, r.revenue
FROM revenue_daily($1::date, $2::date, $3::numeric) r
LEFT JOIN daily_metrics m ON m.date = r.day
ORDER BY r.day
