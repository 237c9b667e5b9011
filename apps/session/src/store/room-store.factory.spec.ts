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
    const store = createRoomStore(loadSessionConfig({ ROOM_STORE: 'memory' }));
    expect(store).toBeInstanceOf(MemoryRoomStore);
    await store.close();
  });

  it('builds the SQLite store on DATA_DIR/rooms.sqlite by default', async () => {
    const store = createRoomStore(loadSessionConfig({ DATA_DIR: dir }));
    expect(store).toBeInstanceOf(SqliteRoomStore);
    expect(existsSync(join(dir, 'rooms.sqlite'))).toBe(true);
    await store.close();
  });

  it('builds the Redis store without waiting for Redis', async () => {
    const store = createRoomStore(loadSessionConfig({ ROOM_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:1' }));
    expect(store).toBeInstanceOf(RedisRoomStore);
    await store.close();
  });

  it('throws on an unknown kind', () => {
    const config = loadSessionConfig({});
    (config as { ROOM_STORE: string }).ROOM_STORE = 'mongo';
    expect(() => createRoomStore(config)).toThrow(/unknown ROOM_STORE "mongo"/);
  });
});
