import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../../../../test/support/eventually';
import type { ServerRecord, SessionDirectory } from '../directory/session-directory.port';
import { LocalProvisioner } from './local.provisioner';

/**
 * The directory as the provisioner reads it: every child it started is registered and alive (with
 * what the test sets), the others are gone. A stand-in for the session server that stays up until
 * SIGTERM keeps the test to the provisioner's own decisions.
 */
class FakeDirectory {
  readonly state = new Map<string, Partial<ServerRecord>>();
  constructor(private readonly provisioner: () => LocalProvisioner) {}

  async servers(now: number): Promise<ServerRecord[]> {
    return this.provisioner()
      .running()
      .map(({ serverId }) => ({
        id: serverId,
        url: 'ws://127.0.0.1:1',
        capacity: 50,
        placedRooms: 0,
        connections: 1,
        draining: false,
        lastHeartbeat: now,
        ...this.state.get(serverId),
      }));
  }

  async removeServer(serverId: string): Promise<void> {
    this.state.delete(serverId);
  }
}

Logger.overrideLogger(false);

describe('LocalProvisioner after an operator drain', () => {
  let dir: string;
  let provisioner: LocalProvisioner;
  let directory: FakeDirectory;
  const actions: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-provisioner-'));
    const entry = join(dir, 'fake-session.cjs');
    writeFileSync(entry, "setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0)); process.on('disconnect', () => process.exit(0));\n");
    directory = new FakeDirectory(() => provisioner);
    provisioner = new LocalProvisioner(
      {
        entry,
        nodeArgs: [],
        min: 2,
        max: 4,
        basePort: 0,
        host: '127.0.0.1',
        maxRoomsPerServer: 50,
        idleStopMs: 60_000,
        heartbeatTtlMs: 5000,
        env: {},
        internalSecret: 'x'.repeat(16),
        sessionTokenPublicKey: 'unused',
        onAction: (a) => actions.push(a),
      },
      directory as unknown as SessionDirectory,
      () => Date.now(),
    );
  });

  afterEach(async () => {
    await provisioner.stop();
    rmSync(dir, { recursive: true, force: true });
    actions.length = 0;
  });

  const ids = () => provisioner.running().map((s) => s.serverId);
  const reconcile = async () => provisioner.reconcile(await directory.servers(Date.now()), Date.now());
  // A replacement starts in the background of the sweep that asked for it.
  const runningCount = (n: number) => eventually(() => ids().length === n, 3000, `${n} session servers running`);

  it('starts a replacement for a drained server (it no longer counts toward SESSION_MIN), and stops it once it is empty', async () => {
    await provisioner.start('http://127.0.0.1:1');
    const [drainedId, keptId] = ids();
    expect(ids()).toHaveLength(2);

    // Drained: its rooms moved away, clients still leaving.
    directory.state.set(drainedId, { draining: true, placedRooms: 0, connections: 3 });
    await reconcile();
    await runningCount(3);
    expect(ids()).toContain(drainedId);
    expect(actions).toContain('replace');

    // Sweeps while nothing changed start no fourth.
    await reconcile();
    await reconcile();
    expect(ids()).toHaveLength(3);

    // Its last connection gone: stopped; two servers take rooms again, neither of them the drained one.
    directory.state.set(drainedId, { draining: true, placedRooms: 0, connections: 0 });
    await reconcile();
    expect(ids()).toHaveLength(2);
    expect(ids()).toContain(keptId);
    expect(ids()).not.toContain(drainedId);
  });

  it('keeps a drained server that still holds rooms until they are gone', async () => {
    await provisioner.start('http://127.0.0.1:1');
    const [drainedId] = ids();
    directory.state.set(drainedId, { draining: true, placedRooms: 2, connections: 0 });
    await reconcile();
    await runningCount(3);
    await reconcile();
    expect(ids()).toContain(drainedId);
  });
});
