-- Uji konsekuensi (consequence test): whether a finished complaint's
-- follow-up result may be made public, decided by pimpinan or admin. Every
-- decision is kept; a later one supersedes the earlier (superseded_at set),
-- so at most one is current per complaint. summary is written for the
-- public, separate from the internal result, and required to publish.
CREATE TABLE publication_decisions (
    id            bigserial PRIMARY KEY,
    complaint_id  bigint      NOT NULL REFERENCES complaints (id),
    decision      text        NOT NULL CHECK (decision IN ('publish', 'withhold')),
    reason        text        NOT NULL CHECK (reason <> ''),
    summary       text        NOT NULL DEFAULT '',
    decided_by    text        NOT NULL,
    decided_at    timestamptz NOT NULL DEFAULT now(),
    superseded_at timestamptz,
    CHECK (decision <> 'publish' OR summary <> '')
);
CREATE INDEX publication_decisions_complaint ON publication_decisions (complaint_id, id);
CREATE UNIQUE INDEX publication_decisions_current ON publication_decisions (complaint_id)
    WHERE superseded_at IS NULL;
-- The public pages and Open311 read the current decisions to publish.
CREATE INDEX publication_decisions_published ON publication_decisions (decided_at)
    WHERE superseded_at IS NULL AND decision = 'publish';
