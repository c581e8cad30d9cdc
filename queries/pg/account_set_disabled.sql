UPDATE staff_accounts SET disabled = $2, updated_at = $3
WHERE id = $1
RETURNING email
