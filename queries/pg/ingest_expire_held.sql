-- Held events that waited longer than allowed become dead letters: what they refer to is not
-- coming. Their fingerprint is that of the event as held (topic and JSON). One row per event
-- moved, naming its topic.
--   $1 held before this instant expire   $2 now
WITH expired AS (
    DELETE FROM ingest_held WHERE held_at < $1
    RETURNING event_id, topic, payload, waiting_for, source
)
INSERT INTO ingest_dead_letters (fingerprint, topic, source, event_id, reason, payload, received_at, last_seen)
SELECT sha256(convert_to(topic || E'\n' || payload, 'UTF8')), topic, source, event_id,
       'waited too long: ' || waiting_for, payload, $2, $2
FROM expired
ON CONFLICT (fingerprint) DO UPDATE
SET times_seen = ingest_dead_letters.times_seen + 1, last_seen = EXCLUDED.last_seen, reason = EXCLUDED.reason
RETURNING topic
