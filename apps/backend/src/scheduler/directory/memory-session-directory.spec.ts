import { MemorySessionDirectory } from './memory-session-directory';
import { describeSessionDirectoryContract } from './session-directory.contract';

describeSessionDirectoryContract('memory', async (timing) => new MemorySessionDirectory(timing));

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
