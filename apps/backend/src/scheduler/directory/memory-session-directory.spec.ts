import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySessionDirectory, touchStepMs } from './memory-session-directory';
import { CatalogEntry, MemoryRoomCatalog } from './room-catalog';
import { SqliteRoomCatalog } from './sqlite-room-catalog';
import { describeSessionDirectoryContract } from './session-directory.contract';

describeSessionDirectoryContract('memory', async (timing) => new MemorySessionDirectory(timing));
describeSessionDirectoryContract('memory with SQLite rooms', async (timing) => new MemorySessionDirectory(timing, new SqliteRoomCatalog(':memory:')));

describe('SqliteRoomCatalog', () => {
  it('keeps rooms across a reopen of its file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'rooms.sqlite');
    const timing = { heartbeatTtlMs: 1000, roomTtlMs: 10_000 };
    const first = new MemorySessionDirectory(timing, new SqliteRoomCatalog(file));
    await first.createRoom({ roomId: 'r1', name: 'Kept', createdAt: 5, createdBy: 'u1' }, 0);
    await first.touchRooms(['r1'], 9_000);
    await first.close();
    const second = new MemorySessionDirectory(timing, new SqliteRoomCatalog(file));
    expect(await second.getRoom('r1', 18_000)).toEqual({ roomId: 'r1', name: 'Kept', createdAt: 5, createdBy: 'u1' });
    expect(await second.getRoom('r1', 19_001)).toBeNull();
    await second.close();
  });

  it('opens a catalog from before room kinds: the column is added, its rooms read back with no kind (chat)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'rooms.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE rooms (
      room_id TEXT PRIMARY KEY, name TEXT, created_at INTEGER NOT NULL, created_by TEXT NOT NULL, expires_at INTEGER NOT NULL, store TEXT
    ) WITHOUT ROWID`);
    old.prepare('INSERT INTO rooms VALUES (?, ?, ?, ?, ?, ?)').run('r-old', null, 5, 'u1', 100_000, null);
    old.close();
    const timing = { heartbeatTtlMs: 1000, roomTtlMs: 10_000 };
    const dir = new MemorySessionDirectory(timing, new SqliteRoomCatalog(file));
    expect(await dir.getRoom('r-old', 10)).toEqual({ roomId: 'r-old', createdAt: 5, createdBy: 'u1' });
    await dir.createRoom({ roomId: 'r-board', kind: 'board', createdAt: 6, createdBy: 'u1' }, 6);
    await dir.close();
    const again = new MemorySessionDirectory(timing, new SqliteRoomCatalog(file));
    expect((await again.getRoom('r-board', 10))?.kind).toBe('board');
    await again.close();
  });
});

describe('MemorySessionDirectory', () => {
  it('frees a removed server’s slots and rooms for placement elsewhere', async () => {
    const dir = new MemorySessionDirectory({ heartbeatTtlMs: 1000, roomTtlMs: 10_000 });
    const hb = (serverId: string) => ({ serverId, url: `ws://${serverId}`, capacity: 1, rooms: [], connections: 0, draining: false });
    await dir.heartbeat(hb('a'), 0);
    expect((await dir.place('r1', 0))?.server.id).toBe('a');
    await dir.heartbeat(hb('b'), 0);
    await dir.removeServer('a');
    expect((await dir.place('r1', 0))?.server.id).toBe('b');
    expect((await dir.placements()).get('a')).toBeUndefined();
  });
});

describe('MemorySessionDirectory.openRoom and the catalog', () => {
  const ttl = 10_000;
  const room = { roomId: 'r1', createdAt: 0, createdBy: 'u1' };

  /** A memory catalog that counts its writes (each is a disk write with SQLite). */
  class CountingCatalog extends MemoryRoomCatalog {
    touches = 0;
    override touch(roomIds: readonly string[], now: number, expiresAt: number): void {
      this.touches++;
      super.touch(roomIds, now, expiresAt);
    }
    entry(roomId: string): CatalogEntry | undefined {
      return this.get(roomId);
    }
  }

  it('writes a room’s expiry once per step, not on every call, and never lets it expire early', async () => {
    const catalog = new CountingCatalog();
    const dir = new MemorySessionDirectory({ heartbeatTtlMs: 1000, roomTtlMs: ttl }, catalog);
    const step = touchStepMs(ttl);
    expect(step).toBe(100);
    await dir.createRoom(room, 0);
    await dir.openRoom('r1', 10);
    expect(catalog.touches).toBe(1);
    expect(catalog.entry('r1')?.expiresAt).toBe(10 + ttl + step);
    for (let t = 11; t <= 10 + step; t += 7) await dir.openRoom('r1', t);
    expect(catalog.touches).toBe(1);
    // Every call leaves at least a full TTL: the room outlives ROOM_TTL after any of them.
    const last = 10 + step;
    expect(await dir.getRoom('r1', last + ttl - 1)).toEqual(room);
    await dir.openRoom('r1', last + 1);
    expect(catalog.touches).toBe(2);
  });

  it('caps the step at a minute for long TTLs', () => {
    expect(touchStepMs(24 * 3600_000)).toBe(60_000);
    expect(touchStepMs(500)).toBe(5);
  });
});
