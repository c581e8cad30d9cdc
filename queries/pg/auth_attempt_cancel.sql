-- Forgets a pending attempt whose password was never checked (the server was too busy).
DELETE FROM signin_attempts WHERE id = $1
