-- +goose Up
-- A sign-in is recorded before its password is checked, as pending (succeeded IS NULL), in
-- the same locked step that counts the earlier ones: parallel attempts cannot all pass the
-- limit before any of them is counted. A pending attempt counts as a failure until it ends.
ALTER TABLE signin_attempts ALTER COLUMN succeeded DROP NOT NULL;
DROP INDEX signin_attempts_ip_idx;
CREATE INDEX signin_attempts_ip_idx ON signin_attempts (ip, at) WHERE succeeded IS NOT TRUE;
-- Failures of one account from one address, and the addresses an account signed in from.
CREATE INDEX signin_attempts_pair_idx ON signin_attempts (email, ip, at);

-- +goose Down
DROP INDEX signin_attempts_pair_idx;
DROP INDEX signin_attempts_ip_idx;
DELETE FROM signin_attempts WHERE succeeded IS NULL;
ALTER TABLE signin_attempts ALTER COLUMN succeeded SET NOT NULL;
CREATE INDEX signin_attempts_ip_idx ON signin_attempts (ip, at) WHERE NOT succeeded;
