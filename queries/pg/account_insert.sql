-- A new staff account; no row (and no id) when the email is taken, whatever its case.
INSERT INTO staff_accounts (email, display_name, password_hash, role, must_change_password, created_at, updated_at)
VALUES (lower($1), $2, $3, $4, $5, $6, $6)
ON CONFLICT ((lower(email))) DO NOTHING
RETURNING id
