import type { ClusterView, CreateRoomResponse, LoginResponse, RoomSessionResponse } from '@app/shared';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const BACKEND_ENTRY = join(ROOT, 'dist', 'apps', 'backend', 'main.js');

/**
 * The whole product as `npm start` runs it: the built backend as a process, starting its own
 * session servers (local provisioner) on free ports, with a private data dir.
 */
export class Product {
  private constructor(readonly url: string, private readonly child: ChildProcess, private readonly dataDir: string, private readonly output: string[]) {}

  static async start(env: Record<string, string> = {}): Promise<Product> {
    if (!existsSync(BACKEND_ENTRY)) throw new Error(`${BACKEND_ENTRY} is missing: run "npm run build" first`);
    const dataDir = mkdtempSync(join(tmpdir(), 'rooms-test-'));
    const child = spawn(process.execPath, [BACKEND_ENTRY], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        SESSION_BASE_PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        HTTP_RATE_LIMIT_PER_MIN: '10000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`backend did not start in 30 s:\n${output.join('')}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output.push(chunk.toString());
        const m = /open (http:\/\/[^\s/]+)\//.exec(output.join(''));
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`backend exited with ${code}:\n${output.join('')}`));
      });
    });
    return new Product(url, child, dataDir, output);
  }

  get pid(): number {
    return this.child.pid!;
  }

  logs(): string {
    return this.output.join('');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
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

  async cluster(token: string): Promise<ClusterView> {
    return (await this.request<ClusterView>('GET', '/api/cluster', token)).body;
  }
}
