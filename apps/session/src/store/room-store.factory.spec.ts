import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSessionConfig } from '../config/load-session-config';
import { MemoryRoomStore } from './memory-room-store';
import { RedisRoomStore } from './redis-room-store';
import { createRoomStore } from './room-store.factory';
import { SqliteRoomStore } from './sqlite-room-store';

describe('createRoomStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'room-store-factory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the memory store', async () => {
    const store = await createRoomStore(loadSessionConfig({ ROOM_STORE: 'memory' }));
    expect(store).toBeInstanceOf(MemoryRoomStore);
    await store.close();
  });

  it('builds the SQLite store on DATA_DIR/rooms.sqlite by default', async () => {
    const store = await createRoomStore(loadSessionConfig({ DATA_DIR: dir }));
    expect(store).toBeInstanceOf(SqliteRoomStore);
    expect(existsSync(join(dir, 'rooms.sqlite'))).toBe(true);
    await store.close();
  });

  it('builds the Redis store without waiting for Redis', async () => {
    const store = await createRoomStore(loadSessionConfig({ ROOM_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:1' }));
    expect(store).toBeInstanceOf(RedisRoomStore);
    await store.close();
  });

  it('refuses to build the PostgreSQL store when the database cannot be reached (the server does not start)', async () => {
    const config = loadSessionConfig({ ROOM_STORE: 'postgres', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/rooms' });
    await expect(createRoomStore(config)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('throws on an unknown kind', async () => {
    const config = loadSessionConfig({});
    (config as { ROOM_STORE: string }).ROOM_STORE = 'mongo';
    await expect(createRoomStore(config)).rejects.toThrow(/unknown ROOM_STORE "mongo"/);
  });
});
