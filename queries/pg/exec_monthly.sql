-- One row per calendar month from the month of $1 through the month of $2, with the daily
-- rollup summed over the days in [$1, $2]. MAU and retained users come from the month's
-- last rollup row in the range (month to date when the month is not over). Licensing fees
-- count every partnership whose contract covers the month's first day.
WITH months AS (
    SELECT m::date AS month
    FROM generate_series(date_trunc('month', $1::date::timestamp),
                         date_trunc('month', $2::date::timestamp),
                         interval '1 month') AS m
),
days AS (
    SELECT date_trunc('month', date::timestamp)::date AS month, *
    FROM daily_metrics
    WHERE date >= $1::date AND date <= $2::date
),
sums AS (
    SELECT month,
           count(*)                     AS days,
           bool_and(day_complete)       AS all_days_complete,
           sum(total_transactions)      AS total_transactions,
           sum(successful_transactions) AS successful_transactions,
           sum(total_volume)            AS completed_volume,
           sum(transaction_revenue)     AS transaction_revenue,
           sum(new_users)               AS new_users
    FROM days
    GROUP BY month
),
last_row AS (
    SELECT DISTINCT ON (month) month, date AS last_day, mtd_active_users, mtd_retained_users
    FROM days
    ORDER BY month, date DESC
),
fees AS (
    SELECT mo.month, coalesce(sum(b.monthly_fee), 0) AS licensing_revenue
    FROM months mo
    LEFT JOIN bank_partnerships b
           ON b.contract_start_date <= mo.month
          AND (b.contract_end_date IS NULL OR b.contract_end_date >= mo.month)
    GROUP BY mo.month
),
costs AS (
    SELECT c.month,
           coalesce(sum(c.amount) FILTER (WHERE k.kind = 'cost_of_revenue'), 0) AS cost_of_revenue,
           coalesce(sum(c.amount) FILTER (WHERE k.kind = 'marketing'), 0)       AS marketing
    FROM monthly_costs c
    JOIN cost_categories k ON k.category = c.category
    WHERE c.month >= date_trunc('month', $1::date::timestamp)::date AND c.month <= $2::date
    GROUP BY c.month
)
SELECT mo.month,
       coalesce(s.days, 0),
       coalesce(s.all_days_complete, false),
       coalesce(s.total_transactions, 0),
       coalesce(s.successful_transactions, 0),
       coalesce(s.completed_volume, 0),
       coalesce(s.transaction_revenue, 0),
       coalesce(s.new_users, 0),
       l.last_day,
       coalesce(l.mtd_active_users, 0),
       coalesce(l.mtd_retained_users, 0),
       f.licensing_revenue,
       coalesce(c.cost_of_revenue, 0),
       coalesce(c.marketing, 0)
FROM months mo
LEFT JOIN sums s     ON s.month = mo.month
LEFT JOIN last_row l ON l.month = mo.month
LEFT JOIN fees f     ON f.month = mo.month
LEFT JOIN costs c    ON c.month = mo.month
ORDER BY mo.month
