import { Logger } from '@nestjs/common';
import { FULL_MEMBER_LISTS_EVERY, type HeldRoom } from '@app/shared';
import { sessionKeyMac } from '@app/shared/internal/session-key-mac';
import { generateKeyPairSync } from 'node:crypto';
import { FakeBackend } from '../../../../test/integration/support/fake-backend';
import { SessionTokenVerifier } from '../auth/session-token.verifier';
import { loadSessionConfig } from '../config/load-session-config';
import { ServerState } from '../lifecycle/server-state';
import type { SessionMetrics } from '../metrics/session-metrics';
import type { RoomsService } from '../rooms/rooms.service';
import { Lease } from '../lease/lease';
import { ManualClock } from '../time/manual-clock';
import { HeartbeatService } from './heartbeat.service';

const INTERNAL_SECRET = 'heartbeat-spec-internal-secret';
const PUBLIC_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('HeartbeatService with several backends', () => {
  let backends: FakeBackend[];
  let revoked: Array<{ ids: readonly string[]; reported: ReadonlyMap<string, number | undefined> }>;
  const metrics = { heartbeatSent: jest.fn(), heartbeatFailed: jest.fn() } as unknown as SessionMetrics;

  /** Room r2 is full while this is set, with this member-set version (RoomsService's rule for the ids). */
  let fullVersion: number | null;
  let clock: ManualClock;
  let lease: Lease;
  let storeIdentity: () => Promise<string>;

  function service(urls: string[], verifier = { offerKey: () => false } as unknown as SessionTokenVerifier): HeartbeatService {
    const config = loadSessionConfig({ BACKEND_URL: urls.join(','), SERVER_ID: 's1', INTERNAL_SECRET });
    const rooms = {
      heldRooms: (listed?: ReadonlyMap<string, number>, versions?: Map<string, number>): HeldRoom[] => {
        const held: HeldRoom[] = [{ roomId: 'r1', connections: 2, lastActivity: 1, epoch: 4 }];
        if (fullVersion === null) return held;
        versions?.set('r2', fullVersion);
        const ids = listed?.get('r2') === fullVersion ? { membersUnchanged: true } : { memberIds: ['u1', 'u2'] };
        return [...held, { roomId: 'r2', connections: 2, lastActivity: 1, epoch: 1, members: 2, ...ids }];
      },
      connectionCount: 2,
      storeIdentity: () => storeIdentity(),
      revoke: (ids: readonly string[], reported: ReadonlyMap<string, number | undefined>) => revoked.push({ ids, reported }),
    } as unknown as RoomsService;
    return new HeartbeatService(config, rooms, verifier, new ServerState(), clock, metrics, lease);
  }

  // The failing beats log a warning by design; the assertions read the metrics instead (each spec
  // file has its own module registry, so nothing else is silenced).
  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    // A real key: the tests of the key's MAC hand it to a real verifier.
    const options = { internalSecret: INTERNAL_SECRET, sessionTokenPublicKey: PUBLIC_KEY };
    backends = await Promise.all([FakeBackend.start(options), FakeBackend.start(options)]);
    revoked = [];
    fullVersion = null;
    clock = new ManualClock();
    lease = new Lease(clock);
    storeIdentity = async () => 'sqlite:00000000-0000-4000-8000-000000000001';
  });
  afterEach(async () => {
    await Promise.all(backends.map((b) => b.close()));
  });

  it('sends to the first backend while it answers, with the epoch of every held room', async () => {
    const hb = service(backends.map((b) => b.url));
    await hb.beat();
    await hb.beat();
    expect(backends.map((b) => b.heartbeats.length)).toEqual([2, 0]);
    expect(backends[0].heartbeats[0].rooms).toEqual([{ roomId: 'r1', connections: 2, lastActivity: 1, epoch: 4 }]);
    expect(hb.successfulBeats).toBe(2);
  });

  it('fails over to the next backend in the same beat when one is down, and stays there', async () => {
    const hb = service(backends.map((b) => b.url));
    await backends[0].close();
    await hb.beat();
    expect(hb.successfulBeats).toBe(1);
    expect(backends[1].heartbeats).toHaveLength(1);
    await hb.beat();
    expect(backends[1].heartbeats).toHaveLength(2);
  });

  it('fails over on an error status too, and counts a failure only when every backend failed', async () => {
    const hb = service(backends.map((b) => b.url));
    backends[0].failWithStatus = 503;
    await hb.beat();
    expect(hb.successfulBeats).toBe(1);
    backends[1].failWithStatus = 500;
    await hb.beat();
    expect(hb.successfulBeats).toBe(1);
    expect(metrics.heartbeatFailed).toHaveBeenCalled();
    backends[0].failWithStatus = null;
    await hb.beat();
    expect(hb.successfulBeats).toBe(2);
  });

  describe("a full room's member ids", () => {
    const r2 = (backend: FakeBackend, beat: number) => backend.heartbeats[beat].rooms.find((r) => r.roomId === 'r2');

    it('go once; later beats say they are unchanged until the members change', async () => {
      fullVersion = 7;
      const hb = service([backends[0].url]);
      for (let i = 0; i < 3; i++) await hb.beat();
      expect([0, 1, 2].map((i) => r2(backends[0], i))).toEqual([
        expect.objectContaining({ memberIds: ['u1', 'u2'] }),
        expect.objectContaining({ membersUnchanged: true }),
        expect.objectContaining({ membersUnchanged: true }),
      ]);
      fullVersion = 9;
      await hb.beat();
      expect(r2(backends[0], 3)?.memberIds).toEqual(['u1', 'u2']);
    });

    it('go again to a backend that took over, after a beat that failed, and every FULL_MEMBER_LISTS_EVERY beats', async () => {
      fullVersion = 7;
      const hb = service(backends.map((b) => b.url));
      await hb.beat();
      expect(r2(backends[0], 0)?.memberIds).toEqual(['u1', 'u2']);
      // The first backend fails: the beat meant for it ("unchanged") reaches the second, which has
      // no list, so the next beat lists the ids to the second.
      backends[0].failWithStatus = 503;
      await hb.beat();
      await hb.beat();
      await hb.beat();
      expect([0, 1, 2].map((i) => Object.keys(r2(backends[1], i)!).filter((k) => k.startsWith('member')))).toEqual([
        ['members', 'membersUnchanged'],
        ['members', 'memberIds'],
        ['members', 'membersUnchanged'],
      ]);
      // Every backend fails: whether the beat landed is unknown, so the next one lists the ids.
      backends[1].failWithStatus = 503;
      await hb.beat();
      backends[1].failWithStatus = null;
      await hb.beat();
      expect(r2(backends[1], 3)?.memberIds).toEqual(['u1', 'u2']);
      const beats = backends[1].heartbeats.length;
      for (let i = 0; i < 2 * FULL_MEMBER_LISTS_EVERY; i++) await hb.beat();
      const listed = backends[1].heartbeats.slice(beats).filter((b) => b.rooms.find((r) => r.roomId === 'r2')?.memberIds !== undefined);
      expect(listed).toHaveLength(2);
    });
  });

  describe('the session token key of a reply', () => {
    const verifier = () => new SessionTokenVerifier('s1');

    it('is taken when its MAC, keyed by the internal secret, matches', async () => {
      const v = verifier();
      await service([backends[0].url], v).beat();
      expect(v.ready).toBe(true);
    });

    it.each([
      ['no MAC', null],
      ['a MAC under another secret', sessionKeyMac('some-other-internal-secret', PUBLIC_KEY)],
      ['a MAC of another key', sessionKeyMac(INTERNAL_SECRET, `${PUBLIC_KEY}\n`)],
      ['a garbled MAC', 'not-a-mac'],
    ])('is not trusted with %s, and the refusal is logged once', async (_label, mac) => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        backends[0].keyMac = mac;
        const v = verifier();
        const hb = service([backends[0].url], v);
        await hb.beat();
        await hb.beat();
        expect(hb.successfulBeats).toBe(2);
        expect(v.ready).toBe(false);
        const refusals = warn.mock.calls.filter(([m]) => String(m).includes('without a valid MAC'));
        expect(refusals).toHaveLength(1);
      } finally {
        warn.mockRestore();
      }
    });
  });

  it('passes revocations on with the epochs the rooms were reported under', async () => {
    const hb = service([backends[0].url]);
    backends[0].revoke('r1');
    await hb.beat();
    expect(revoked).toEqual([{ ids: ['r1'], reported: new Map([['r1', 4]]) }]);
  });

  it('says which room store the server uses in every beat, and sends none until the store can say it', async () => {
    const hb = service([backends[0].url]);
    storeIdentity = () => Promise.reject(new Error('Redis is loading'));
    await hb.beat();
    expect(backends[0].heartbeats).toHaveLength(0);
    storeIdentity = async () => 'redis:00000000-0000-4000-8000-000000000002';
    await hb.beat();
    await hb.beat();
    expect(backends[0].heartbeats.map((b) => b.store)).toEqual(['redis:00000000-0000-4000-8000-000000000002', 'redis:00000000-0000-4000-8000-000000000002']);
  });

  describe('the lease', () => {
    it('is renewed by an answered beat, and lapses when the beats go unanswered for 80 % of the backend TTL', async () => {
      const hb = service([backends[0].url]);
      expect(lease.held()).toBe(false);
      await hb.beat();
      expect(lease.held()).toBe(true);
      const ttl = backends[0].ttlMs;
      backends[0].failWithStatus = 503;
      clock.advance(ttl * 0.8 - 1);
      await hb.beat();
      expect(lease.held()).toBe(true);
      clock.advance(1);
      expect(lease.held()).toBe(false);
      backends[0].failWithStatus = null;
      await hb.beat();
      expect(lease.held()).toBe(true);
    });

    it('is renewed only after the reply’s revocations were applied', async () => {
      const hb = service([backends[0].url]);
      const heldWhenRevoked: boolean[] = [];
      const stop = lease.onRenewed(() => heldWhenRevoked.push(revoked.length > 0));
      backends[0].revoke('r1');
      await hb.beat();
      stop();
      expect(heldWhenRevoked).toEqual([true]);
    });
  });
});
