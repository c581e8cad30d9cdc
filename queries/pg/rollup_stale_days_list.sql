-- Days marked as changed by late events, oldest first, and when each was marked.
SELECT day, marked_at FROM rollup_stale_days ORDER BY day
