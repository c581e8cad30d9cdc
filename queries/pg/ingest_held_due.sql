-- Held events of a topic, oldest first, to try again.
SELECT event_id, payload, source, held_at
FROM ingest_held
WHERE topic = $1
ORDER BY held_at, event_id
LIMIT $2
