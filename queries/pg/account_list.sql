-- Every staff account, enabled ones first, then by email.
SELECT id, email, display_name, password_hash, role, disabled, must_change_password, created_at, updated_at, last_sign_in_at
FROM staff_accounts
ORDER BY disabled, email
