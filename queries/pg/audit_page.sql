-- One page of the audit log, newest first. $1 the action ('' for all); $2 text the actor's
-- email contains, any case ('' for all); $3, $4 the window [from, to) (NULL for open ends);
-- $5, $6 the (at, id) of the previous page's last entry (NULL on the first page), so a page
-- stays put while new entries arrive; $7 the number of rows to read.
SELECT id, at, actor_id, actor_email, action, target, detail, ip
FROM audit_log
WHERE ($1::text = '' OR action = $1::text)
  AND ($2::text = '' OR strpos(lower(actor_email), lower($2::text)) > 0)
  AND ($3::timestamptz IS NULL OR at >= $3::timestamptz)
  AND ($4::timestamptz IS NULL OR at < $4::timestamptz)
  AND ($5::timestamptz IS NULL OR (at, id) < ($5::timestamptz, $6::bigint))
ORDER BY at DESC, id DESC
LIMIT $7
