-- The newest dead letters, for the admins' ingestion page.
SELECT id, topic, source, coalesce(event_id::text, ''), reason, payload, received_at, last_seen, times_seen
FROM ingest_dead_letters
ORDER BY last_seen DESC, id DESC
LIMIT $1
