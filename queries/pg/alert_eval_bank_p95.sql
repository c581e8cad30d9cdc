-- The processing-time alert template: bank $3's SLA and the exact histogram of the processing
-- times of its payments that reached their final state (completed or failed) in the window
-- ($1, $2], ascending. One row with NULL ms and count when there were none; no row when the
-- bank does not exist. The p95 is percentile.NearestRank of the histogram, computed in Go.
SELECT b.sla_p95_ms, h.ms, h.n
FROM bank_partnerships b
LEFT JOIN LATERAL (
    SELECT t.processing_time_ms AS ms, count(*) AS n
    FROM transactions t
    WHERE t.completed_at > $1 AND t.completed_at <= $2
      AND t.bank_id = b.bank_code
      AND t.status IN ('COMPLETED', 'FAILED')
      AND t.processing_time_ms IS NOT NULL
    GROUP BY t.processing_time_ms
) h ON true
WHERE b.bank_code = $3
ORDER BY h.ms
