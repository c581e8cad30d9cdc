-- +goose Up
-- Financial-model scenarios (issue 5). A scenario is a named set of plan assumptions
-- (finmodel.Assumptions as JSON, every decimal a JSON string, never a float). Every save
-- writes a new row of model_scenario_versions and bumps model_scenarios.version; the current
-- assumptions are also kept on the scenario row so a page needs one read. Saves are
-- optimistic: the editor posts the version it loaded and the UPDATE only matches that version,
-- so a second save from the same base is refused rather than silently overwriting.
--
-- The built-in "Seed plan" is not stored: it is finmodel.SeedPlan(), read-only, shown as the
-- pseudo-scenario "seed", and cannot drift from the code that defines it. Account ids have no
-- foreign key (accounts may be deleted while the history must stay); the email is kept beside.
CREATE TABLE model_scenarios (
    id               bigserial PRIMARY KEY,
    name             varchar(100) NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 100),
    description      text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
    based_on         text NOT NULL DEFAULT '' CHECK (char_length(based_on) <= 300),
    version          integer NOT NULL CHECK (version > 0),
    assumptions      jsonb NOT NULL,
    created_by       bigint,
    created_by_email varchar(254) NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    updated_by       bigint,
    updated_by_email varchar(254) NOT NULL DEFAULT '',
    updated_at       timestamptz NOT NULL
);
-- Names are unique regardless of case ("Base case" and "base case" would be confusing).
CREATE UNIQUE INDEX model_scenarios_name_idx ON model_scenarios (lower(btrim(name)));

CREATE TABLE model_scenario_versions (
    scenario_id      bigint NOT NULL REFERENCES model_scenarios (id) ON DELETE CASCADE,
    version          integer NOT NULL CHECK (version > 0),
    name             varchar(100) NOT NULL,
    description      text NOT NULL DEFAULT '',
    assumptions      jsonb NOT NULL,
    changed_by       bigint,
    changed_by_email varchar(254) NOT NULL DEFAULT '',
    changed_at       timestamptz NOT NULL,
    summary          text NOT NULL CHECK (char_length(summary) <= 4000),
    PRIMARY KEY (scenario_id, version)
);

-- +goose Down
DROP TABLE model_scenario_versions;
DROP TABLE model_scenarios;
