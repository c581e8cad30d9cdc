-- The ingestion page's counters: events seen today and in the last hour, held, dead letters.
--   $1 start of today (SAST)   $2 one hour ago
SELECT (SELECT count(*) FROM ingest_ledger WHERE received_at >= $1),
       (SELECT count(*) FROM ingest_ledger WHERE received_at >= $2),
       (SELECT count(*) FROM ingest_held),
       (SELECT min(held_at) FROM ingest_held),
       (SELECT count(*) FROM ingest_dead_letters),
       (SELECT count(*) FROM ingest_dead_letters WHERE last_seen >= $1)
