-- An account's status follows its newest status_changed event: a late event older than the
-- change already applied is ignored.
UPDATE users
SET status = u.status, status_changed_at = u.at
FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS u(id, status, at)
WHERE users.id = u.id AND (users.status_changed_at IS NULL OR users.status_changed_at <= u.at)
