import { isVouchedKey } from '@app/shared/internal/session-key-mac';
import { ServiceUnavailableException } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { SessionTokenSigner } from '../auth/session-token.signer';
import { loadBackendConfig } from '../config/load-config';
import { MemorySessionDirectory } from './directory/memory-session-directory';
import { ProvisionedServer, Provisioner } from './provisioner/provisioner.port';
import { SchedulerService } from './scheduler.service';

/** A provisioner whose new servers register through the directory, as real ones do by heartbeat. */
class FakeProvisioner implements Provisioner {
  readonly kind = 'fake';
  added = 0;
  prewarms = 0;
  constructor(
    private readonly directory: MemorySessionDirectory,
    private readonly now: () => number,
    private readonly max: number,
  ) {}
  async start(): Promise<void> {}
  async addCapacity(): Promise<boolean> {
    if (this.added >= this.max) return false;
    this.added++;
    await this.directory.heartbeat(
      { serverId: `new-${this.added}`, url: `ws://new-${this.added}`, capacity: 1, rooms: [], connections: 0, draining: false },
      this.now(),
    );
    return true;
  }
  prewarm(): void {
    this.prewarms++;
  }
  async reconcile(): Promise<void> {}
  async stop(): Promise<void> {}
  running(): ProvisionedServer[] {
    return [];
  }
}

function metrics() {
  const registers: never[] = [];
  return {
    placements: new Counter({ name: 'p', help: 'p', labelNames: ['outcome'], registers }),
    seconds: new Histogram({ name: 's', help: 's', registers }),
    heartbeats: new Counter({ name: 'h', help: 'h', registers }),
    live: new Gauge({ name: 'l', help: 'l', registers }),
    placed: new Gauge({ name: 'r', help: 'r', registers }),
  };
}

function setup(maxNew: number, scaleUpAt = '0.8') {
  let now = 1_000_000;
  const config = loadBackendConfig({ PROVISIONER: 'none', SESSION_SCALE_UP_AT: scaleUpAt });
  const directory = new MemorySessionDirectory({ heartbeatTtlMs: config.HEARTBEAT_TTL_MS, roomTtlMs: config.ROOM_TTL_MS });
  const clock = { now: () => now };
  const provisioner = new FakeProvisioner(directory, clock.now, maxNew);
  const m = metrics();
  const scheduler = new SchedulerService(
    directory,
    provisioner,
    clock,
    new SessionTokenSigner(config),
    config,
    m.placements,
    m.seconds,
    m.heartbeats,
    m.live,
    m.placed,
  );
  return { scheduler, config, directory, provisioner, m, advance: (ms: number) => (now += ms), now: () => now };
}

const hb = (serverId: string, capacity: number) => ({ serverId, url: `ws://${serverId}`, capacity, rooms: [], connections: 0, draining: false });

describe('SchedulerService', () => {
  it('places on a registered server and answers the same server again', async () => {
    const { scheduler, config } = setup(0);
    const reply = await scheduler.heartbeat(hb('a', 5));
    expect(reply.ttlMs).toBe(5000);
    expect(reply.sessionTokenPublicKey).toContain('BEGIN PUBLIC KEY');
    // The internal secret vouches for the key: a session server takes no key without it.
    expect(isVouchedKey(config.INTERNAL_SECRET, reply.sessionTokenPublicKey, reply.sessionTokenPublicKeyMac)).toBe(true);
    expect((await scheduler.place('r1')).server.id).toBe('a');
    expect((await scheduler.place('r1')).server.id).toBe('a');
  });

  it('asks the provisioner for a server when every live one is full, then places there', async () => {
    const { scheduler, provisioner, m } = setup(1);
    await scheduler.heartbeat(hb('a', 1));
    await scheduler.place('r1');
    expect((await scheduler.place('r2')).server.id).toBe('new-1');
    expect(provisioner.added).toBe(1);
    expect((await m.placements.get()).values.map((v) => [v.labels.outcome, v.value])).toEqual(expect.arrayContaining([['placed', 2]]));
  });

  it('opens an existing room where it lives, and nothing for an unknown room', async () => {
    const { scheduler, directory, now } = setup(0);
    await scheduler.heartbeat(hb('a', 5));
    await directory.createRoom({ roomId: 'r1', createdAt: now(), createdBy: 'u' }, now());
    expect(await scheduler.openRoom('nope')).toBeNull();
    expect((await scheduler.openRoom('r1'))?.placement.server.id).toBe('a');
    expect((await directory.placements()).get('a')).toEqual(['r1']);
  });

  it('opens an existing room on a new server when every live one is full', async () => {
    const { scheduler, directory, provisioner, now } = setup(1);
    await scheduler.heartbeat(hb('a', 1));
    await scheduler.place('r0');
    await directory.createRoom({ roomId: 'r1', createdAt: now(), createdBy: 'u' }, now());
    expect((await scheduler.openRoom('r1'))?.placement.server.id).toBe('new-1');
    expect(provisioner.added).toBe(1);
  });

  it('opens through the opening it is given (a RoomOpener), with the same capacity retry, at the scheduler clock', async () => {
    const { scheduler, directory, provisioner, now } = setup(1);
    await scheduler.heartbeat(hb('a', 1));
    await scheduler.place('r0');
    await directory.createRoom({ roomId: 'r1', createdAt: now(), createdBy: 'u' }, now());
    const asked: number[] = [];
    const opened = await scheduler.openRoom('r1', async (at) => {
      asked.push(at);
      return directory.openRoom('r1', at);
    });
    expect(asked).toEqual([now()]);
    expect(opened?.placement.server.id).toBe('new-1');
    expect(provisioner.added).toBe(1);
    // What the opening throws (a quota refusal) reaches the caller as it is.
    const refusal = new Error('over quota');
    await expect(scheduler.openRoom('r1', () => Promise.reject(refusal))).rejects.toBe(refusal);
  });

  it('answers 503 when no server can be added', async () => {
    const { scheduler, m } = setup(0);
    await scheduler.heartbeat(hb('a', 1));
    await scheduler.place('r1');
    await expect(scheduler.place('r2')).rejects.toBeInstanceOf(ServiceUnavailableException);
    expect((await m.placements.get()).values.find((v) => v.labels.outcome === 'no_capacity')?.value).toBe(1);
  });

  it('prewarms a server once the live ones are mostly full', async () => {
    const { scheduler, provisioner } = setup(0, '0.75');
    await scheduler.heartbeat(hb('a', 4));
    await scheduler.place('r1');
    await scheduler.place('r2');
    await new Promise((r) => setImmediate(r));
    expect(provisioner.prewarms).toBe(0);
    await scheduler.place('r3');
    await new Promise((r) => setImmediate(r));
    expect(provisioner.prewarms).toBe(1);
  });

  it('moves a dead server’s room on the next placement and reports a revoked room to a stale owner', async () => {
    const { scheduler, advance } = setup(0);
    await scheduler.heartbeat(hb('a', 5));
    expect((await scheduler.place('r1')).server.id).toBe('a');
    advance(6000);
    await scheduler.heartbeat(hb('b', 5));
    expect((await scheduler.place('r1')).server.id).toBe('b');
    // `a` comes back still holding r1: it must drop it.
    const reply = await scheduler.heartbeat({ ...hb('a', 5), rooms: [{ roomId: 'r1', connections: 1, lastActivity: 0 }] });
    expect(reply.revoked).toEqual(['r1']);
  });
});
