import { Logger } from '@nestjs/common';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { SessionDirectory, ServerRecord } from '../directory/session-directory.port';
import { isAlive } from '../directory/session-directory.port';
import { anyFreePort, isPortFree } from './free-port';
import { ProvisionedServer, Provisioner } from './provisioner.port';

export interface LocalProvisionerOptions {
  /** Node entry file of the session server. */
  entry: string;
  /** Node flags before the entry file. */
  nodeArgs: string[];
  min: number;
  max: number;
  /** First port tried; 0 = any free port. */
  basePort: number;
  host: string;
  maxRoomsPerServer: number;
  idleStopMs: number;
  heartbeatTtlMs: number;
  /** Environment for the children (without the backend's secrets). */
  env: Record<string, string>;
  internalSecret: string;
  sessionTokenPublicKey: string;
  /** Reports each action, for metrics. */
  onAction?: (action: 'start' | 'replace' | 'stop') => void;
  /** How long a new server may take to register before it counts as failed. */
  registerTimeoutMs?: number;
}

interface Child {
  serverId: string;
  port: number;
  process: ChildProcess;
  stopping: boolean;
  idleSince?: number;
}

/**
 * Runs session servers as child processes on this machine: the minimum at start, one more when
 * every live server is full (up to the maximum), a replacement for one that dies, and stops extra
 * ones that stay idle. Children share this machine's data dir, so a replacement can hydrate rooms.
 */
export class LocalProvisioner implements Provisioner {
  readonly kind = 'local';
  private readonly log = new Logger('LocalProvisioner');
  private readonly children = new Map<string, Child>();
  private pending: Promise<boolean> | null = null;
  private backendUrl = '';
  private spawned = 0;
  private stopped = false;
  private recentDeaths: number[] = [];

  constructor(
    private readonly options: LocalProvisionerOptions,
    private readonly directory: SessionDirectory,
    private readonly now: () => number,
  ) {}

  async start(backendUrl: string): Promise<void> {
    this.backendUrl = backendUrl;
    const results = await Promise.all(Array.from({ length: this.options.min }, () => this.spawnOne()));
    const ok = results.filter(Boolean).length;
    if (ok < this.options.min) this.log.warn(`${ok} of ${this.options.min} session servers came up`);
  }

  addCapacity(): Promise<boolean> {
    if (this.pending) return this.pending;
    if (this.stopped || this.children.size >= this.options.max) return Promise.resolve(false);
    this.pending = this.spawnOne().finally(() => (this.pending = null));
    return this.pending;
  }

  prewarm(): void {
    if (!this.pending && this.children.size < this.options.max) void this.addCapacity();
  }

  /**
   * Stops extra servers that stayed idle, and keeps `min` servers taking rooms: a drained server (an
   * operator's drain) takes no room again, so it does not count toward the minimum (a replacement
   * starts) and is stopped once it holds no room and no connection. Before, it stayed up counted,
   * and after one drain in `npm start` a single server took every room.
   */
  async reconcile(servers: readonly ServerRecord[], now: number): Promise<void> {
    const byId = new Map(servers.map((s) => [s.id, s]));
    const drained = (c: Child) => byId.get(c.serverId)?.draining === true;
    let running = [...this.children.values()].filter((c) => !c.stopping && !drained(c)).length;
    for (const child of this.children.values()) {
      const record = byId.get(child.serverId);
      if (record?.draining) {
        if (!child.stopping && record.placedRooms === 0 && record.connections === 0) {
          this.log.log(`stopping drained session server ${child.serverId}: it holds no room and no connection`);
          this.options.onAction?.('stop');
          await this.stopChild(child);
        }
        continue;
      }
      const idle = record !== undefined && isAlive(record, now, this.options.heartbeatTtlMs) && record.connections === 0;
      if (!idle) {
        child.idleSince = undefined;
        continue;
      }
      child.idleSince ??= now;
      if (!child.stopping && running > this.options.min && now - child.idleSince >= this.options.idleStopMs) {
        this.log.log(`stopping idle session server ${child.serverId}`);
        this.options.onAction?.('stop');
        running--;
        await this.stopChild(child);
      }
    }
    // Not while servers keep dying: onExit stopped replacing them until a request needs one.
    if (!this.stopped && !this.pending && running < this.options.min && !this.crashLooping(now)) {
      this.log.log(`${running} session server(s) take rooms, fewer than SESSION_MIN ${this.options.min}: starting one`);
      this.options.onAction?.('replace');
      void this.addCapacity();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.children.values()].map((c) => this.stopChild(c)));
  }

  running(): ProvisionedServer[] {
    return [...this.children.values()].map((c) => ({ serverId: c.serverId, pid: c.process.pid, port: c.port }));
  }

  /** Last resort on process exit: no session server outlives the backend that started it. */
  killAll(): void {
    for (const c of this.children.values()) c.process.kill('SIGKILL');
  }

  private async spawnOne(): Promise<boolean> {
    const port = await this.pickPort();
    const serverId = `session-${port}-${++this.spawned}`;
    const child = spawn(process.execPath, [...this.options.nodeArgs, this.options.entry], {
      env: {
        ...this.options.env,
        PORT: String(port),
        HOST: this.options.host,
        SERVER_ID: serverId,
        PUBLIC_URL: `ws://${this.options.host}:${port}`,
        BACKEND_URL: this.backendUrl,
        INTERNAL_SECRET: this.options.internalSecret,
        SESSION_TOKEN_PUBLIC_KEY: this.options.sessionTokenPublicKey,
        MAX_ROOMS: String(this.options.maxRoomsPerServer),
      },
      // The IPC channel lets a child notice that its parent is gone and exit.
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const entry: Child = { serverId, port, process: child, stopping: false };
    this.children.set(serverId, entry);
    child.once('exit', (code, signal) => void this.onExit(entry, code, signal));
    this.options.onAction?.('start');
    this.log.log(`started session server ${serverId} (pid ${child.pid}) on port ${port}`);
    return this.awaitRegistration(entry);
  }

  private async awaitRegistration(child: Child): Promise<boolean> {
    const deadline = this.now() + (this.options.registerTimeoutMs ?? 15_000);
    while (this.now() < deadline) {
      if (child.process.exitCode !== null || child.process.signalCode !== null) return false;
      const servers = await this.directory.servers(this.now());
      if (servers.some((s) => s.id === child.serverId && isAlive(s, this.now(), this.options.heartbeatTtlMs))) return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    this.log.warn(`session server ${child.serverId} did not register in time`);
    return false;
  }

  private async onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    this.children.delete(child.serverId);
    await this.directory.removeServer(child.serverId).catch(() => undefined);
    if (child.stopping || this.stopped) return;
    this.log.warn(`session server ${child.serverId} died (${signal ?? `exit ${code}`}): starting a replacement`);
    const now = this.now();
    this.recentDeaths = [...this.recentDeaths.filter((t) => now - t < 60_000), now];
    if (this.crashLooping(now)) {
      this.log.error('session servers keep dying (more than 10 in a minute): not replacing until the next request needs one');
      return;
    }
    this.options.onAction?.('replace');
    void this.addCapacity();
  }

  /** More than 10 servers died in the last minute. */
  private crashLooping(now: number): boolean {
    return this.recentDeaths.filter((t) => now - t < 60_000).length > 10;
  }

  private async stopChild(child: Child): Promise<void> {
    child.stopping = true;
    if (child.process.exitCode !== null || child.process.signalCode !== null) return;
    const exited = once(child.process, 'exit');
    child.process.kill('SIGTERM');
    const timer = setTimeout(() => child.process.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  private async pickPort(): Promise<number> {
    if (this.options.basePort === 0) return anyFreePort(this.options.host);
    const taken = new Set([...this.children.values()].map((c) => c.port));
    for (let port = this.options.basePort; port < this.options.basePort + 1000 && port <= 65535; port++) {
      if (!taken.has(port) && (await isPortFree(port, this.options.host))) return port;
    }
    return anyFreePort(this.options.host);
  }
}
