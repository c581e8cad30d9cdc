-- Counts a request's accepted events against its token.
UPDATE ingest_tokens SET last_used_at = $2, events_accepted = events_accepted + $3 WHERE id = $1
