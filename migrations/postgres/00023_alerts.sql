-- +goose Up
-- Alerts: rules made from templates, their state, every change of state, silences, and the
-- notifications waiting to go out (an outbox written in the same transaction as the change of
-- state it announces, so a restart between the two loses nothing and sends nothing twice).

CREATE TABLE alert_rules (
    id                bigserial    PRIMARY KEY,
    name              varchar(100) NOT NULL CHECK (length(name) > 0),
    template          varchar(20)  NOT NULL
                      CHECK (template IN ('success_rate', 'no_events', 'bank_p95', 'dead_letters', 'rollup_failure')),
    -- success_rate: one bank, or NULL for every bank; bank_p95: the bank (required).
    bank_code         varchar(20)  REFERENCES bank_partnerships (bank_code) ON UPDATE CASCADE,
    -- success_rate: the percentage the rate must not fall below; dead_letters: the count it
    -- must not rise above. NULL for the others.
    threshold         numeric(9,2) CHECK (threshold >= 0),
    -- The window the condition looks at (the last N minutes); NULL for rollup_failure.
    window_minutes    integer      CHECK (window_minutes BETWEEN 1 AND 1440),
    -- How long the condition must hold before the rule fires, and be false before it resolves.
    for_minutes       integer      NOT NULL CHECK (for_minutes BETWEEN 0 AND 1440),
    -- success_rate: completed + failed payments; bank_p95: final payments. Below it the rule
    -- has not enough data and does not fire.
    min_attempts      integer      NOT NULL DEFAULT 0 CHECK (min_attempts >= 0),
    webhook_url       text         NOT NULL DEFAULT '',
    email_to          text         NOT NULL DEFAULT '', -- comma-separated addresses
    created_at        timestamptz  NOT NULL,
    created_by        text         NOT NULL DEFAULT '',
    deleted_at        timestamptz,

    -- The rule's state: ok, pending (the condition holds, not yet for for_minutes), firing,
    -- resolved (firing ended at the last evaluation; ok at the next one that finds it clear).
    state             varchar(10)  NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'pending', 'firing', 'resolved')),
    state_since       timestamptz  NOT NULL,
    firing_since      timestamptz, -- the current (or last) firing's start: Alertmanager's startsAt
    resolved_at       timestamptz, -- when the last firing resolved: its endsAt
    -- While firing: the first evaluation of the run that found the condition false.
    clear_since       timestamptz,
    -- What the rule's channels were last told: true after a firing notification, false after a
    -- resolved one. Whenever the rule is not silenced, an evaluation that finds the state and
    -- this disagree queues the notification that brings them in line, so a firing kept quiet by
    -- a silence is announced when the silence ends, and only an announced firing is resolved.
    announced         boolean      NOT NULL DEFAULT false,
    last_evaluated_at timestamptz,
    last_outcome      varchar(12)  CHECK (last_outcome IN ('holds', 'clear', 'not_enough', 'error')),
    last_value        numeric,
    last_detail       text         NOT NULL DEFAULT '',
    CHECK (template <> 'bank_p95' OR bank_code IS NOT NULL),
    CHECK (template = 'rollup_failure' OR window_minutes IS NOT NULL),
    CHECK (template NOT IN ('success_rate', 'dead_letters') OR threshold IS NOT NULL)
);
-- A name is unique among the rules not deleted, whatever its letter case.
CREATE UNIQUE INDEX alert_rules_live_name ON alert_rules (lower(name)) WHERE deleted_at IS NULL;

-- Every change of a rule's state, with the value that caused it.
CREATE TABLE alert_history (
    id         bigserial   PRIMARY KEY,
    rule_id    bigint      NOT NULL REFERENCES alert_rules (id),
    at         timestamptz NOT NULL,
    from_state varchar(10) NOT NULL,
    to_state   varchar(10) NOT NULL,
    value      numeric,
    detail     text        NOT NULL,
    silenced   boolean     NOT NULL DEFAULT false
);
CREATE INDEX alert_history_at_idx ON alert_history (at DESC, id DESC);

-- A silence keeps a rule's notifications from being sent from starts_at until ends_at (or
-- until someone ends it early); the rule still changes state and records its history.
CREATE TABLE alert_silences (
    id         bigserial   PRIMARY KEY,
    rule_id    bigint      NOT NULL REFERENCES alert_rules (id),
    reason     text        NOT NULL CHECK (length(reason) > 0),
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    created_by text        NOT NULL DEFAULT '',
    ended_at   timestamptz,
    ended_by   text,
    CHECK (ends_at > starts_at)
);
CREATE INDEX alert_silences_rule_idx ON alert_silences (rule_id, ends_at DESC);

-- The outbox of notifications: one row per rule, change and channel. The deliverer claims due
-- rows for a while (claimed_until), sends them, and marks them delivered, or schedules the
-- next attempt (exponential back-off), or gives up (failed_at) a day after the row was made.
CREATE TABLE alert_deliveries (
    id              bigserial   PRIMARY KEY,
    rule_id         bigint      NOT NULL REFERENCES alert_rules (id),
    kind            varchar(10) NOT NULL CHECK (kind IN ('firing', 'resolved', 'test')),
    channel         varchar(10) NOT NULL CHECK (channel IN ('webhook', 'email')),
    target          text        NOT NULL, -- the webhook's URL, or the comma-separated addresses
    subject         text        NOT NULL DEFAULT '',
    body            text        NOT NULL, -- the webhook's JSON, or the email's text
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    claimed_until   timestamptz,
    attempts        integer     NOT NULL DEFAULT 0,
    last_attempt_at timestamptz,
    last_error      text        NOT NULL DEFAULT '',
    delivered_at    timestamptz,
    failed_at       timestamptz
);
CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX alert_deliveries_created_idx ON alert_deliveries (created_at DESC, id DESC);

-- The success-rate and processing-time rules read the payments that reached their final state
-- in the last minutes, every 30 seconds: by the time they became final, which no other index
-- serves. Partial, so a payment enters it once, when it becomes final.
CREATE INDEX transactions_completed_at_idx ON transactions (completed_at) INCLUDE (status, bank_id, processing_time_ms)
    WHERE completed_at IS NOT NULL;

-- +goose Down
DROP INDEX transactions_completed_at_idx;
DROP TABLE alert_deliveries;
DROP TABLE alert_silences;
DROP TABLE alert_history;
DROP TABLE alert_rules;
