import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HeartbeatReply, SessionHeartbeat } from '@app/shared';
import type { SessionTokenVerifier } from '../auth/session-token.verifier';
import { loadSessionConfig } from '../config/load-session-config';
import { ServerState } from '../lifecycle/server-state';
import type { SessionMetrics } from '../metrics/session-metrics';
import type { RoomsService } from '../rooms/rooms.service';
import { ManualClock } from '../time/manual-clock';
import { HeartbeatService } from './heartbeat.service';

/** A backend stand-in on a real port: answers heartbeats, or refuses them with a status. */
class FakeBackend {
  readonly beats: SessionHeartbeat[] = [];
  status = 200;
  reply: Partial<HeartbeatReply> = { ttlMs: 5000, revoked: [] };
  private constructor(readonly server: Server) {}

  static async start(): Promise<FakeBackend> {
    const server = createServer();
    const self = new FakeBackend(server);
    server.on('request', (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        self.beats.push(JSON.parse(body) as SessionHeartbeat);
        res.writeHead(self.status, { 'content-type': 'application/json' }).end(JSON.stringify(self.reply));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('HeartbeatService with several backends', () => {
  let backends: FakeBackend[];
  let revoked: Array<{ ids: readonly string[]; reported: ReadonlyMap<string, number | undefined> }>;
  const metrics = { heartbeatSent: jest.fn(), heartbeatFailed: jest.fn() } as unknown as SessionMetrics;

  function service(urls: string[]): HeartbeatService {
    const config = loadSessionConfig({ BACKEND_URL: urls.join(','), SERVER_ID: 's1' });
    const rooms = {
      heldRooms: () => [{ roomId: 'r1', connections: 2, lastActivity: 1, epoch: 4 }],
      connectionCount: 2,
      revoke: (ids: readonly string[], reported: ReadonlyMap<string, number | undefined>) => revoked.push({ ids, reported }),
    } as unknown as RoomsService;
    const verifier = { offerKey: () => false } as unknown as SessionTokenVerifier;
    return new HeartbeatService(config, rooms, verifier, new ServerState(), new ManualClock(), metrics);
  }

  beforeEach(async () => {
    backends = await Promise.all([FakeBackend.start(), FakeBackend.start()]);
    revoked = [];
  });
  afterEach(async () => {
    await Promise.all(backends.map((b) => b.close()));
  });

  it('sends to the first backend while it answers, with the epoch of every held room', async () => {
    const hb = service(backends.map((b) => b.url));
    await hb.beat();
    await hb.beat();
    expect(backends.map((b) => b.beats.length)).toEqual([2, 0]);
    expect(backends[0].beats[0].rooms).toEqual([{ roomId: 'r1', connections: 2, lastActivity: 1, epoch: 4 }]);
    expect(hb.successfulBeats).toBe(2);
  });

  it('fails over to the next backend in the same beat when one is down, and stays there', async () => {
    const hb = service(backends.map((b) => b.url));
    await backends[0].close();
    await hb.beat();
    expect(hb.successfulBeats).toBe(1);
    expect(backends[1].beats).toHaveLength(1);
    await hb.beat();
    expect(backends[1].beats).toHaveLength(2);
  });

  it('fails over on an error status too, and counts a failure only when every backend failed', async () => {
    const hb = service(backends.map((b) => b.url));
    backends[0].status = 503;
    await hb.beat();
    expect(hb.successfulBeats).toBe(1);
    backends[1].status = 500;
    await hb.beat();
    expect(hb.successfulBeats).toBe(1);
    expect(metrics.heartbeatFailed).toHaveBeenCalled();
    backends[0].status = 200;
    await hb.beat();
    expect(hb.successfulBeats).toBe(2);
  });

  it('passes revocations on with the epochs the rooms were reported under', async () => {
    const hb = service([backends[0].url]);
    backends[0].reply = { ttlMs: 5000, revoked: ['r1'] };
    await hb.beat();
    expect(revoked).toEqual([{ ids: ['r1'], reported: new Map([['r1', 4]]) }]);
  });
});
