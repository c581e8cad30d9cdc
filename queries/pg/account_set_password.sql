UPDATE staff_accounts SET password_hash = $2, must_change_password = $3, updated_at = $4
WHERE id = $1
RETURNING email
