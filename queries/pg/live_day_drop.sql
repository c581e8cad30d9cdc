-- Forgets what the live refreshes of days up to $1 kept (see 00020_rollup_live_day.sql): a run
-- that computes $1 from the source tables leaves the next refresh to start afresh.
WITH senders AS (
    DELETE FROM live_day_senders WHERE day <= $1
), candidates AS (
    DELETE FROM live_day_churn_candidates WHERE day <= $1
)
DELETE FROM live_days WHERE day <= $1
