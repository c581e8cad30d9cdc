-- Held events of a topic, oldest first, a page at a time: those after ($3, $4) in that order
-- (the first page: after the beginning of time and the nil id).
SELECT event_id, payload, source, held_at
FROM ingest_held
WHERE topic = $1 AND (held_at, event_id) > ($3, $4::uuid)
ORDER BY held_at, event_id
LIMIT $2
