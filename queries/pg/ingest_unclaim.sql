-- Forgets claimed events that were held or rejected, so a later delivery is judged again.
DELETE FROM ingest_ledger WHERE event_id = ANY($1::uuid[])
