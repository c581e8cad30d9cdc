-- Payments per SAST day of [$1, $2): initiated (by created_at) and the completed volume (by
-- completed_at: the day each reached its final state, as ClickHouse dates its completed event).
SELECT d, sum(initiated)::bigint, sum(volume)::text
FROM (
    SELECT (created_at AT TIME ZONE 'Africa/Johannesburg')::date AS d, count(*) AS initiated, 0::numeric AS volume
    FROM transactions
    WHERE created_at >= $1 AND created_at < $2
    GROUP BY 1
    UNION ALL
    SELECT (completed_at AT TIME ZONE 'Africa/Johannesburg')::date, 0, sum(amount)
    FROM transactions
    WHERE status = 'COMPLETED' AND completed_at >= $1 AND completed_at < $2
    GROUP BY 1
) per_day
GROUP BY d
ORDER BY d
