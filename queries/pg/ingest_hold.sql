-- Events waiting for a user or payment. One delivered again while it waits keeps its place
-- (held_at: when it first arrived).
INSERT INTO ingest_held (event_id, topic, payload, waiting_for, source, held_at)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
ON CONFLICT (event_id) DO UPDATE SET waiting_for = EXCLUDED.waiting_for
    WHERE ingest_held.waiting_for IS DISTINCT FROM EXCLUDED.waiting_for
