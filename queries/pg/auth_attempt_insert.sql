INSERT INTO signin_attempts (at, email, ip, succeeded) VALUES ($1, lower($2), $3, $4)
