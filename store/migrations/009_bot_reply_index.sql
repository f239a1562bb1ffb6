-- The core counts a conversation's recent bot replies before it answers
-- again (a sender posting thousands of messages gets a bounded number of
-- replies); this index keeps that count from reading the whole thread.
CREATE INDEX messages_bot_replies ON messages (conversation_id, created_at)
    WHERE direction = 'out' AND origin = 'bot';
