import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Message } from '@app/shared';
import { RoomFence, RoomSnapshot, RoomStore, SeqConflictError, StaleEpochError } from './room-store.port';

interface MessageRow {
  seq: number;
  id: string;
  user_id: string;
  name: string;
  text: string;
  ts: number;
}

interface PendingAppend {
  roomId: string;
  messages: readonly Message[];
  epoch: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  error?: unknown;
}

export interface SqliteRoomStoreOptions {
  /** How long a writer waits for another process's write lock before failing. */
  busyTimeoutMs?: number;
}

/**
 * History in one SQLite file shared by every session server on this machine (WAL mode: readers
 * never block, one writer at a time across processes, `busy_timeout` makes the others wait).
 *
 * Durability: `append` returns only after the transaction committed to the WAL. With
 * `synchronous = NORMAL` a committed transaction survives the process being killed (SIGKILL); only
 * an OS crash or power loss may lose the last transactions, which is the usual WAL trade-off.
 * Group commit: the appends of all rooms made during one event-loop turn are written in ONE
 * transaction on the next turn (each room's batch in its own savepoint, so a seq conflict in one
 * room rejects that room's append only). A commit costs a WAL write whatever its size, so this
 * turns thousands of commits per second into a few hundred. better-sqlite3 is synchronous; a commit
 * takes microseconds, which is cheaper than a hop to a worker thread.
 *
 * Fencing: `room_epochs` holds the newest epoch seen per room. A load's claim is checked and written
 * in the same IMMEDIATE transaction that reads the history; each batch's epoch is checked (and
 * raised) in the transaction that inserts it, so a batch under an older epoch stores nothing.
 */
export class SqliteRoomStore implements RoomStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly selectNewest: Database.Statement;
  private readonly selectLastSeq: Database.Statement;
  private readonly selectBefore: Database.Statement;
  private readonly selectAfter: Database.Statement;
  private readonly selectEpoch: Database.Statement;
  private readonly upsertEpoch: Database.Statement;
  private readonly loadClaiming: Database.Transaction<(roomId: string, limit: number, claim: number) => RoomSnapshot>;
  private readonly insertBatch: (roomId: string, messages: readonly Message[], epoch: number) => void;
  private readonly writeAll: Database.Transaction<(batches: PendingAppend[]) => void>;
  private readonly writeEach: Database.Transaction<(batches: PendingAppend[]) => void>;
  private pending: PendingAppend[] = [];
  private flushScheduled = false;

  constructor(file: string, options: SqliteRoomStoreOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    // busy_timeout first: switching to WAL and creating the table already need locks that another
    // process may hold at the same moment.
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS messages (
        room_id TEXT NOT NULL,
        seq     INTEGER NOT NULL,
        id      TEXT NOT NULL,
        user_id TEXT NOT NULL,
        name    TEXT NOT NULL,
        text    TEXT NOT NULL,
        ts      INTEGER NOT NULL,
        PRIMARY KEY (room_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS room_epochs (
        room_id TEXT PRIMARY KEY,
        epoch   INTEGER NOT NULL
      ) WITHOUT ROWID`);
    const cols = 'seq, id, user_id, name, text, ts';
    this.insert = this.db.prepare(
      'INSERT INTO messages (room_id, seq, id, user_id, name, text, ts) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectNewest = this.db.prepare(`SELECT ${cols} FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT ?`);
    this.selectLastSeq = this.db.prepare('SELECT MAX(seq) AS seq FROM messages WHERE room_id = ?');
    this.selectBefore = this.db.prepare(
      `SELECT ${cols} FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    );
    this.selectAfter = this.db.prepare(
      `SELECT ${cols} FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq DESC LIMIT ?`,
    );
    this.selectEpoch = this.db.prepare('SELECT epoch FROM room_epochs WHERE room_id = ?');
    this.upsertEpoch = this.db.prepare(
      'INSERT INTO room_epochs (room_id, epoch) VALUES (?, ?) ON CONFLICT (room_id) DO UPDATE SET epoch = excluded.epoch WHERE excluded.epoch > epoch',
    );
    this.loadClaiming = this.db.transaction((roomId: string, limit: number, claim: number) => {
      const newest = this.epochOf(roomId);
      if (claim < newest) throw new StaleEpochError(roomId, claim, newest);
      if (claim > newest) this.upsertEpoch.run(roomId, claim);
      return { ...this.read(roomId, limit), epoch: claim };
    });
    // A room's batch: all of it or (on a seq conflict) none of it. Nested in writeEach, it is a savepoint.
    this.insertBatch = this.db.transaction((roomId: string, messages: readonly Message[], epoch: number) => {
      for (const m of messages) this.insert.run(roomId, m.seq, m.id, m.userId, m.name, m.text, m.ts);
      this.upsertEpoch.run(roomId, epoch);
    });
    // Fast path: every batch in one transaction without savepoints (conflicts are rare: a takeover).
    // A batch under an older epoch is refused before it inserts anything.
    this.writeAll = this.db.transaction((batches: PendingAppend[]) => {
      for (const batch of batches) {
        if (this.refusedEpoch(batch)) continue;
        for (const m of batch.messages) this.insert.run(batch.roomId, m.seq, m.id, m.userId, m.name, m.text, m.ts);
        this.upsertEpoch.run(batch.roomId, batch.epoch);
      }
    });
    // Slow path after a conflict: each batch in its own savepoint, so only the conflicting ones fail.
    this.writeEach = this.db.transaction((batches: PendingAppend[]) => {
      for (const batch of batches) {
        batch.error = undefined;
        if (this.refusedEpoch(batch)) continue;
        try {
          this.insertBatch(batch.roomId, batch.messages, batch.epoch);
        } catch (err) {
          batch.error = err;
        }
      }
    });
  }

  async load(roomId: string, limit: number, claim?: number): Promise<RoomSnapshot> {
    // IMMEDIATE: the claim is a write; another process must not claim or append between its check and the read.
    if (claim !== undefined) return this.loadClaiming.immediate(roomId, limit, claim);
    return { ...this.read(roomId, limit), epoch: this.epochOf(roomId) };
  }

  async fence(roomId: string): Promise<RoomFence> {
    const row = this.selectLastSeq.get(roomId) as { seq: number | null };
    return { epoch: this.epochOf(roomId), lastSeq: row.seq ?? 0 };
  }

  append(roomId: string, messages: readonly Message[], epoch: number): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (!this.db.open) return Promise.reject(new Error('room store is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ roomId, messages, epoch, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async before(roomId: string, before: number, limit: number): Promise<Message[]> {
    if (limit <= 0) return [];
    return toMessages(this.selectBefore.all(roomId, before, limit) as MessageRow[]);
  }

  async after(roomId: string, after: number, limit: number): Promise<Message[]> {
    if (limit <= 0) return [];
    return toMessages(this.selectAfter.all(roomId, after, limit) as MessageRow[]);
  }

  async close(): Promise<void> {
    this.flush();
    if (this.db.open) this.db.close();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batches = this.pending;
    if (batches.length === 0) return;
    this.pending = [];
    try {
      // IMMEDIATE: take the write lock up front, so busy_timeout applies when another process holds it.
      try {
        this.writeAll.immediate(batches);
      } catch (err) {
        if (!isConstraintError(err)) throw err;
        this.writeEach.immediate(batches); // the failed fast path was rolled back entirely
      }
    } catch (err) {
      for (const batch of batches) batch.reject(err);
      return;
    }
    for (const batch of batches) {
      if (batch.error === undefined) batch.resolve();
      else batch.reject(this.storeError(batch, batch.error));
    }
  }

  private read(roomId: string, limit: number): Omit<RoomSnapshot, 'epoch'> {
    const row = this.selectLastSeq.get(roomId) as { seq: number | null };
    const lastSeq = row.seq ?? 0;
    const messages = limit > 0 && lastSeq > 0 ? toMessages(this.selectNewest.all(roomId, limit) as MessageRow[]) : [];
    return { lastSeq, messages };
  }

  private epochOf(roomId: string): number {
    return (this.selectEpoch.get(roomId) as { epoch: number } | undefined)?.epoch ?? 0;
  }

  /** Inside a write transaction: marks a batch under an older epoch than the room's newest as refused. */
  private refusedEpoch(batch: PendingAppend): boolean {
    const newest = this.epochOf(batch.roomId);
    if (batch.epoch >= newest) return false;
    batch.error = new StaleEpochError(batch.roomId, batch.epoch, newest);
    return true;
  }

  private storeError(batch: PendingAppend, err: unknown): unknown {
    if (isConstraintError(err)) {
      return new SeqConflictError(batch.roomId, this.conflictingSeq(batch.roomId, batch.messages));
    }
    return err;
  }

  private conflictingSeq(roomId: string, messages: readonly Message[]): number {
    const stored = (this.selectLastSeq.get(roomId) as { seq: number | null }).seq ?? 0;
    return messages.find((m) => m.seq <= stored)?.seq ?? messages[0].seq;
  }
}

function isConstraintError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Rows come newest first (so LIMIT keeps the newest); messages go out oldest first. */
function toMessages(rows: MessageRow[]): Message[] {
  const out = new Array<Message>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[rows.length - 1 - i];
    out[i] = { seq: r.seq, id: r.id, userId: r.user_id, name: r.name, text: r.text, ts: r.ts };
  }
  return out;
}
