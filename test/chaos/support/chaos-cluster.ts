import type { ClusterView, CreateRoomResponse, LoginResponse } from '@app/shared';
import { TokenType } from '@app/shared';
import { JwtService } from '@nestjs/jwt';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SdkChatter, storedHistory, type StoredHistory } from '../../support/sdk-chatter';
import { freeBackendPorts, startBackend, startSession } from '../../integration/redis/distributed-servers';
import { eventually } from '../../support/eventually';
import { RedisServerHandle, startRedisServer, uniqueKeyPrefix } from '../../support/redis-server';
import { callApi } from '../../support/room-api';
import { ServerProcess } from '../../support/server-process';

/**
 * The `npm run start:cluster` topology with real processes, for fault injection: one Redis (AOF,
 * fsync always, so it can be restarted without loss), two backend replicas sharing it, three session
 * servers heartbeating to both. Clients ask either backend (the next one after a failure), as a
 * client behind the cluster's round-robin proxy would; the proxy itself is left out.
 */
export class ChaosCluster {
  readonly backends: Array<{ name: string; port: number; proc: ServerProcess; url: string; internal: string }> = [];
  readonly sessions = new Map<string, ServerProcess>();
  private readonly stopped = new Set<string>();
  token = '';
  adminToken = '';

  /** Per session server id, its own data directory (`ownStores`), kept across its restarts. */
  private readonly dataDirs = new Map<string, string>();

  private constructor(
    readonly redis: RedisServerHandle,
    private readonly backendEnv: Record<string, string>,
    private readonly sessionEnv: Record<string, string>,
    private readonly jwtSecret: string,
    private readonly ownStores: boolean,
  ) {}

  /**
   * `sessions`: the session servers' ids (three by default). `ownStores`: each keeps its history in
   * SQLite in a data directory of its own, as on hosts that share no disk (the default store, with
   * every other setting left alone), instead of the shared Redis.
   */
  static async start(options: { heartbeatTtlMs?: number; heartbeatIntervalMs?: number; sessions?: string[]; ownStores?: boolean } = {}): Promise<ChaosCluster> {
    const redis = await startRedisServer({ persistent: true });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const secrets = { INTERNAL_SECRET: randomBytes(16).toString('hex') };
    const prefix = uniqueKeyPrefix('chaos');
    const jwtSecret = randomBytes(24).toString('hex');
    const cluster = new ChaosCluster(
      redis,
      {
        ...secrets,
        JWT_SECRET: jwtSecret,
        SESSION_TOKEN_PRIVATE_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: prefix,
        HEARTBEAT_TTL_MS: String(options.heartbeatTtlMs ?? 2000),
      },
      {
        ...secrets,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: prefix,
        HEARTBEAT_INTERVAL_MS: String(options.heartbeatIntervalMs ?? 250),
        RATE_PER_SECOND: '50',
        RATE_BURST: '100',
      },
      jwtSecret,
      options.ownStores ?? false,
    );
    const sessions = options.sessions ?? ['s1', 's2', 's3'];
    try {
      for (const name of ['backend-1', 'backend-2']) {
        const ports = await freeBackendPorts();
        const { proc, url, internal } = await startBackend(name, ports, cluster.backendEnv);
        cluster.backends.push({ name, port: ports.port, proc, url, internal });
      }
      for (const id of sessions) await cluster.startSession(id);
      cluster.token = (await cluster.call<LoginResponse>('POST', '/api/login', undefined, { name: 'Checker' })).body.token;
      cluster.adminToken = new JwtService().sign(
        { typ: TokenType.Access, sub: 'admin', name: 'Admin', role: 'admin' },
        { secret: jwtSecret, algorithm: 'HS256', expiresIn: 3600 },
      );
      await cluster.waitForLive(sessions);
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  get backendUrls(): string[] {
    return this.backends.map((b) => b.url);
  }

  async startSession(id: string): Promise<void> {
    let env = this.sessionEnv;
    if (this.ownStores) {
      if (!this.dataDirs.has(id)) this.dataDirs.set(id, mkdtempSync(join(tmpdir(), `chaos-${id}-`)));
      // SQLite is the default store (startSession's own default is the cluster's Redis).
      env = { ...env, ROOM_STORE: 'sqlite', DATA_DIR: this.dataDirs.get(id)! };
    }
    const { proc } = await startSession(id, this.backends.map((b) => b.internal).join(','), env);
    this.sessions.set(id, proc);
    this.stopped.delete(id);
  }

  /** A request to the first backend that answers. */
  async call<T>(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
    let lastError: unknown;
    for (const b of this.backends) {
      if (this.stopped.has(b.name)) continue;
      try {
        return await callApi<T>(b.url, method, path, token, body, 5000);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  async cluster(): Promise<ClusterView> {
    return (await this.call<ClusterView>('GET', '/api/cluster', this.adminToken)).body;
  }

  async ownerOf(roomId: string): Promise<string | undefined> {
    return (await this.cluster()).servers.find((s) => s.alive && s.rooms.includes(roomId))?.id;
  }

  async waitForLive(ids: string[]): Promise<void> {
    await eventually(
      async () => {
        const live = (await this.cluster()).servers.filter((s) => s.alive).map((s) => s.id);
        return ids.every((id) => live.includes(id));
      },
      15_000,
      `live servers ${ids.join(', ')}`,
    );
  }

  /** Rooms, each with `perRoom` resuming clients asking both backends (each its own first). */
  async workload(rooms: number, perRoom: number): Promise<Workload> {
    const roomIds: string[] = [];
    for (let i = 0; i < rooms; i++) roomIds.push((await this.call<CreateRoomResponse>('POST', '/api/rooms', this.token, {})).body.roomId);
    const clients: SdkChatter[] = [];
    for (const roomId of roomIds) {
      for (let c = 0; c < perRoom; c++) {
        const name = `c${clients.length}`;
        const userToken = (await this.call<LoginResponse>('POST', '/api/login', undefined, { name })).body.token;
        const order = clients.length % 2 === 0 ? this.backendUrls : [...this.backendUrls].reverse();
        clients.push(new SdkChatter(name, order, userToken, roomId));
      }
    }
    await Promise.all(clients.map((c) => c.connect()));
    return new Workload((roomId) => this.history(roomId), roomIds, clients);
  }

  signalSession(id: string, signal: NodeJS.Signals): void {
    process.kill(this.sessions.get(id)!.pid, signal);
  }

  async killSession(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.stopped.add(id);
    await this.sessions.get(id)!.stop(signal);
  }

  async killBackend(name: string): Promise<void> {
    this.stopped.add(name);
    await this.backends.find((b) => b.name === name)!.proc.stop('SIGKILL');
  }

  async stop(): Promise<void> {
    for (const proc of this.sessions.values()) {
      try {
        process.kill(proc.pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
    await Promise.all([...this.sessions.values()].map((p) => p.stop('SIGKILL')));
    await Promise.all(this.backends.map((b) => b.proc.stop('SIGKILL')));
    await this.redis.stop();
    for (const dir of this.dataDirs.values()) rmSync(dir, { recursive: true, force: true });
  }

  /** Every message the room keeps, read by a newcomer on the SDK through the backends still running. */
  history(roomId: string): Promise<StoredHistory> {
    return storedHistory(
      this.backends.filter((b) => !this.stopped.has(b.name)).map((b) => b.url),
      this.token,
      roomId,
    );
  }
}

/** Clients chatting in rooms while faults happen, and the checker over what they and the rooms saw. */
export class Workload {
  private talking = false;
  private talk: Promise<void> | null = null;

  constructor(
    private readonly history: (roomId: string) => Promise<StoredHistory>,
    readonly roomIds: string[],
    readonly clients: SdkChatter[],
  ) {}

  /** Every client sends one message every `everyMs`, until `quiet`. */
  chat(everyMs = 200): void {
    this.talking = true;
    this.talk = (async () => {
      while (this.talking) {
        for (const c of this.clients) c.send(`${c.name} at ${Date.now()}`);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
  }

  async quiet(): Promise<void> {
    this.talking = false;
    await this.talk;
  }

  /** Resolves once every client is connected and has every message acked; the ms it took. */
  async settled(timeoutMs = 30_000): Promise<number> {
    const started = Date.now();
    await eventually(() => this.clients.every((c) => c.connected && c.pending.size === 0), timeoutMs, 'every client connected with every message acked');
    return Date.now() - started;
  }

  /** How long after `since` every client was connected again and had a new message acked: the room served again. */
  async servedAgain(since: number, timeoutMs = 30_000): Promise<number> {
    const acked = new Map(this.clients.map((c) => [c, c.acks.size]));
    await eventually(() => this.clients.every((c) => c.connected && c.acks.size > acked.get(c)! + 1), timeoutMs, 'every client served again');
    return Date.now() - since;
  }

  /** p99 of the client-visible switch-overs (last frame on the old server → welcome on the new), ms. */
  switchOverP99(): number {
    const ms = this.clients.flatMap((c) => c.switches.map((s) => s.ms)).sort((a, b) => a - b);
    return ms.length ? ms[Math.min(ms.length - 1, Math.ceil(0.99 * ms.length) - 1)] : 0;
  }

  /**
   * The checker: per room, seqs 1..n; every acked message exactly once at its acked seq; nothing
   * nobody sent; every client's view gapless and never older than what it had seen (no stale welcome).
   */
  async check(): Promise<string[]> {
    const problems: string[] = [];
    const sentByAnyone = new Set(this.clients.flatMap((c) => [...c.sent]));
    for (const roomId of this.roomIds) {
      const { messages } = await this.history(roomId);
      messages.forEach((m, i) => {
        if (m.seq !== i + 1) problems.push(`room ${roomId}: seq ${m.seq} at position ${i + 1}`);
        if (!sentByAnyone.has(m.id)) problems.push(`room ${roomId}: seq ${m.seq} (${m.id}) was sent by nobody`);
      });
      const ids = messages.map((m) => m.id);
      if (new Set(ids).size !== ids.length) problems.push(`room ${roomId}: a message stored twice`);
      const bySeq = new Map(messages.map((m) => [m.seq, m]));
      for (const c of this.clients.filter((x) => x.roomId === roomId)) {
        for (const [id, seq] of c.acks)
          if (bySeq.get(seq)?.id !== id) problems.push(`${c.name}: ${id} acked at seq ${seq}, the room has ${bySeq.get(seq)?.id ?? 'nothing'} there`);
        for (const [seq, m] of c.messages)
          if (bySeq.get(seq)?.id !== m.id) problems.push(`${c.name}: saw ${m.id} at seq ${seq}, the room has ${bySeq.get(seq)?.id ?? 'nothing'}`);
        problems.push(...c.violations.map((v) => `${c.name}: ${v}`));
      }
    }
    return problems;
  }

  async close(): Promise<void> {
    await this.quiet();
    await Promise.all(this.clients.map((c) => c.close()));
  }
}
