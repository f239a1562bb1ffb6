-- A WhatsApp reporter whose chat moves between phone-number and LID
-- addressing keeps their conversation: it is found by the reporter when the
-- new address has none.
CREATE INDEX conversations_reporter ON conversations (reporter_id, channel, account);
