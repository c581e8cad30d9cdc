-- The first sign-up; NULL for an empty database.
SELECT min(created_at) FROM users
