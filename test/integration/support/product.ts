import type { AdminLoginResponse, ClusterView, CreateRoomResponse, LoginResponse, RoomSessionResponse } from '@app/shared';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidListeningOn } from '../../support/processes';
import { BACKEND_ENTRY, BACKEND_INTERNAL, BACKEND_READY, ServerProcess, type ServerProcessOptions } from '../../support/server-process';

/** ADMIN_SECRET of a Product unless its env names another. */
export const PRODUCT_ADMIN_SECRET = 'product-test-admin-secret';

/**
 * The whole product as `npm start` runs it: the built backend as a process, starting its own
 * session servers (local provisioner) on free ports, with a private data dir.
 */
export class Product {
  private constructor(
    readonly url: string,
    /** The internal listener that takes heartbeats (INTERNAL_PORT): the session servers' BACKEND_URL. */
    readonly internalUrl: string,
    private readonly proc: ServerProcess,
    private readonly dataDir: string,
  ) {}

  static async start(env: Record<string, string> = {}, options: ServerProcessOptions = {}): Promise<Product> {
    const dataDir = mkdtempSync(join(tmpdir(), 'rooms-test-'));
    try {
      const { proc, match } = await ServerProcess.start(
        'backend',
        BACKEND_ENTRY,
        {
          PORT: '0',
          INTERNAL_PORT: '0',
          SESSION_BASE_PORT: '0',
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          HTTP_RATE_LIMIT_PER_MIN: '10000',
          GUESTS_PER_ADDRESS_PER_HOUR: '0',
          ROOMS_PER_ADDRESS_PER_HOUR: '0',
          ROOMS_PER_USER_PER_HOUR: '10000',
          SESSIONS_PER_USER_PER_MIN: '10000',
          ADMIN_SECRET: PRODUCT_ADMIN_SECRET,
          ...env,
        },
        BACKEND_READY,
        options,
      );
      const internal = BACKEND_INTERNAL.exec(proc.logs());
      if (!internal) {
        await proc.stop();
        throw new Error(`the backend printed no internal listener:\n${proc.logs()}`);
      }
      return new Product(match[1], internal[1], proc, dataDir);
    } catch (err) {
      rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  }

  get pid(): number {
    return this.proc.pid;
  }

  logs(): string {
    return this.proc.logs();
  }

  async stop(): Promise<void> {
    await this.proc.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async request<T = any>(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(this.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async login(name: string): Promise<LoginResponse> {
    const r = await this.request<LoginResponse>('POST', '/api/login', undefined, { name });
    if (r.status !== 201) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async createRoom(token: string): Promise<string> {
    const r = await this.request<CreateRoomResponse>('POST', '/api/rooms', token, {});
    if (r.status !== 201) throw new Error(`create room failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.roomId;
  }

  async session(token: string, roomId: string): Promise<RoomSessionResponse> {
    const r = await this.request<RoomSessionResponse>('POST', `/api/rooms/${roomId}`, token);
    if (r.status !== 200) throw new Error(`session failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** An access token with the admin role (`POST /api/admin/login`). */
  async adminToken(secret = PRODUCT_ADMIN_SECRET): Promise<string> {
    const r = await this.request<AdminLoginResponse>('POST', '/api/admin/login', undefined, { secret });
    if (r.status !== 201) throw new Error(`admin login failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  }

  /** The admin's cluster view: every room, and the servers' addresses. */
  async adminCluster(): Promise<ClusterView> {
    return this.cluster(await this.adminToken());
  }

  /** The pid of session server `serverId` (a process of its own, never the backend's): for tests that kill it. */
  async sessionServerPid(serverId: string): Promise<number> {
    const server = (await this.adminCluster()).servers.find((s) => s.id === serverId);
    if (!server?.url) throw new Error(`no session server ${serverId} with an address in the cluster view`);
    const pid = pidListeningOn(Number(new URL(server.url).port));
    if (pid === undefined || pid === this.pid) throw new Error(`no session server process of its own listens for ${serverId} (${pid})`);
    return pid;
  }

  async cluster(token: string): Promise<ClusterView> {
    const r = await this.request<ClusterView>('GET', '/api/cluster', token);
    if (r.status !== 200) throw new Error(`cluster view failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}
