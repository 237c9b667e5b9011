import 'reflect-metadata';
import type { ClusterView } from '@app/shared';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { request } from 'node:http';
import { createBackendApp, listenBackend } from '../../../../apps/backend/src/bootstrap';
import { loadBackendConfig } from '../../../../apps/backend/src/config/load-config';
import { loadSessionConfig } from '../../../../apps/session/src/config/load-session-config';
import { startSessionApp } from '../../../../apps/session/src/session-app';
import { internalUrlOf } from '../../support/test-backend';
import { eventually } from '../../../support/eventually';

export const CLUSTER_ADMIN_SECRET = 'live-cluster-admin-secret';
const INTERNAL_SECRET = 'live-cluster-internal-secret';

export interface HttpAnswer<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/**
 * The real backend and real session servers, all in this process on loopback ports: the servers
 * register through the backend's heartbeat endpoint and get the session token key from it, as in
 * production. Calls can leave from any loopback address (`from`), as an attacker's would.
 */
export class LiveCluster {
  private constructor(
    readonly backend: NestFastifyApplication,
    readonly url: string,
    readonly sessions: INestApplication[],
  ) {}

  static async start(options: { servers: number; backendEnv?: Record<string, string>; sessionEnv?: Record<string, string> }): Promise<LiveCluster> {
    const config = loadBackendConfig({
      PORT: '0',
      INTERNAL_PORT: '0',
      PROVISIONER: 'none',
      ROOM_CATALOG: 'memory',
      LOG_LEVEL: 'silent',
      INTERNAL_SECRET,
      ADMIN_SECRET: CLUSTER_ADMIN_SECRET,
      HTTP_RATE_LIMIT_PER_MIN: '100000',
      ...options.backendEnv,
    });
    const backend = await createBackendApp(config);
    const url = await listenBackend(backend, config);
    const internal = internalUrlOf(backend);
    const sessions: INestApplication[] = [];
    for (let i = 0; i < options.servers; i++) {
      const session = loadSessionConfig({
        PORT: '0',
        SERVER_ID: `live-${i + 1}`,
        BACKEND_URL: internal,
        INTERNAL_SECRET,
        ROOM_STORE: 'memory',
        LOG_LEVEL: 'silent',
        HEARTBEAT_INTERVAL_MS: '200',
        ...options.sessionEnv,
      });
      sessions.push((await startSessionApp(session)).app);
    }
    const cluster = new LiveCluster(backend, url, sessions);
    // Alive servers are listed to anyone; an admin token only where the backend has admins.
    const observer = (await cluster.login('observer')).token;
    await eventually(
      async () => (await cluster.cluster(observer)).servers.filter((s) => s.alive).length === options.servers,
      10_000,
      'every session server registered',
    );
    return cluster;
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.close()));
    await this.backend.close();
  }

  /** An HTTP call to the backend, from loopback address `from` (default 127.0.0.1). */
  call<T = any>(method: string, path: string, options: { token?: string; body?: unknown; from?: string } = {}): Promise<HttpAnswer<T>> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = request(
        this.url + path,
        {
          method,
          localAddress: options.from,
          agent: false,
          headers: {
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async login(name: string, from?: string): Promise<{ token: string; user: { id: string; name: string } }> {
    const r = await this.call('POST', '/api/login', { body: { name }, from });
    if (r.status !== 201) throw new Error(`login: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async adminToken(): Promise<string> {
    const r = await this.call('POST', '/api/admin/login', { body: { secret: CLUSTER_ADMIN_SECRET } });
    if (r.status !== 201) throw new Error(`admin login: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  }

  async cluster(token: string): Promise<ClusterView> {
    const r = await this.call<ClusterView>('GET', '/api/cluster', { token });
    if (r.status !== 200) throw new Error(`cluster: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}
