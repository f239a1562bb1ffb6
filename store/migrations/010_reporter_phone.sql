-- Walk-in complaints are found by the reporter's phone when they ask STATUS on WhatsApp.
CREATE INDEX reporters_phone ON reporters (phone) WHERE phone <> '';
