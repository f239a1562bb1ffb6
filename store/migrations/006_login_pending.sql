-- A sign-in attempt is recorded before its password is checked, with ok
-- NULL until the check ends, so simultaneous guesses count against the
-- limits; a pending attempt counts as a failure. Successful attempts are
-- kept longer: they make a (user name, address) pair known, which the
-- user-wide and address-wide limits spare.
ALTER TABLE login_attempts ALTER COLUMN ok DROP NOT NULL;
DROP INDEX login_attempts_username;
DROP INDEX login_attempts_ip;
CREATE INDEX login_attempts_username ON login_attempts (username, at) WHERE ok IS NOT TRUE;
CREATE INDEX login_attempts_ip ON login_attempts (ip, at) WHERE ok IS NOT TRUE;
CREATE INDEX login_attempts_known ON login_attempts (username, ip, at) WHERE ok;
