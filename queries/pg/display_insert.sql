INSERT INTO display_links (name, token_hash, created_by, created_by_email, created_at)
VALUES ($1, $2, $3, $4, $5)
RETURNING id
