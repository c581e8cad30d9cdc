-- Incidents still open at $1 (started, not ended): how many, and the one to name on the wall
-- screen — the most severe, then the longest running.
SELECT count(*),
       (array_agg(title ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 ELSE 2 END, started_at, id))[1],
       (array_agg(severity ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 ELSE 2 END, started_at, id))[1],
       (array_agg(started_at ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 ELSE 2 END, started_at, id))[1]
FROM incidents
WHERE started_at <= $1 AND ended_at IS NULL
