-- Demo-data tests: users per sign-up source.
SELECT signup_source, count(*)
FROM users
GROUP BY signup_source
ORDER BY signup_source
