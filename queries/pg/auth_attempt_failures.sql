-- Failed sign-ins since $3: for the email (only those after its last success, so a good
-- sign-in clears the count) and for the address.
SELECT
  (SELECT count(*) FROM signin_attempts
    WHERE email = lower($1) AND NOT succeeded
      AND at > greatest($3, coalesce((SELECT max(at) FROM signin_attempts WHERE email = lower($1) AND succeeded), '-infinity'))),
  (SELECT count(*) FROM signin_attempts WHERE ip = $2 AND NOT succeeded AND at > $3)
