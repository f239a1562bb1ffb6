-- Reporters: one person, with the identity the dialog collected. The NIK is
-- stored encrypted (AES-GCM) with a keyed hash for look-up; nik_masked is safe
-- to show in lists.
CREATE TABLE reporters (
    id           bigserial PRIMARY KEY,
    name         text        NOT NULL DEFAULT '',
    profile_name text        NOT NULL DEFAULT '',
    nik_enc      bytea,
    nik_hash     bytea,
    nik_masked   text        NOT NULL DEFAULT '',
    address      text        NOT NULL DEFAULT '',
    phone        text        NOT NULL DEFAULT '',
    ktp_photo    boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reporters_nik_hash ON reporters (nik_hash) WHERE nik_hash IS NOT NULL;

-- How a reporter is known on a channel (sender id under one of our accounts).
CREATE TABLE reporter_identities (
    channel     text   NOT NULL,
    account     text   NOT NULL,
    sender_id   text   NOT NULL,
    reporter_id bigint NOT NULL REFERENCES reporters (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, account, sender_id)
);
CREATE INDEX reporter_identities_reporter ON reporter_identities (reporter_id);

-- The dialog's state with one reporter on one channel.
CREATE TABLE conversations (
    id               bigserial PRIMARY KEY,
    channel          text        NOT NULL,
    account          text        NOT NULL,
    conversation_key text        NOT NULL,
    reporter_id      bigint      NOT NULL REFERENCES reporters (id),
    status           text        NOT NULL DEFAULT 'collecting',
    draft            text        NOT NULL DEFAULT '',
    ticket           text,
    greeted          boolean     NOT NULL DEFAULT false,
    awaiting_ktp     boolean     NOT NULL DEFAULT false,
    human_takeover   boolean     NOT NULL DEFAULT false,
    missing          text[]      NOT NULL DEFAULT '{}',
    unread           integer     NOT NULL DEFAULT 0,
    last_message_at  timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, account, conversation_key)
);
CREATE INDEX conversations_activity ON conversations (last_message_at DESC);

-- Every message in both directions. An inbound message is unique on its
-- channel, account and the platform's id: the last line of de-duplication
-- behind JetStream's window.
CREATE TABLE messages (
    id              bigserial PRIMARY KEY,
    event_id        text        NOT NULL,
    conversation_id bigint      NOT NULL REFERENCES conversations (id),
    direction       text        NOT NULL CHECK (direction IN ('in', 'out')),
    channel         text        NOT NULL,
    account         text        NOT NULL,
    external_id     text        NOT NULL,
    sender_id       text        NOT NULL DEFAULT '',
    text            text        NOT NULL DEFAULT '',
    origin          text        NOT NULL DEFAULT '',
    reply_to        bigint REFERENCES messages (id),
    delivery_status text        NOT NULL DEFAULT '',
    delivery_reason text        NOT NULL DEFAULT '',
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX messages_inbound_key ON messages (channel, account, external_id) WHERE direction = 'in';
CREATE UNIQUE INDEX messages_event_id ON messages (event_id);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_reply_to ON messages (reply_to) WHERE reply_to IS NOT NULL;

-- Files of a message; the bytes live in the object store under object_key.
CREATE TABLE attachments (
    id         bigserial PRIMARY KEY,
    message_id bigint      NOT NULL REFERENCES messages (id),
    kind       text        NOT NULL,
    mime       text        NOT NULL DEFAULT '',
    filename   text        NOT NULL DEFAULT '',
    size       bigint      NOT NULL DEFAULT 0,
    sha256     text        NOT NULL DEFAULT '',
    object_key text        NOT NULL DEFAULT '',
    caption    text        NOT NULL DEFAULT '',
    error      text        NOT NULL DEFAULT '',
    is_ktp     boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_message ON attachments (message_id);

-- Ticket numbers are sequential per year; the counter row is locked by the
-- transaction that takes a number, so a rolled-back complaint leaves no gap.
CREATE TABLE ticket_counters (
    year integer PRIMARY KEY,
    last integer NOT NULL
);

CREATE TABLE complaints (
    id              bigserial PRIMARY KEY,
    ticket          text        NOT NULL UNIQUE,
    year            integer     NOT NULL,
    seq             integer     NOT NULL,
    channel         text        NOT NULL,
    account         text        NOT NULL,
    conversation_id bigint REFERENCES conversations (id),
    reporter_id     bigint      NOT NULL REFERENCES reporters (id),
    status          text        NOT NULL,
    text            text        NOT NULL,
    external_ref    text        NOT NULL DEFAULT '',
    received_at     timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (year, seq)
);
CREATE INDEX complaints_reporter ON complaints (reporter_id);
CREATE INDEX complaints_received ON complaints (received_at DESC);

-- Information a reporter added after the complaint was submitted.
CREATE TABLE complaint_additions (
    id           bigserial PRIMARY KEY,
    complaint_id bigint      NOT NULL REFERENCES complaints (id),
    message_id   bigint REFERENCES messages (id),
    text         text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX complaint_additions_complaint ON complaint_additions (complaint_id);

-- Transactional outbox: events written with the change that caused them and
-- relayed to NATS after commit.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    subject      text        NOT NULL,
    msg_id       text        NOT NULL,
    payload      bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text        NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL;

-- Append-only audit log: who did what to which object, and when.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    action      text        NOT NULL,
    object_type text        NOT NULL,
    object_id   text        NOT NULL,
    detail      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
