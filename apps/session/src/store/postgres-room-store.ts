import pg from 'pg';
import type { MessageV2, ReadMarker } from '@app/shared';
import { HistoryRetention, type HistoryRetentionOptions, type PrunableHistory } from './history-retention';
import { checkPostgresSchema } from './postgres-schema';
import { RoomFence, RoomSnapshot, RoomStore, SeqConflictError, StaleEpochError } from './room-store.port';
import { type MessageRow, reactionsJson, toMessages } from './message-rows';
import { newestRev } from './newest-rev';

interface PendingAppend {
  roomId: string;
  messages: readonly MessageV2[];
  epoch: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  error?: unknown;
}

export interface PostgresRoomStoreOptions {
  /** Connections in the pool (appends use one at a time: a group commit; loads and reads the others). */
  poolMax?: number;
  /** Delete messages older than this many days, by a periodic job (HISTORY_RETENTION_DAYS). Unset: keep all. */
  retention?: HistoryRetentionOptions;
}

const COLS = 'seq, id, user_id, name, text, ts, rev, edited_at, deleted, reactions';

/**
 * Fences a write: locks the room's row (made on first use) and raises its epoch and rev, only when
 * the writer's epoch is not older than the stored one. No row back means a newer owner claimed the
 * room: the statement changed nothing, and the caller's transaction stores nothing. The row lock is
 * held to the end of the transaction, so a claim waits for a write in flight and then sees it.
 */
const FENCE = `INSERT INTO rooms (room_id, epoch, rev) VALUES ($1, $2, $3)
  ON CONFLICT (room_id) DO UPDATE SET epoch = EXCLUDED.epoch, rev = GREATEST(rooms.rev, EXCLUDED.rev)
  WHERE rooms.epoch <= EXCLUDED.epoch
  RETURNING epoch`;

/** One batch of the retention job: old messages, never a room's newest (it carries the room's last seq). */
const PRUNE_BATCH = `WITH doomed AS (
    SELECT m.room_id, m.seq FROM messages m
    WHERE m.ts < $1 AND m.seq < (SELECT max(n.seq) FROM messages n WHERE n.room_id = m.room_id)
    LIMIT $2)
  DELETE FROM messages USING doomed WHERE messages.room_id = doomed.room_id AND messages.seq = doomed.seq`;
const PRUNE_BATCH_SIZE = 5000;

const INSERT_MESSAGES = `INSERT INTO messages (room_id, ${COLS})
  SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::boolean[], $11::text[])`;

/** int8 (seqs, epochs, timestamps) as numbers: every value the store keeps is below 2^53. */
const INT8_OID = 20;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number) =>
    oid === INT8_OID ? Number : (pg.types.getTypeParser(oid, 'text') as (value: string) => unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * History in PostgreSQL, shared by every session server that has the same `DATABASE_URL`; the whole
 * history is kept (unless `retention`: then a periodic job deletes what is older, never the append).
 *
 * Fencing is PostgreSQL's: every write runs in a transaction whose first statement locks the room's
 * row in `rooms` and checks the writer's epoch against it (FENCE); a load's claim does the same
 * before it reads. A former owner's write that arrives after a newer owner's claim finds a newer
 * epoch and stores nothing, whatever the servers believe. A seq is unique per room by the primary
 * key: a second writer of one seq gets a unique violation (SeqConflictError); a rev is unique per
 * room by an index (a message's rev names the one change that made its current state).
 *
 * Group commit: the appends of one event-loop turn go in ONE transaction on the next turn (rooms in
 * order, so two servers lock rows in the same order and never deadlock); while it commits, the next
 * turns' appends gather for the next one. An append resolves only after COMMIT returned. A seq
 * conflict rolls the whole transaction back and retries it with a savepoint per room, so only the
 * conflicting room's append fails.
 */
export class PostgresRoomStore implements RoomStore, PrunableHistory {
  private readonly pool: pg.Pool;
  private retention?: HistoryRetention;
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  private id?: Promise<string>;

  private constructor(url: string, options: PostgresRoomStoreOptions) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolMax ?? 10,
      types,
      // A database that does not answer (a partition, a frozen host) fails writes within seconds
      // instead of holding them, and every append of the room behind them, for a TCP timeout: a
      // write that timed out is never acknowledged (it may have committed: the room's next owner
      // loads it, and the client's resend is recognised by its clientMsgId).
      connectionTimeoutMillis: 5000,
      query_timeout: 15_000,
      keepAlive: true,
    });
    // An idle connection dropped by the server (a restart): the pool replaces it; queries in flight fail on their own.
    this.pool.on('error', () => undefined);
  }

  /** Opens a pool on `url` and checks the schema: rejects (and closes the pool) when a migration is missing. */
  static async open(url: string, options: PostgresRoomStoreOptions = {}): Promise<PostgresRoomStore> {
    const store = new PostgresRoomStore(url, options);
    try {
      await checkPostgresSchema(store.pool);
    } catch (err) {
      await store.pool.end();
      throw err;
    }
    if (options.retention) store.retention = new HistoryRetention(store, options.retention);
    return store;
  }

  async load(roomId: string, limit: number, claim?: number): Promise<RoomSnapshot> {
    if (claim === undefined) {
      return this.read(this.pool, roomId, limit);
    }
    return this.transaction(async (client) => {
      await this.fenceOrThrow(client, roomId, claim, 0);
      return this.read(client, roomId, limit);
    });
  }

  async fence(roomId: string): Promise<RoomFence> {
    const { rows } = await this.pool.query<{ epoch: number | null; last_seq: number | null }>(
      'SELECT (SELECT epoch FROM rooms WHERE room_id = $1) AS epoch, (SELECT max(seq) FROM messages WHERE room_id = $1) AS last_seq',
      [roomId],
    );
    return { epoch: rows[0].epoch ?? 0, lastSeq: rows[0].last_seq ?? 0 };
  }

  append(roomId: string, messages: readonly MessageV2[], epoch: number): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('room store is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ roomId, messages, epoch, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.scheduleFlush());
      }
    });
  }

  /** Edits, deletions, reactions: one transaction of their own (rare next to sends: no group commit). */
  async update(roomId: string, messages: readonly MessageV2[], epoch: number): Promise<void> {
    if (messages.length === 0) return;
    await this.transaction(async (client) => {
      await this.fenceOrThrow(client, roomId, epoch, newestRev(messages));
      // In order: the newest of several changes of one seq wins. A seq not stored matches no row.
      for (const m of messages) {
        await client.query('UPDATE messages SET text = $3, rev = $4, edited_at = $5, deleted = $6, reactions = $7 WHERE room_id = $1 AND seq = $2', [
          roomId,
          m.seq,
          m.text,
          m.rev ?? null,
          m.editedAt ?? null,
          m.deleted ? true : null,
          reactionsJson(m),
        ]);
      }
    });
  }

  async saveReads(roomId: string, reads: readonly ReadMarker[], epoch: number): Promise<void> {
    if (reads.length === 0) return;
    // One row per user (ON CONFLICT may not touch a row twice in one statement): the highest seq.
    const highest = new Map<string, number>();
    for (const r of reads) highest.set(r.userId, Math.max(highest.get(r.userId) ?? 0, r.seq));
    await this.transaction(async (client) => {
      await this.fenceOrThrow(client, roomId, epoch, 0);
      await client.query(
        `INSERT INTO room_reads (room_id, user_id, seq) SELECT $1, * FROM unnest($2::text[], $3::bigint[])
         ON CONFLICT (room_id, user_id) DO UPDATE SET seq = GREATEST(room_reads.seq, EXCLUDED.seq)`,
        [roomId, [...highest.keys()], [...highest.values()]],
      );
    });
  }

  async before(roomId: string, before: number, limit: number): Promise<MessageV2[]> {
    if (limit <= 0) return [];
    const { rows } = await this.pool.query<MessageRow>(`SELECT ${COLS} FROM messages WHERE room_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, [
      roomId,
      before,
      limit,
    ]);
    return toMessages(rows);
  }

  async after(roomId: string, after: number, limit: number): Promise<MessageV2[]> {
    if (limit <= 0) return [];
    const { rows } = await this.pool.query<MessageRow>(`SELECT ${COLS} FROM messages WHERE room_id = $1 AND seq > $2 ORDER BY seq DESC LIMIT $3`, [
      roomId,
      after,
      limit,
    ]);
    return toMessages(rows);
  }

  /** The row the migration made: the same for every server on this database. */
  identity(): Promise<string> {
    this.id ??= this.pool.query<{ id: string }>('SELECT id FROM store_identity').then(
      (r) => r.rows[0].id,
      (err: unknown) => {
        this.id = undefined; // the database was away: ask again next time
        throw err;
      },
    );
    return this.id;
  }

  async pruneHistory(cutoffTs: number): Promise<number> {
    let total = 0;
    // In batches: one long DELETE would hold its row locks, and bloat one transaction, for minutes.
    for (;;) {
      const { rowCount } = await this.pool.query(PRUNE_BATCH, [cutoffTs, PRUNE_BATCH_SIZE]);
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < PRUNE_BATCH_SIZE) return total;
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.retention?.stop();
    // Appends already accepted are still stored (and acknowledged) before the pool ends.
    await this.scheduleFlush();
    await this.pool.end();
  }

  /** One flush at a time: appends made while a commit is in flight wait for the next, bigger, one. */
  private scheduleFlush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flush());
    return this.flushing;
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batches = this.pending;
    if (batches.length === 0) return;
    this.pending = [];
    // Rooms in one order on every server: row locks taken in that order cannot deadlock.
    const ordered = [...batches].sort((a, b) => (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0));
    try {
      try {
        await this.transaction((client) => this.writeAll(client, ordered));
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        await this.transaction((client) => this.writeEach(client, ordered)); // the fast path was rolled back
      }
    } catch (err) {
      for (const batch of batches) batch.reject(err);
      return;
    }
    for (const batch of batches) {
      if (batch.error === undefined) batch.resolve();
      else batch.reject(batch.error);
    }
  }

  /** Fast path: every batch in the one transaction, no savepoints (conflicts are rare: a takeover). */
  private async writeAll(client: pg.PoolClient, batches: PendingAppend[]): Promise<void> {
    for (const batch of batches) {
      batch.error = await this.refusal(client, batch.roomId, batch.epoch, newestRev(batch.messages));
      if (batch.error === undefined) await insertMessages(client, batch.roomId, batch.messages);
    }
  }

  /** After a seq conflict: each batch in a savepoint, so only the conflicting ones fail. */
  private async writeEach(client: pg.PoolClient, batches: PendingAppend[]): Promise<void> {
    for (const batch of batches) {
      await client.query('SAVEPOINT batch');
      try {
        batch.error = await this.refusal(client, batch.roomId, batch.epoch, newestRev(batch.messages));
        if (batch.error === undefined) await insertMessages(client, batch.roomId, batch.messages);
        await client.query('RELEASE SAVEPOINT batch');
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        await client.query('ROLLBACK TO SAVEPOINT batch');
        // A stored seq: another writer continued the room. A stored rev (messages_room_rev) is no takeover: the error as it is.
        batch.error = isSeqConflict(err) ? new SeqConflictError(batch.roomId, await this.conflictingSeq(client, batch.roomId, batch.messages)) : err;
      }
    }
  }

  private async fenceOrThrow(client: pg.ClientBase, roomId: string, epoch: number, rev: number): Promise<void> {
    const stale = await this.refusal(client, roomId, epoch, rev);
    if (stale) throw stale;
  }

  /** Runs FENCE; the StaleEpochError to give the writer when a newer epoch is stored, else undefined. */
  private async refusal(client: pg.ClientBase, roomId: string, epoch: number, rev: number): Promise<StaleEpochError | undefined> {
    const fenced = await client.query(FENCE, [roomId, epoch, rev]);
    if (fenced.rowCount === 1) return undefined;
    const { rows } = await client.query<{ epoch: number }>('SELECT epoch FROM rooms WHERE room_id = $1', [roomId]);
    return new StaleEpochError(roomId, epoch, rows[0].epoch);
  }

  private async read(db: pg.Pool | pg.ClientBase, roomId: string, limit: number): Promise<RoomSnapshot> {
    const room = await db.query<{ epoch: number | null; rev: number | null; last_seq: number | null }>(
      `SELECT (SELECT epoch FROM rooms WHERE room_id = $1) AS epoch, (SELECT rev FROM rooms WHERE room_id = $1) AS rev,
              (SELECT max(seq) FROM messages WHERE room_id = $1) AS last_seq`,
      [roomId],
    );
    const { epoch, rev, last_seq: lastSeq } = room.rows[0];
    const messages =
      limit > 0 && lastSeq !== null
        ? toMessages((await db.query<MessageRow>(`SELECT ${COLS} FROM messages WHERE room_id = $1 ORDER BY seq DESC LIMIT $2`, [roomId, limit])).rows)
        : [];
    const reads = await db.query<ReadMarker>('SELECT user_id AS "userId", seq FROM room_reads WHERE room_id = $1', [roomId]);
    return { lastSeq: lastSeq ?? 0, messages, epoch: epoch ?? 0, rev: rev ?? 0, reads: reads.rows };
  }

  private async conflictingSeq(client: pg.ClientBase, roomId: string, messages: readonly MessageV2[]): Promise<number> {
    const { rows } = await client.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM messages WHERE room_id = $1', [roomId]);
    const stored = rows[0].seq ?? 0;
    return messages.find((m) => m.seq <= stored)?.seq ?? messages[0].seq;
  }

  /** BEGIN, the work, COMMIT; ROLLBACK on any error. A client whose connection broke is not reused. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

async function insertMessages(client: pg.ClientBase, roomId: string, messages: readonly MessageV2[]): Promise<void> {
  await client.query(INSERT_MESSAGES, [
    roomId,
    messages.map((m) => m.seq),
    messages.map((m) => m.id),
    messages.map((m) => m.userId),
    messages.map((m) => m.name),
    messages.map((m) => m.text),
    messages.map((m) => m.ts),
    messages.map((m) => m.rev ?? null),
    messages.map((m) => m.editedAt ?? null),
    messages.map((m) => (m.deleted ? true : null)),
    messages.map(reactionsJson),
  ]);
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

/** A unique violation of the primary key (room, seq), not of another unique index. */
function isSeqConflict(err: unknown): boolean {
  return isUniqueViolation(err) && (err as { constraint?: string }).constraint === 'messages_pkey';
}
