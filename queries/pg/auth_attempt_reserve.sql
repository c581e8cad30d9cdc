-- Records an attempt as pending before its password is checked.
INSERT INTO signin_attempts (at, email, ip, succeeded) VALUES ($1, lower($2), $3, NULL) RETURNING id
