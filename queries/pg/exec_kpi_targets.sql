SELECT metric, comparison, target FROM kpi_targets ORDER BY metric
