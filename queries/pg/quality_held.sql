-- Events held for their user or payment, and since when the oldest waits.
SELECT count(*), min(held_at) FROM ingest_held
