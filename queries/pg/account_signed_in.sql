UPDATE staff_accounts SET last_sign_in_at = $2 WHERE id = $1
