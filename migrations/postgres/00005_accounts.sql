-- +goose Up
-- Staff accounts, their sessions (the table github.com/alexedwards/scs/pgxstore expects) and
-- the sign-in attempts the rate limits count. Emails are stored lower-cased; the unique index
-- on lower(email) keeps them unique case-insensitively even if a writer forgets.
CREATE TABLE staff_accounts (
    id                   bigserial PRIMARY KEY,
    email                varchar(254) NOT NULL CHECK (email = lower(email) AND email <> ''),
    display_name         varchar(100) NOT NULL DEFAULT '',
    password_hash        text         NOT NULL,
    role                 varchar(20)  NOT NULL CHECK (role IN ('admin', 'executive', 'ops', 'partnerships')),
    disabled             boolean      NOT NULL DEFAULT false,
    must_change_password boolean      NOT NULL DEFAULT false,
    created_at           timestamptz  NOT NULL DEFAULT now(),
    updated_at           timestamptz  NOT NULL DEFAULT now(),
    last_sign_in_at      timestamptz
);
CREATE UNIQUE INDEX staff_accounts_email_idx ON staff_accounts (lower(email));

CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- One row per checked sign-in (not for refused, rate-limited or malformed ones).
CREATE TABLE signin_attempts (
    id        bigserial PRIMARY KEY,
    at        timestamptz  NOT NULL,
    email     varchar(254) NOT NULL,
    ip        varchar(64)  NOT NULL,
    succeeded boolean      NOT NULL
);
CREATE INDEX signin_attempts_email_idx ON signin_attempts (email, at);
CREATE INDEX signin_attempts_ip_idx ON signin_attempts (ip, at) WHERE NOT succeeded;

-- +goose Down
DROP TABLE signin_attempts;
DROP TABLE sessions;
DROP TABLE staff_accounts;
