-- The referrers of the users who signed up through a referral on the SAST days [$1, $2], the
-- $4 who referred the most (ties: more activated, then blood hash). Referrers are named by their
-- blood hash only, never a phone hash; growth_users carries it, so this is one index-only scan
-- of growth_users_referred_idx. Activation is known for referred users whose signup day is on
-- or before $3 (their 7-day window has closed); activated_all also counts users still in their
-- window who have already activated. total_referrers counts every referrer of the range.
SELECT referrer_blood_hash,
       count(*)                                                    AS referred,
       count(activated_at)                                         AS activated_all,
       count(*) FILTER (WHERE signup_day <= $3::date)              AS known,
       count(activated_at) FILTER (WHERE signup_day <= $3::date)   AS activated_known,
       count(*) OVER ()                                            AS total_referrers
FROM growth_users
WHERE referrer_blood_hash IS NOT NULL
  AND signup_day BETWEEN $1::date AND $2::date
GROUP BY referrer_blood_hash
ORDER BY referred DESC, activated_all DESC, referrer_blood_hash
LIMIT $4
