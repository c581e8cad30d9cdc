-- +goose Up
-- Monthly investor reports and the read-only links investors open them with.
--
-- A report is one version of one calendar month's report. While it is a draft its figures are
-- computed live from the rollups; publishing freezes them into `figures` (exact decimals as
-- JSON strings), and a published row never changes again (trigger below). A correction is a
-- new version of the same month. Account ids have no foreign key: accounts may be deleted,
-- while reports, links and their audit trail must stay; the email is kept beside each id.
CREATE TABLE investor_reports (
    id                 bigserial PRIMARY KEY,
    month              date NOT NULL CHECK (extract(day FROM month) = 1),
    version            integer NOT NULL CHECK (version > 0),
    status             varchar(10) NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    figures            jsonb,
    milestones         text NOT NULL DEFAULT '' CHECK (char_length(milestones) <= 5000),
    challenges         text NOT NULL DEFAULT '' CHECK (char_length(challenges) <= 5000),
    next_month_goals   text NOT NULL DEFAULT '' CHECK (char_length(next_month_goals) <= 5000),
    created_by         bigint,
    created_by_email   varchar(254) NOT NULL DEFAULT '',
    updated_by         bigint,
    updated_by_email   varchar(254) NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    published_at       timestamptz,
    published_by       bigint,
    published_by_email varchar(254) NOT NULL DEFAULT '',
    UNIQUE (month, version),
    -- A published report has its frozen figures and its publication; a draft has neither.
    CHECK ((status = 'published') = (figures IS NOT NULL AND published_at IS NOT NULL))
);
-- At most one draft per month: a second "new version" opens the existing draft.
CREATE UNIQUE INDEX investor_reports_one_draft_idx ON investor_reports (month) WHERE status = 'draft';

-- +goose StatementBegin
CREATE FUNCTION investor_reports_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'investor report % is published and cannot change', OLD.id;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER investor_reports_frozen BEFORE UPDATE OR DELETE ON investor_reports
    FOR EACH ROW EXECUTE FUNCTION investor_reports_frozen();

-- One read-only link for one named recipient to one published report. Only the SHA-256 of
-- the token is stored; the token itself is shown once, when the link is made.
CREATE TABLE report_links (
    id                  bigserial PRIMARY KEY,
    report_id           bigint NOT NULL REFERENCES investor_reports(id),
    recipient_name      varchar(200) NOT NULL CHECK (btrim(recipient_name) <> ''),
    token_hash          bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_by          bigint,
    created_by_email    varchar(254) NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL CHECK (expires_at > created_at),
    revoked_at          timestamptz,
    replaced_by_link_id bigint REFERENCES report_links(id)
);
CREATE INDEX report_links_report_idx ON report_links (report_id, created_at DESC);

-- +goose StatementBegin
CREATE FUNCTION report_links_published_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM investor_reports WHERE id = NEW.report_id AND status = 'published') THEN
        RAISE EXCEPTION 'report % is not published: it cannot be linked', NEW.report_id;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER report_links_published_only BEFORE INSERT ON report_links
    FOR EACH ROW EXECUTE FUNCTION report_links_published_only();

-- Every opening of a link.
CREATE TABLE report_link_views (
    id         bigserial PRIMARY KEY,
    link_id    bigint NOT NULL REFERENCES report_links(id),
    viewed_at  timestamptz NOT NULL,
    ip         varchar(64) NOT NULL DEFAULT '',
    user_agent varchar(500) NOT NULL DEFAULT ''
);
CREATE INDEX report_link_views_link_idx ON report_link_views (link_id, viewed_at DESC);

-- +goose Down
DROP TABLE report_link_views;
DROP TABLE report_links;
DROP FUNCTION report_links_published_only();
DROP TABLE investor_reports;
DROP FUNCTION investor_reports_frozen();
