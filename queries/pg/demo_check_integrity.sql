-- Demo-data tests: counts of rows that break the dataset's rules (each should be 0), and the
-- totals the tests check shares against. $1 = the generator's End instant.
SELECT
    (SELECT count(*) FROM users u JOIN users r ON r.id = u.referrer_user_id
      WHERE r.created_at >= u.created_at)                                        AS late_referrers,
    (SELECT count(*) FROM users WHERE signup_source = 'referral')                 AS referrals,
    (SELECT count(*) FROM users WHERE created_at > $1 OR last_active > $1)
  + (SELECT count(*) FROM transactions WHERE created_at > $1 OR completed_at > $1)
  + (SELECT count(*) FROM incidents WHERE started_at > $1 OR ended_at > $1 OR ended_at IS NULL
        OR created_at > $1)
  + (SELECT count(*) FROM bank_partnerships WHERE created_at > $1 OR updated_at > $1) AS after_end,
    (SELECT count(*) FROM users u
      WHERE u.last_active IS DISTINCT FROM coalesce(
            (SELECT max(t.created_at) FROM transactions t WHERE t.sender_id = u.id),
            u.created_at))                                                       AS wrong_last_active,
    (SELECT count(*) FROM transactions t JOIN bank_partnerships b ON b.bank_code = t.bank_id
      WHERE (t.created_at AT TIME ZONE 'Africa/Johannesburg')::date < b.contract_start_date
         OR (t.created_at AT TIME ZONE 'Africa/Johannesburg')::date > b.contract_end_date) AS bank_not_in_force,
    (SELECT count(*) FROM users u JOIN bank_partnerships b ON b.bank_code = u.promo_bank_code
      WHERE (u.created_at AT TIME ZONE 'Africa/Johannesburg')::date < b.contract_start_date
         OR (u.created_at AT TIME ZONE 'Africa/Johannesburg')::date > b.contract_end_date) AS promo_not_in_force,
    (SELECT count(*) FROM transactions
      WHERE status = 'PENDING' AND created_at < $1 - interval '3 minutes')       AS stale_pending,
    (SELECT count(*) FROM transactions WHERE sender_id = recipient_id)           AS self_payments,
    (SELECT count(*) FROM transactions)                                          AS transactions,
    (SELECT count(*) FROM transactions WHERE status = 'FAILED')                  AS failed,
    (SELECT count(*) FROM transactions WHERE is_fraud)                           AS fraud,
    (SELECT count(*) FROM transactions WHERE channel = 'offline_sms')            AS offline
