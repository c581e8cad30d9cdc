-- Serialises runs of the same job and period (scheduler and a manual backfill may overlap).
SELECT pg_advisory_xact_lock(hashtext($1), $2)
