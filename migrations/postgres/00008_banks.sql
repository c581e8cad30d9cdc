-- +goose Up
-- The bank pages aggregate one range of transactions per bank (distinct senders, counts and
-- completed volume by status). Covering those columns makes the scan index-only: measured on
-- the demo data (276k transactions in the default 6 months) 365 ms → 133 ms. It replaces
-- transactions_bank_idx, whose columns are its prefix.
CREATE INDEX transactions_bank_cover_idx ON transactions (bank_id, created_at) INCLUDE (sender_id, status, amount);
DROP INDEX transactions_bank_idx;

-- +goose Down
CREATE INDEX transactions_bank_idx ON transactions (bank_id, created_at);
DROP INDEX transactions_bank_cover_idx;
