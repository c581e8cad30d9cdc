-- The operations dashboard's alarm levels: the targets with an amber or a red level.
SELECT metric, comparison, amber, red
FROM kpi_targets
WHERE amber IS NOT NULL OR red IS NOT NULL
ORDER BY metric
