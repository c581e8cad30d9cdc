-- +goose Up
-- Who did what, when: sign-ins, failed sign-ins, account and role changes, link creation and
-- revocation, report publishing, and later scenario and partnership edits. Append-only.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint,                 -- staff account id; NULL for the anonymous (failed sign-in, link views)
    actor_email varchar(254) NOT NULL DEFAULT '',
    action      varchar(60)  NOT NULL,  -- e.g. 'signin', 'signin_failed', 'account_created', 'link_created'
    target      varchar(200) NOT NULL DEFAULT '',
    detail      text         NOT NULL DEFAULT '',
    ip          varchar(64)  NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);

-- +goose Down
DROP TABLE audit_log;
