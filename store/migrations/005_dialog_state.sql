-- What the dialog knows beyond the reporter's identity (issue 10).
-- concerned_*: the person the complaint is about when it is not the reporter
-- (penerima manfaat), their NIK encrypted like the reporter's.
-- pending_identity_enc: the reporter's own new values waiting for their YA
-- (a sealed JSON object: it may hold a NIK).
-- needs_officer: words of danger or urgency, or a cancel request after the
-- ticket; the inbox shows "perlu petugas" with the reason.
ALTER TABLE conversations
    ADD COLUMN concerned_name       text    NOT NULL DEFAULT '',
    ADD COLUMN concerned_nik_enc    bytea,
    ADD COLUMN concerned_nik_masked text    NOT NULL DEFAULT '',
    ADD COLUMN concerned_relation   text    NOT NULL DEFAULT '',
    ADD COLUMN pending_identity_enc bytea,
    ADD COLUMN needs_officer        text    NOT NULL DEFAULT '',
    ADD COLUMN cancel_requested     boolean NOT NULL DEFAULT false,
    ADD COLUMN checklist_sent       boolean NOT NULL DEFAULT false,
    ADD COLUMN ktp_question         text    NOT NULL DEFAULT '',
    ADD COLUMN cancel_asked         boolean NOT NULL DEFAULT false;
CREATE INDEX conversations_needs_officer ON conversations (last_message_at DESC) WHERE needs_officer <> '';
