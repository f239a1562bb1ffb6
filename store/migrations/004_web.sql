-- Staff of the admin inbox. Passwords are argon2id hashes in PHC string form.
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text        NOT NULL UNIQUE,
    password_hash text        NOT NULL,
    role          text        NOT NULL
        CHECK (role IN ('admin', 'verifikator', 'koordinator', 'pimpinan', 'auditor')),
    disabled      boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);

-- Signed-in sessions. Only a hash of the cookie's token is kept, so a
-- database dump does not let anyone sign in; csrf_token guards the forms.
CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Sign-in attempts, for rate limiting by user name and by address.
CREATE TABLE login_attempts (
    id       bigserial PRIMARY KEY,
    username text        NOT NULL,
    ip       text        NOT NULL,
    ok       boolean     NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_username ON login_attempts (username, at) WHERE NOT ok;
CREATE INDEX login_attempts_ip ON login_attempts (ip, at) WHERE NOT ok;

-- Who handles a conversation.
ALTER TABLE conversations ADD COLUMN assigned_to bigint REFERENCES users (id);
CREATE INDEX conversations_assigned ON conversations (assigned_to) WHERE assigned_to IS NOT NULL;
CREATE INDEX conversations_takeover ON conversations (last_message_at DESC) WHERE human_takeover;

-- Staff replies name their author; a retried failed reply points at it.
ALTER TABLE messages
    ADD COLUMN author   text NOT NULL DEFAULT '',
    ADD COLUMN retry_of bigint REFERENCES messages (id);
CREATE INDEX messages_failed ON messages (conversation_id) WHERE delivery_status = 'failed';
CREATE INDEX messages_retry_of ON messages (retry_of) WHERE retry_of IS NOT NULL;

-- An officer's confirmation that the identity collected is right.
ALTER TABLE reporters
    ADD COLUMN identity_confirmed_by text NOT NULL DEFAULT '',
    ADD COLUMN identity_confirmed_at timestamptz;

-- Internal notes on a conversation, never sent to the citizen.
CREATE TABLE conversation_notes (
    id              bigserial PRIMARY KEY,
    conversation_id bigint      NOT NULL REFERENCES conversations (id),
    author          text        NOT NULL,
    text            text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_notes_conversation ON conversation_notes (conversation_id, id);

-- Ready-made replies the officers pick from.
CREATE TABLE canned_responses (
    id       bigserial PRIMARY KEY,
    title    text    NOT NULL,
    text     text    NOT NULL,
    position integer NOT NULL DEFAULT 0
);
INSERT INTO canned_responses (title, text, position) VALUES
    ('Salam pembuka', 'Selamat pagi/siang, Bapak/Ibu. Terima kasih telah menghubungi layanan pengaduan Dinas Sosial dan PMD Provinsi Kepulauan Bangka Belitung. Ada yang bisa kami bantu?', 1),
    ('Minta foto KTP', 'Mohon kirimkan foto KTP Anda sebagai gambar, dengan tulisan yang terbaca jelas, agar laporan dapat kami proses.', 2),
    ('Minta NIK', 'Mohon kirimkan NIK (16 digit) sesuai KTP Anda.', 3),
    ('Sedang diproses', 'Laporan Anda sedang kami proses. Kami akan mengabari Anda kembali melalui saluran ini.', 4),
    ('Diteruskan ke verifikasi', 'Data Anda sudah lengkap. Laporan Anda kami teruskan ke petugas verifikasi.', 5),
    ('Penutup', 'Terima kasih atas laporan Anda. Semoga hari Anda menyenangkan.', 6);
