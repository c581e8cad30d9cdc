-- Returns the previous role; no row when the account does not exist.
UPDATE staff_accounts a SET role = $2, updated_at = $3
FROM (SELECT id, role FROM staff_accounts WHERE id = $1 FOR UPDATE) old
WHERE a.id = old.id
RETURNING a.email, old.role
