-- The audit-log viewer filters by user and by action and shows the newest
-- rows first (ORDER BY id DESC LIMIT n): with the id after the filtered
-- column, either filter reads its newest rows straight from the index
-- instead of the whole log, which only ever grows.
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
