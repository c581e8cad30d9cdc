-- +goose Up
-- Display links: a wall screen (a TV in the ops room) opens the operations dashboard read-only
-- through /display/<token>. The token is 32 random bytes shown once; only its SHA-256 is
-- stored. Links do not expire (a wall screen runs for months) but can be revoked at once.
-- created_by has no foreign key, like the report links: accounts may go, the trail stays.
CREATE TABLE display_links (
    id               bigserial PRIMARY KEY,
    name             varchar(200) NOT NULL CHECK (char_length(btrim(name)) > 0),
    token_hash       bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_by       bigint,
    created_by_email varchar(254) NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    revoked_at       timestamptz
);

-- +goose Down
DROP TABLE display_links;
