-- The office's procedure after intake: classification, deadline,
-- assignment, follow-up, result, archive. due_date is a civil date in WIB,
-- counted in working days by core/calendar when the complaint is verified.
ALTER TABLE complaints
    ADD COLUMN class          text CHECK (class IN ('A', 'B', 'C')),
    ADD COLUMN category       text NOT NULL DEFAULT '',
    ADD COLUMN due_date       date,
    ADD COLUMN assignee_id    bigint REFERENCES users (id),
    ADD COLUMN result         text NOT NULL DEFAULT '',
    ADD COLUMN reason         text NOT NULL DEFAULT '',
    ADD COLUMN postponed_from text NOT NULL DEFAULT '',
    ADD COLUMN verified_at    timestamptz,
    ADD COLUMN resolved_at    timestamptz,
    ADD COLUMN archived_at    timestamptz;
CREATE INDEX complaints_status ON complaints (status, due_date);
CREATE INDEX complaints_assignee ON complaints (assignee_id) WHERE assignee_id IS NOT NULL;

-- The categories a verifier chooses from. Admins may add and retire them;
-- a retired category stays on the complaints that have it.
CREATE TABLE complaint_categories (
    code     text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]+$'),
    label    text    NOT NULL,
    position integer NOT NULL DEFAULT 0,
    active   boolean NOT NULL DEFAULT true
);
INSERT INTO complaint_categories (code, label, position) VALUES
    ('pkh', 'PKH (Program Keluarga Harapan)', 1),
    ('bpnt', 'BPNT / sembako', 2),
    ('pbi_jk', 'PBI-JK (jaminan kesehatan)', 3),
    ('layanan_petugas', 'Layanan petugas', 4),
    ('disabilitas', 'Disabilitas', 5),
    ('lansia', 'Lansia', 6),
    ('anak', 'Anak', 7),
    ('pemberdayaan_desa', 'Pemberdayaan desa', 8),
    ('lainnya', 'Lainnya', 9);

-- A complaint's life, step by step: what the complaint page, STATUS and
-- the dossier show. The audit log holds the same facts for auditors.
CREATE TABLE complaint_steps (
    id           bigserial PRIMARY KEY,
    complaint_id bigint      NOT NULL REFERENCES complaints (id),
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text        NOT NULL,
    action       text        NOT NULL,
    from_status  text        NOT NULL,
    to_status    text        NOT NULL,
    note         text        NOT NULL DEFAULT '',
    detail       jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX complaint_steps_complaint ON complaint_steps (complaint_id, id);

-- What the koordinator did: a telaah note, a field inspection.
CREATE TABLE follow_ups (
    id                  bigserial PRIMARY KEY,
    complaint_id        bigint      NOT NULL REFERENCES complaints (id),
    author              text        NOT NULL,
    text                text        NOT NULL,
    inspection_date     date,
    inspection_place    text        NOT NULL DEFAULT '',
    inspection_officers text        NOT NULL DEFAULT '',
    inspection_findings text        NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX follow_ups_complaint ON follow_ups (complaint_id, id);

-- Photos and documents of a follow-up; the bytes live in the object store.
CREATE TABLE follow_up_files (
    id           bigserial PRIMARY KEY,
    follow_up_id bigint NOT NULL REFERENCES follow_ups (id),
    mime         text   NOT NULL DEFAULT '',
    filename     text   NOT NULL DEFAULT '',
    size         bigint NOT NULL DEFAULT 0,
    sha256       text   NOT NULL DEFAULT '',
    object_key   text   NOT NULL
);
CREATE INDEX follow_up_files_follow_up ON follow_up_files (follow_up_id);

-- The signed record of resolution, as generated when the complaint was
-- resolved.
CREATE TABLE berita_acara (
    complaint_id bigint PRIMARY KEY REFERENCES complaints (id),
    number       text        NOT NULL UNIQUE,
    pdf          bytea       NOT NULL,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
