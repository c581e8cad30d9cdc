-- +goose Up
-- Edits of a bank partnership or an incident name the version their form was loaded at, and
-- one whose version is no longer current is refused instead of silently undoing a change saved
-- meanwhile (a contract's new fee, an incident someone has just ended). Every change bumps the
-- version; rows that exist now start at 1.
ALTER TABLE bank_partnerships ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0);
ALTER TABLE incidents ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0);

-- +goose Down
ALTER TABLE incidents DROP COLUMN version;
ALTER TABLE bank_partnerships DROP COLUMN version;
