-- One row per sender per calendar month in which they sent a transaction. A transaction
-- belongs to exactly one month: [month start, next month start), half-open, in SAST (the seed's
-- BETWEEN counted boundary transactions twice and used 30-day windows from signup).
--   $1 activity month (first day)  $2 its start (instant)  $3 its end (instant, exclusive)
INSERT INTO user_cohorts (user_id, activity_month, cohort_month, months_since_signup,
                          transactions, completed_transactions, completed_volume)
SELECT t.sender_id,
       $1::date,
       c.cohort_month,
       ((extract(year FROM $1::date) - extract(year FROM c.cohort_month)) * 12
        + extract(month FROM $1::date) - extract(month FROM c.cohort_month))::smallint,
       count(*),
       count(*) FILTER (WHERE t.status = 'COMPLETED'),
       coalesce(sum(t.amount) FILTER (WHERE t.status = 'COMPLETED'), 0)
FROM transactions t
JOIN LATERAL (
    SELECT date_trunc('month', u.created_at AT TIME ZONE 'Africa/Johannesburg')::date AS cohort_month
    FROM users u WHERE u.id = t.sender_id
) c ON true
WHERE t.created_at >= $2 AND t.created_at < $3
GROUP BY t.sender_id, c.cohort_month
