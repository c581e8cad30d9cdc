-- Recomputes growth_users for the users who signed up in [$1, $2) or [$3, $4) (instants: the
-- SAST days the growth job is responsible for). A row is only rewritten when a value changed:
-- the job re-runs every few minutes, and rewriting unchanged rows would fill the table and its
-- indexes with dead versions. Every column is a function of users and
-- transactions only:
--   activated_at  the first sent transaction with status COMPLETED initiated in the 168 hours
--                 (7 × 24 h, half-open) from the sign-up instant;
--   dN_active     any sent transaction (any status) initiated on SAST day signup_day + N.
-- Each lookup is one range probe of transactions_sender_idx (sender_id, created_at), and the
-- referrer's blood hash one primary-key probe (a join would hash every user on every run).
INSERT INTO growth_users (user_id, signup_at, signup_day, signup_source, referrer_user_id, referrer_blood_hash,
                          activated_at, d1_active, d7_active, d30_active)
SELECT u.id, u.created_at, s.day, u.signup_source, u.referrer_user_id,
       (SELECT r.blood_hash FROM users r WHERE r.id = u.referrer_user_id),
       (SELECT min(t.created_at) FROM transactions t
        WHERE t.sender_id = u.id AND t.status = 'COMPLETED'
          AND t.created_at >= u.created_at AND t.created_at < u.created_at + interval '168 hours'),
       EXISTS (SELECT 1 FROM transactions t WHERE t.sender_id = u.id
               AND t.created_at >= (s.day + 1)::timestamp AT TIME ZONE 'Africa/Johannesburg'
               AND t.created_at <  (s.day + 2)::timestamp AT TIME ZONE 'Africa/Johannesburg'),
       EXISTS (SELECT 1 FROM transactions t WHERE t.sender_id = u.id
               AND t.created_at >= (s.day + 7)::timestamp AT TIME ZONE 'Africa/Johannesburg'
               AND t.created_at <  (s.day + 8)::timestamp AT TIME ZONE 'Africa/Johannesburg'),
       EXISTS (SELECT 1 FROM transactions t WHERE t.sender_id = u.id
               AND t.created_at >= (s.day + 30)::timestamp AT TIME ZONE 'Africa/Johannesburg'
               AND t.created_at <  (s.day + 31)::timestamp AT TIME ZONE 'Africa/Johannesburg')
FROM users u
CROSS JOIN LATERAL (SELECT (u.created_at AT TIME ZONE 'Africa/Johannesburg')::date AS day) s
WHERE (u.created_at >= $1 AND u.created_at < $2)
   OR (u.created_at >= $3 AND u.created_at < $4)
ON CONFLICT (user_id) DO UPDATE SET
    signup_at = EXCLUDED.signup_at, signup_day = EXCLUDED.signup_day,
    signup_source = EXCLUDED.signup_source, referrer_user_id = EXCLUDED.referrer_user_id,
    referrer_blood_hash = EXCLUDED.referrer_blood_hash, activated_at = EXCLUDED.activated_at,
    d1_active = EXCLUDED.d1_active, d7_active = EXCLUDED.d7_active, d30_active = EXCLUDED.d30_active
WHERE (growth_users.signup_at, growth_users.signup_day, growth_users.signup_source,
       growth_users.referrer_user_id, growth_users.referrer_blood_hash, growth_users.activated_at,
       growth_users.d1_active, growth_users.d7_active, growth_users.d30_active)
      IS DISTINCT FROM
      (EXCLUDED.signup_at, EXCLUDED.signup_day, EXCLUDED.signup_source,
       EXCLUDED.referrer_user_id, EXCLUDED.referrer_blood_hash, EXCLUDED.activated_at,
       EXCLUDED.d1_active, EXCLUDED.d7_active, EXCLUDED.d30_active)
