import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HEARTBEAT_PATH, INTERNAL_SECRET_HEADER, type HeartbeatReply, type SessionHeartbeat } from '@app/shared';
import { sessionKeyMac } from '@app/shared/internal/session-key-mac';

export interface FakeBackendOptions {
  internalSecret: string;
  /** PEM SPKI key handed to session servers in heartbeat replies. */
  sessionTokenPublicKey: string;
  ttlMs?: number;
}

/**
 * The backend's internal heartbeat endpoint and nothing else: checks the shared secret, records
 * every heartbeat, replies with the token key (and its MAC) and with rooms queued by `revoke`.
 */
export class FakeBackend {
  readonly heartbeats: SessionHeartbeat[] = [];
  /** Requests refused for a wrong or missing secret. */
  unauthorized = 0;
  /**
   * The MAC sent beside the key: by default the real one (HMAC of the key under `internalSecret`);
   * a string to send that instead, null to send none (a backend that cannot vouch for its key).
   */
  keyMac: string | null | undefined = undefined;
  /** Answer heartbeats with this status instead of 200, without recording them: a backend in trouble. */
  failWithStatus: number | null = null;
  /** Heartbeats answered with `failWithStatus`. */
  refused = 0;
  private toRevoke: string[] = [];
  private listeners: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeBackendOptions,
  ) {}

  static async start(options: FakeBackendOptions): Promise<FakeBackend> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const backend = new FakeBackend(server, `http://127.0.0.1:${port}`, options);
    server.on('request', (req, res) => backend.handle(req, res));
    return backend;
  }

  /** The TTL its replies announce. */
  get ttlMs(): number {
    return this.options.ttlMs ?? 5000;
  }

  /** Rooms to list in the next reply's `revoked`. */
  revoke(...roomIds: string[]): void {
    this.toRevoke.push(...roomIds);
  }

  /** Resolves with the first heartbeat (already received or to come) that matches. */
  waitForHeartbeat(match: (hb: SessionHeartbeat) => boolean = () => true, timeoutMs = 10_000): Promise<SessionHeartbeat> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.heartbeats.find(match);
        if (!found) return false;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve(found);
        return true;
      };
      const listener = () => void check();
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(new Error(`no matching heartbeat within ${timeoutMs} ms (${this.heartbeats.length} received)`));
      }, timeoutMs);
      if (!check()) this.listeners.push(listener);
    });
  }

  /** Resolves after `count` more heartbeats have arrived. */
  nextHeartbeats(count = 1, timeoutMs = 10_000): Promise<SessionHeartbeat> {
    const target = this.heartbeats.length + count;
    return this.waitForHeartbeat(() => this.heartbeats.length >= target, timeoutMs).then(() => this.heartbeats[target - 1]);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST' || req.url !== HEARTBEAT_PATH) {
      res.writeHead(404).end();
      return;
    }
    if (req.headers[INTERNAL_SECRET_HEADER] !== this.options.internalSecret) {
      this.unauthorized++;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"statusCode":401,"message":"Unauthorized"}');
      return;
    }
    if (this.failWithStatus !== null) {
      this.refused++;
      res.writeHead(this.failWithStatus, { 'content-type': 'application/json' }).end(`{"statusCode":${this.failWithStatus}}`);
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      this.heartbeats.push(JSON.parse(body) as SessionHeartbeat);
      const reply: HeartbeatReply = {
        ttlMs: this.ttlMs,
        revoked: this.toRevoke.splice(0),
        sessionTokenPublicKey: this.options.sessionTokenPublicKey,
      };
      const mac = this.keyMac === undefined ? sessionKeyMac(this.options.internalSecret, this.options.sessionTokenPublicKey) : this.keyMac;
      if (mac !== null) reply.sessionTokenPublicKeyMac = mac;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
      for (const l of [...this.listeners]) l();
    });
  }
}
