-- +goose Up
-- Keys of the JSON API (/api/v1): each names the scopes it may read, optionally the one bank
-- whose figures it sees, and its own rate limit. Only the SHA-256 of a key is kept: a key has
-- 256 random bits, so the hash cannot be reversed by guessing, and a lookup is one index probe.
CREATE TABLE api_keys (
    id              bigserial    PRIMARY KEY,
    name            varchar(100) NOT NULL CHECK (length(name) > 0),
    key_hash        bytea        NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    scopes          text[]       NOT NULL CHECK (cardinality(scopes) > 0 AND
                        scopes <@ ARRAY['metrics:read', 'users:read', 'banks:read', 'transactions:read']::text[]),
    -- NULL: every bank. A key restricted to a bank sees only that bank's figures; a user's
    -- profile is not one bank's figure, so such a key may not read users.
    bank_id         varchar(20)  REFERENCES bank_partnerships (bank_code) ON UPDATE CASCADE,
    expires_at      timestamptz,
    rate_per_minute int          NOT NULL CHECK (rate_per_minute > 0),
    created_at      timestamptz  NOT NULL DEFAULT now(),
    created_by      text         NOT NULL DEFAULT '',
    revoked_at      timestamptz,
    uses            bigint       NOT NULL DEFAULT 0,
    -- Requests the rate limit refused.
    refused         bigint       NOT NULL DEFAULT 0,
    last_used_at    timestamptz,
    -- The rate limit's fixed window: the calendar minute of the latest request and how many
    -- requests it has had. It lives here, not in a server's memory, so every instance of the
    -- app counts against the same limit.
    window_start    timestamptz,
    window_requests int          NOT NULL DEFAULT 0,
    CHECK (bank_id IS NULL OR NOT 'users:read' = ANY (scopes))
);
-- A name is unique among keys not revoked; a revoked key's name can be given to its successor.
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;

-- +goose Down
DROP TABLE api_keys;
