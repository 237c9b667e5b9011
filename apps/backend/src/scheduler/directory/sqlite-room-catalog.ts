import { isRoomKindName } from '@app/shared';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CatalogEntry, RoomCatalog } from './room-catalog';

interface RoomRow {
  room_id: string;
  name: string | null;
  created_at: number;
  created_by: string;
  expires_at: number;
  store: string | null;
  kind: string | null;
}

/**
 * Rooms of the embedded default on disk (beside the session servers' history in DATA_DIR), so a
 * restart of the whole product finds its rooms, and their history, again.
 */
export class SqliteRoomCatalog implements RoomCatalog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly select: Database.Statement<[string], RoomRow>;
  private readonly touchOne: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly bind: Database.Statement;
  private readonly touchAll: (roomIds: readonly string[], now: number, expiresAt: number) => void;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS rooms (
      room_id TEXT PRIMARY KEY, name TEXT, created_at INTEGER NOT NULL, created_by TEXT NOT NULL, expires_at INTEGER NOT NULL
    ) WITHOUT ROWID`);
    // Catalogs from before store identities: the column is added, their rooms have no store yet.
    const columns = this.db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('rooms')").all();
    if (!columns.some((c) => c.name === 'store')) this.db.exec('ALTER TABLE rooms ADD COLUMN store TEXT');
    // Catalogs from before room kinds (version 3): their rooms are chat rooms, read back as no kind.
    if (!columns.some((c) => c.name === 'kind')) this.db.exec('ALTER TABLE rooms ADD COLUMN kind TEXT');
    this.insert = this.db.prepare('INSERT OR REPLACE INTO rooms (room_id, name, created_at, created_by, expires_at, store, kind) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.bind = this.db.prepare('UPDATE rooms SET store = ? WHERE room_id = ? AND store IS NULL');
    this.select = this.db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE room_id = ?');
    this.touchOne = this.db.prepare('UPDATE rooms SET expires_at = ? WHERE room_id = ? AND expires_at > ?');
    this.remove = this.db.prepare('DELETE FROM rooms WHERE room_id = ?');
    this.touchAll = this.db.transaction((roomIds: readonly string[], now: number, expiresAt: number) => {
      for (const roomId of roomIds) this.touchOne.run(expiresAt, roomId, now);
    });
  }

  create({ record, expiresAt, store }: CatalogEntry): void {
    this.insert.run(record.roomId, record.name ?? null, record.createdAt, record.createdBy, expiresAt, store ?? null, record.kind ?? null);
  }

  get(roomId: string): CatalogEntry | undefined {
    const row = this.select.get(roomId);
    if (!row) return undefined;
    return {
      record: {
        roomId: row.room_id,
        ...(row.name !== null ? { name: row.name } : {}),
        ...(isRoomKindName(row.kind) ? { kind: row.kind } : {}),
        createdAt: row.created_at,
        createdBy: row.created_by,
      },
      expiresAt: row.expires_at,
      ...(row.store !== null ? { store: row.store } : {}),
    };
  }

  touch(roomIds: readonly string[], now: number, expiresAt: number): void {
    if (roomIds.length) this.touchAll(roomIds, now, expiresAt);
  }

  delete(roomId: string): void {
    this.remove.run(roomId);
  }

  bindStore(roomId: string, store: string): void {
    this.bind.run(store, roomId);
  }

  close(): void {
    this.db.close();
  }
}
