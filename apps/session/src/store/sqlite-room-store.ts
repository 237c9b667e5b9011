import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MessageV2, ReadMarker } from '@app/shared';
import { HistoryRetention, type HistoryRetentionOptions, type PrunableHistory } from './history-retention';
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

export interface SqliteRoomStoreOptions {
  /** How long a writer waits for another process's write lock before failing. */
  busyTimeoutMs?: number;
  /** Delete messages older than this many days, by a periodic job (HISTORY_RETENTION_DAYS). Unset: keep all. */
  retention?: HistoryRetentionOptions;
}

const PRUNE_BATCH_SIZE = 5000;

/**
 * History in one SQLite file shared by every session server on this machine (WAL mode: readers
 * never block, one writer at a time across processes, `busy_timeout` makes the others wait). The
 * whole history is kept (unless `retention`: then a periodic job deletes what is older, never the append).
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
export class SqliteRoomStore implements RoomStore, PrunableHistory {
  private readonly retention?: HistoryRetention;
  private pruneBatch?: Database.Statement;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly selectNewest: Database.Statement;
  private readonly selectLastSeq: Database.Statement;
  private readonly selectBefore: Database.Statement;
  private readonly selectAfter: Database.Statement;
  private readonly selectEpoch: Database.Statement;
  private readonly updateMessage: Database.Statement;
  private readonly selectRev: Database.Statement;
  private readonly upsertRev: Database.Statement;
  private readonly selectReads: Database.Statement;
  private readonly upsertRead: Database.Statement;
  private readonly updateAll: Database.Transaction<(roomId: string, messages: readonly MessageV2[], epoch: number) => void>;
  private readonly saveAllReads: Database.Transaction<(roomId: string, reads: readonly ReadMarker[], epoch: number) => void>;
  private readonly upsertEpoch: Database.Statement;
  private readonly loadClaiming: Database.Transaction<(roomId: string, limit: number, claim: number) => RoomSnapshot>;
  private readonly insertBatch: (roomId: string, messages: readonly MessageV2[], epoch: number) => void;
  private readonly writeAll: Database.Transaction<(batches: PendingAppend[]) => void>;
  private readonly writeEach: Database.Transaction<(batches: PendingAppend[]) => void>;
  private readonly id: string;
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
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS room_revs (
        room_id TEXT PRIMARY KEY,
        rev     INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS room_reads (
        room_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        seq     INTEGER NOT NULL,
        PRIMARY KEY (room_id, user_id)
      ) WITHOUT ROWID`);
    this.addVersion2Columns();
    this.id = this.ownIdentity();
    if (options.retention) {
      // Only with retention on: the job deletes by time, and without the index each run reads the whole history.
      this.db.exec('CREATE INDEX IF NOT EXISTS messages_ts ON messages (ts)');
      this.retention = new HistoryRetention(this, options.retention);
    }
    const cols = 'seq, id, user_id, name, text, ts, rev, edited_at, deleted, reactions';
    this.insert = this.db.prepare(
      'INSERT INTO messages (room_id, seq, id, user_id, name, text, ts, rev, edited_at, deleted, reactions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.updateMessage = this.db.prepare('UPDATE messages SET text = ?, rev = ?, edited_at = ?, deleted = ?, reactions = ? WHERE room_id = ? AND seq = ?');
    this.selectRev = this.db.prepare('SELECT rev FROM room_revs WHERE room_id = ?');
    this.upsertRev = this.db.prepare(
      'INSERT INTO room_revs (room_id, rev) VALUES (?, ?) ON CONFLICT (room_id) DO UPDATE SET rev = excluded.rev WHERE excluded.rev > rev',
    );
    this.selectReads = this.db.prepare('SELECT user_id AS userId, seq FROM room_reads WHERE room_id = ?');
    this.upsertRead = this.db.prepare(
      'INSERT INTO room_reads (room_id, user_id, seq) VALUES (?, ?, ?) ON CONFLICT (room_id, user_id) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > seq',
    );
    this.updateAll = this.db.transaction((roomId: string, messages: readonly MessageV2[], epoch: number) => {
      this.checkEpoch(roomId, epoch);
      for (const m of messages) this.updateMessage.run(m.text, m.rev ?? null, m.editedAt ?? null, m.deleted ? 1 : null, reactionsJson(m), roomId, m.seq);
      this.upsertRev.run(roomId, newestRev(messages));
      this.upsertEpoch.run(roomId, epoch);
    });
    this.saveAllReads = this.db.transaction((roomId: string, reads: readonly ReadMarker[], epoch: number) => {
      this.checkEpoch(roomId, epoch);
      for (const r of reads) this.upsertRead.run(roomId, r.userId, r.seq);
      this.upsertEpoch.run(roomId, epoch);
    });
    this.selectNewest = this.db.prepare(`SELECT ${cols} FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT ?`);
    this.selectLastSeq = this.db.prepare('SELECT MAX(seq) AS seq FROM messages WHERE room_id = ?');
    this.selectBefore = this.db.prepare(`SELECT ${cols} FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`);
    this.selectAfter = this.db.prepare(`SELECT ${cols} FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq DESC LIMIT ?`);
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
    this.insertBatch = this.db.transaction((roomId: string, messages: readonly MessageV2[], epoch: number) => {
      for (const m of messages) this.insertMessage(roomId, m);
      this.upsertRev.run(roomId, newestRev(messages));
      this.upsertEpoch.run(roomId, epoch);
    });
    // Fast path: every batch in one transaction without savepoints (conflicts are rare: a takeover).
    // A batch under an older epoch is refused before it inserts anything.
    this.writeAll = this.db.transaction((batches: PendingAppend[]) => {
      for (const batch of batches) {
        if (this.refusedEpoch(batch)) continue;
        for (const m of batch.messages) this.insertMessage(batch.roomId, m);
        this.upsertRev.run(batch.roomId, newestRev(batch.messages));
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

  append(roomId: string, messages: readonly MessageV2[], epoch: number): Promise<void> {
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

  /** Edits, deletions, reactions: one IMMEDIATE transaction (rare next to sends: no group commit). */
  async update(roomId: string, messages: readonly MessageV2[], epoch: number): Promise<void> {
    if (messages.length === 0) return;
    this.updateAll.immediate(roomId, messages, epoch);
  }

  async saveReads(roomId: string, reads: readonly ReadMarker[], epoch: number): Promise<void> {
    if (reads.length === 0) return;
    this.saveAllReads.immediate(roomId, reads, epoch);
  }

  async before(roomId: string, before: number, limit: number): Promise<MessageV2[]> {
    if (limit <= 0) return [];
    return toMessages(this.selectBefore.all(roomId, before, limit) as MessageRow[]);
  }

  async after(roomId: string, after: number, limit: number): Promise<MessageV2[]> {
    if (limit <= 0) return [];
    return toMessages(this.selectAfter.all(roomId, after, limit) as MessageRow[]);
  }

  async identity(): Promise<string> {
    return this.id;
  }

  /**
   * The file's identity, made by whichever process opens it first: servers that share this file
   * (one DATA_DIR) report the same id, servers on hosts with a DATA_DIR each report their own.
   * IMMEDIATE, so two processes opening a new file at once agree on one id.
   */
  private ownIdentity(): string {
    this.db.exec('CREATE TABLE IF NOT EXISTS store_identity (id TEXT NOT NULL)');
    const read = this.db.prepare<[], { id: string }>('SELECT id FROM store_identity LIMIT 1');
    const make = this.db.prepare('INSERT INTO store_identity (id) VALUES (?)');
    return this.db
      .transaction(() => {
        const found = read.get();
        if (found) return found.id;
        const id = `sqlite:${randomUUID()}`;
        make.run(id);
        return id;
      })
      .immediate();
  }

  async pruneHistory(cutoffTs: number): Promise<number> {
    // A room's newest message stays: it carries the room's last seq, which a new owner continues.
    this.pruneBatch ??= this.db.prepare(`DELETE FROM messages WHERE (room_id, seq) IN (
      SELECT m.room_id, m.seq FROM messages m
      WHERE m.ts < ? AND m.seq < (SELECT MAX(n.seq) FROM messages n WHERE n.room_id = m.room_id)
      LIMIT ?)`);
    let total = 0;
    // In batches, yielding between them: one long write would hold the file's write lock from every appender.
    while (this.db.open) {
      const { changes } = this.pruneBatch.run(cutoffTs, PRUNE_BATCH_SIZE);
      total += changes;
      if (changes < PRUNE_BATCH_SIZE) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  }

  async close(): Promise<void> {
    await this.retention?.stop();
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
    const rev = (this.selectRev.get(roomId) as { rev: number } | undefined)?.rev ?? 0;
    return { lastSeq, messages, rev, reads: this.selectReads.all(roomId) as ReadMarker[] };
  }

  private insertMessage(roomId: string, m: MessageV2): void {
    this.insert.run(roomId, m.seq, m.id, m.userId, m.name, m.text, m.ts, m.rev ?? null, m.editedAt ?? null, m.deleted ? 1 : null, reactionsJson(m));
  }

  private checkEpoch(roomId: string, epoch: number): void {
    const newest = this.epochOf(roomId);
    if (epoch < newest) throw new StaleEpochError(roomId, epoch, newest);
  }

  /** A database made before version 2 gets the message columns it lacks (all nullable: old rows stay as they were). */
  private addVersion2Columns(): void {
    const have = new Set((this.db.pragma('table_info(messages)') as Array<{ name: string }>).map((c) => c.name));
    const wanted: Array<[string, string]> = [
      ['rev', 'INTEGER'],
      ['edited_at', 'INTEGER'],
      ['deleted', 'INTEGER'],
      ['reactions', 'TEXT'],
    ];
    for (const [column, type] of wanted) if (!have.has(column)) this.db.exec(`ALTER TABLE messages ADD COLUMN ${column} ${type}`);
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

  private conflictingSeq(roomId: string, messages: readonly MessageV2[]): number {
    const stored = (this.selectLastSeq.get(roomId) as { seq: number | null }).seq ?? 0;
    return messages.find((m) => m.seq <= stored)?.seq ?? messages[0].seq;
  }
}

function isConstraintError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
