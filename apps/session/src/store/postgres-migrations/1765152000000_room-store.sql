-- Up Migration

-- The database's identity (RoomStore.identity): made once, here, so every session server on this
-- database reports the same one. The CHECK keeps it one row.
CREATE TABLE store_identity (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  id  text NOT NULL
);
INSERT INTO store_identity (id) VALUES ('postgres:' || gen_random_uuid());

-- One row per room: the newest epoch seen (fencing: every write locks this row and checks it in its
-- transaction) and the room's revision.
CREATE TABLE rooms (
  room_id text PRIMARY KEY,
  epoch   bigint NOT NULL DEFAULT 0,
  rev     bigint NOT NULL DEFAULT 0
);

-- The whole history; the primary key makes a seq unique per room (a second writer of a seq fails).
CREATE TABLE messages (
  room_id   text NOT NULL,
  seq       bigint NOT NULL,
  id        text NOT NULL,
  user_id   text NOT NULL,
  name      text NOT NULL,
  text      text NOT NULL,
  ts        bigint NOT NULL,
  rev       bigint,
  edited_at bigint,
  deleted   boolean,
  -- JSON text, not jsonb: jsonb would reorder the reactions (their order is the order people added them).
  reactions text,
  PRIMARY KEY (room_id, seq)
);

CREATE TABLE room_reads (
  room_id text NOT NULL,
  user_id text NOT NULL,
  seq     bigint NOT NULL,
  PRIMARY KEY (room_id, user_id)
);

-- Down Migration
DROP TABLE room_reads;
DROP TABLE messages;
DROP TABLE rooms;
DROP TABLE store_identity;
