-- When the citizen last wrote: channels with a reply window (Meta's 24
-- hours) decide by it, and the inbox shows waiting time from it.
ALTER TABLE conversations ADD COLUMN last_inbound_at timestamptz;
UPDATE conversations c SET last_inbound_at =
    (SELECT max(created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in');

-- The platform's id of a message we sent, once the adapter reports it, and
-- what the citizen did to their own messages afterwards.
ALTER TABLE messages
    ADD COLUMN platform_id   text        NOT NULL DEFAULT '',
    ADD COLUMN delivery_at   timestamptz,
    ADD COLUMN original_text text,
    ADD COLUMN edited_at     timestamptz,
    ADD COLUMN unsent_at     timestamptz;

-- Echoes (messages our side sent outside Aduan, e.g. from the office phone)
-- are stored as outgoing messages once.
CREATE UNIQUE INDEX messages_echo_key ON messages (channel, account, external_id) WHERE origin = 'echo';

-- Input an adapter could not understand, kept whole for inspection.
CREATE TABLE rejected_inputs (
    id           bigserial PRIMARY KEY,
    event_id     text        NOT NULL UNIQUE,
    channel      text        NOT NULL,
    source       text        NOT NULL,
    reason       text        NOT NULL,
    content_type text        NOT NULL DEFAULT '',
    body         bytea       NOT NULL,
    received_at  timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rejected_inputs_received ON rejected_inputs (received_at DESC);
