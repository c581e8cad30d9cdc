-- +goose Up
-- Core transactional tables (seed §2), as valid PostgreSQL: timestamptz everywhere, CHECK
-- constraints for the enumerations, and indexes created separately (the seed's inline INDEX
-- clauses are MySQL syntax). All timestamps are instants; calendar days are taken in
-- Africa/Johannesburg by the queries, never by the column type.

CREATE TABLE bank_partnerships (
    id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    bank_name                  varchar(100) NOT NULL,
    bank_code                  varchar(20)  NOT NULL UNIQUE,
    status                     varchar(20)  NOT NULL DEFAULT 'pilot'
                               CHECK (status IN ('pilot', 'active', 'inactive')),
    contract_start_date        date NOT NULL,
    contract_end_date          date,
    -- Licensing fee in rand per calendar month while the contract is in force.
    monthly_fee                numeric(12,2) NOT NULL DEFAULT 0 CHECK (monthly_fee >= 0),
    -- The bank's share of Mari's per-transaction fee (seed §8: 30%), as a fraction.
    transaction_fee_percentage numeric(5,4) NOT NULL DEFAULT 0.3000
                               CHECK (transaction_fee_percentage >= 0 AND transaction_fee_percentage <= 1),
    -- Processing-time SLA: p95 of completed transactions must stay under this.
    sla_p95_ms                 integer NOT NULL DEFAULT 3000 CHECK (sla_p95_ms > 0),
    api_endpoint               varchar(255),
    api_key_hash               varchar(64),
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    CHECK (contract_end_date IS NULL OR contract_end_date >= contract_start_date)
);

CREATE TABLE users (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    phone_number_hash varchar(64) NOT NULL UNIQUE,
    blood_hash        varchar(16) NOT NULL UNIQUE,
    device_public_key text        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_active       timestamptz NOT NULL DEFAULT now(),
    status            varchar(20) NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'suspended', 'closed')),
    signup_source     varchar(50) NOT NULL DEFAULT 'organic'
                      CHECK (signup_source IN ('organic', 'referral', 'bank_promotion')),
    referrer_user_id  uuid REFERENCES users(id),
    -- The bank that ran the promotion a 'bank_promotion' user signed up through.
    promo_bank_code   varchar(20) REFERENCES bank_partnerships(bank_code) ON UPDATE CASCADE,
    CHECK ((signup_source = 'referral') = (referrer_user_id IS NOT NULL)),
    CHECK (referrer_user_id IS DISTINCT FROM id)
);
-- UNIQUE already indexes phone_number_hash and blood_hash.
CREATE INDEX users_created_at_idx ON users (created_at);
CREATE INDEX users_referrer_idx ON users (referrer_user_id) WHERE referrer_user_id IS NOT NULL;

CREATE TABLE transactions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sender_id          uuid NOT NULL REFERENCES users(id),
    recipient_id       uuid NOT NULL REFERENCES users(id),
    amount             numeric(15,2) NOT NULL CHECK (amount > 0),
    currency           char(3) NOT NULL DEFAULT 'ZAR',
    status             varchar(20) NOT NULL DEFAULT 'PENDING'
                       CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
    physics_seal_hash  varchar(64) NOT NULL UNIQUE,
    bank_id            varchar(20) REFERENCES bank_partnerships(bank_code) ON UPDATE CASCADE,
    bank_reference     varchar(100),
    created_at         timestamptz NOT NULL DEFAULT now(),
    -- When the transaction reached its final state (completed or failed).
    completed_at       timestamptz,
    channel            varchar(20) NOT NULL CHECK (channel IN ('online', 'offline_sms')),
    device_type        varchar(50),
    app_version        varchar(20),
    -- Milliseconds from initiation to the final state; NULL while pending.
    processing_time_ms integer CHECK (processing_time_ms >= 0),
    -- Set for failed transactions: why (e.g. 'insufficient_funds', 'bank_timeout').
    failure_reason     varchar(50),
    -- Confirmed fraud (set by the risk team; a fraudulent transaction may still have completed).
    is_fraud           boolean NOT NULL DEFAULT false,
    CHECK ((status = 'FAILED') = (failure_reason IS NOT NULL)),
    CHECK ((status = 'PENDING') = (completed_at IS NULL)),
    CHECK (completed_at IS NULL OR completed_at >= created_at)
);
-- The rollups scan one SAST day at a time; the covering columns make them index-only.
CREATE INDEX transactions_created_at_idx ON transactions (created_at) INCLUDE (sender_id, status, amount);
CREATE INDEX transactions_sender_idx ON transactions (sender_id, created_at);
CREATE INDEX transactions_recipient_idx ON transactions (recipient_id, created_at);
CREATE INDEX transactions_bank_idx ON transactions (bank_id, created_at);
CREATE INDEX transactions_pending_idx ON transactions (created_at) WHERE status = 'PENDING';

-- +goose Down
DROP TABLE transactions;
DROP TABLE users;
DROP TABLE bank_partnerships;
