-- Up Migration

-- A rev names one change of a room (a send, edit, deletion or reaction change): no two messages of a
-- room may carry the same one. Messages of a version-1 writer have none.
CREATE UNIQUE INDEX messages_room_rev ON messages (room_id, rev) WHERE rev IS NOT NULL;

-- Down Migration
DROP INDEX messages_room_rev;
