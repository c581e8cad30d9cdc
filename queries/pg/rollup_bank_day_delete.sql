-- Clears one SAST day ($1) of the per-bank daily rollups before it is recomputed;
-- bank_daily_recipients is brought up to date in place (rollup_bank_recipients_sync).
WITH s AS (DELETE FROM bank_daily_status WHERE day = $1),
     u AS (DELETE FROM bank_daily_senders WHERE day = $1),
     b AS (DELETE FROM bank_daily_latency_buckets WHERE day = $1)
DELETE FROM bank_daily_latency WHERE day = $1
