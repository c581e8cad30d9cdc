-- New users from signed_up events. A row another batch inserted meanwhile is skipped; the
-- caller compares the count and retries the whole batch, which then sees that row.
INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at, last_active,
                   status, signup_source, referrer_user_id, promo_bank_code, status_changed_at)
SELECT u.id, u.phone, u.blood, u.device_key, u.at, u.at, 'active', u.source,
       NULLIF(u.referrer, '')::uuid, NULLIF(u.promo, ''), u.at
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[])
     AS u(id, phone, blood, device_key, at, source, referrer, promo)
ON CONFLICT DO NOTHING
