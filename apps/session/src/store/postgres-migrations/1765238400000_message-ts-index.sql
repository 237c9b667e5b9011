-- Up Migration

-- HISTORY_RETENTION_DAYS: the retention job deletes by message time; without this index every run
-- would read the whole history.
CREATE INDEX messages_ts ON messages (ts);

-- Down Migration
DROP INDEX messages_ts;
