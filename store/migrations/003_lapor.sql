-- LAPOR! reports. A complaint carries the report's privacy flags so that
-- every list can hide a confidential (rahasia) or anonymous (anonim) reporter.
ALTER TABLE complaints
    ADD COLUMN confidential boolean NOT NULL DEFAULT false,
    ADD COLUMN anonymous    boolean NOT NULL DEFAULT false;

-- One complaint per LAPOR! tracking id and agency, whichever core process
-- sees the report first.
CREATE UNIQUE INDEX complaints_lapor_ref ON complaints (account, external_ref) WHERE channel = 'lapor';

-- What LAPOR! says about a report beyond the complaint's text. When the
-- reporter's identity is withheld and LAPOR! still gave it to the agency, it
-- is kept here sealed with the NIK key, never on the reporter row that lists
-- read.
CREATE TABLE lapor_reports (
    complaint_id     bigint PRIMARY KEY REFERENCES complaints (id),
    account          text        NOT NULL,
    tracking_id      text        NOT NULL,
    title            text        NOT NULL DEFAULT '',
    category         text        NOT NULL DEFAULT '',
    classification   text        NOT NULL DEFAULT '',
    location         text        NOT NULL DEFAULT '',
    status_at_import text        NOT NULL DEFAULT '',
    event_at         timestamptz,
    filed_at         timestamptz,
    disposed_at      timestamptz,
    identity_sealed  bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account, tracking_id)
);
