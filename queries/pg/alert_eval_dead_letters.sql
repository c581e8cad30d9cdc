-- The dead-letter alert template: events first refused in the window ($1, $2] (a bad line sent
-- again is the same dead letter, counted once, as the Ingestion page lists it).
SELECT count(*) FROM ingest_dead_letters WHERE received_at > $1 AND received_at <= $2
