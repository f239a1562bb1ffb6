-- The check value of the NIK key the database's NIKs are encrypted with: an
-- HMAC of a constant under that key, recorded at the first start. A start
-- with another key is refused instead of failing later on every NIK.
CREATE TABLE nik_key_check (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	check_value bytea NOT NULL,
	recorded_at timestamptz NOT NULL DEFAULT now()
);
