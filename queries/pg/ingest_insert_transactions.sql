-- New payments from initiated events: pending, or already final when their completed or failed
-- event came in the same batch (one write instead of an insert and an update, which rewrites
-- every index of the row). A row another batch inserted meanwhile is skipped; the caller
-- compares the count and retries the batch.
--   $12 status   $13 completed_at (text, '' while pending)   $14 processing ms (-1 while pending)
--   $15 failure reason ('' unless failed)
INSERT INTO transactions (id, sender_id, recipient_id, amount, currency, status, physics_seal_hash,
                          bank_id, created_at, channel, device_type, app_version, completed_at,
                          processing_time_ms, failure_reason)
SELECT u.id, u.sender, u.recipient, u.amount, u.currency, u.status, u.seal, u.bank, u.at, u.channel,
       NULLIF(u.device, ''), NULLIF(u.version, ''), NULLIF(u.completed, '')::timestamptz,
       NULLIF(u.ms, -1), NULLIF(u.reason, '')
FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::numeric[], $5::text[], $6::text[], $7::text[],
            $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::int[],
            $15::text[])
     AS u(id, sender, recipient, amount, currency, seal, bank, at, channel, device, version, status, completed,
          ms, reason)
ON CONFLICT DO NOTHING
