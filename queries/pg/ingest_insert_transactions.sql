-- New payments from initiated events, pending until their final event. A row another batch
-- inserted meanwhile is skipped; the caller compares the count and retries the batch.
INSERT INTO transactions (id, sender_id, recipient_id, amount, currency, status, physics_seal_hash,
                          bank_id, created_at, channel, device_type, app_version)
SELECT u.id, u.sender, u.recipient, u.amount, u.currency, 'PENDING', u.seal, u.bank, u.at, u.channel,
       NULLIF(u.device, ''), NULLIF(u.version, '')
FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::numeric[], $5::text[], $6::text[], $7::text[],
            $8::timestamptz[], $9::text[], $10::text[], $11::text[])
     AS u(id, sender, recipient, amount, currency, seal, bank, at, channel, device, version)
ON CONFLICT DO NOTHING
