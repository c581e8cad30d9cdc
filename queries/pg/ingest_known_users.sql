-- Which of these users exist, and the users owning any of these phone or blood hashes.
--   $1 user ids   $2 phone_number_hash values   $3 blood_hash values
SELECT id, phone_number_hash, blood_hash
FROM users
WHERE id = ANY($1::uuid[]) OR phone_number_hash = ANY($2::text[]) OR blood_hash = ANY($3::text[])
