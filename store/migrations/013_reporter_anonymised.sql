-- When a reporter's identity was removed: by a data-subject erasure
-- (aduan privacy erase) or by retention after a period without activity.
-- The row stays because the office's complaint records point at it.
ALTER TABLE reporters ADD COLUMN anonymised_at timestamptz;
