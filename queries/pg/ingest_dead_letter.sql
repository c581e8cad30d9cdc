-- Events that can never be applied. The same line again (same fingerprint) is counted, not
-- stored twice.
INSERT INTO ingest_dead_letters (fingerprint, topic, source, event_id, reason, payload, received_at, last_seen)
SELECT u.fingerprint, u.topic, u.source, NULLIF(u.event_id, '')::uuid, u.reason, u.payload, $7, $7
FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
     AS u(fingerprint, topic, source, event_id, reason, payload)
ON CONFLICT (fingerprint) DO UPDATE
SET times_seen = ingest_dead_letters.times_seen + 1, last_seen = EXCLUDED.last_seen,
    reason = EXCLUDED.reason, source = EXCLUDED.source
