-- Sums of the daily rollup over an inclusive range of SAST days [$1, $2].
SELECT count(*)                                     AS days,
       coalesce(sum(total_transactions), 0)         AS total_transactions,
       coalesce(sum(successful_transactions), 0)    AS successful_transactions,
       coalesce(sum(failed_transactions), 0)        AS failed_transactions,
       coalesce(sum(fraud_transactions), 0)         AS fraud_transactions,
       coalesce(sum(total_volume), 0)               AS completed_volume,
       coalesce(sum(transaction_revenue), 0)        AS transaction_revenue,
       coalesce(sum(new_users), 0)                  AS new_users
FROM daily_metrics
WHERE date >= $1::date AND date <= $2::date
