import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySessionDirectory } from './memory-session-directory';
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
