// Starts the real product the way `npm start` does (node dist/apps/backend/main.js), on free ports.
import type { ClusterView, LoginResponse } from '@app/shared';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../support/eventually';
import { descendantsOf, freePort, isAlive } from '../../support/processes';

export const ROOT = join(__dirname, '..', '..', '..');
export const BACKEND_ENTRY = join(ROOT, 'dist/apps/backend/main.js');
const WEB_INDEX = join(ROOT, 'dist/apps/web/browser/index.html');

export interface RunningBackend {
  baseUrl: string;
  pid: number;
  /** A valid access token, for reading the cluster view. */
  token: string;
  cluster(): Promise<ClusterView>;
  stop(): Promise<void>;
}

export async function startBackend(logFile: string): Promise<RunningBackend> {
  const missing = [BACKEND_ENTRY, WEB_INDEX].filter((f) => !existsSync(f));
  if (missing.length) {
    throw new Error(`The product is not built: missing ${missing.join(', ')}. Run \`npm run build\` (or \`node scripts/build.mjs\`) first.`);
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'rooms-e2e-'));
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  const log = createWriteStream(logFile);
  // Exactly what `npm start` runs: the embedded mode (memory directory), even when the test runner
  // exported a REDIS_URL for other tiers.
  const { REDIS_URL: _redis, ...inherited } = process.env;
  const child: ChildProcess = spawn(process.execPath, [BACKEND_ENTRY], {
    cwd: ROOT,
    env: {
      ...inherited,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SESSION_BASE_PORT: '0',
      SESSION_MIN: '2',
      LOG_LEVEL: process.env['E2E_LOG_LEVEL'] ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pid = child.pid!;
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  const baseUrl = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    // Remember the tree first: the session servers are the backend's children.
    const tree = descendantsOf(pid);
    if (isAlive(pid)) {
      process.kill(pid, 'SIGTERM');
      await eventually(() => !isAlive(pid), 15_000, 'the backend to stop', 200).catch(() => undefined);
    }
    await eventually(() => !tree.some(isAlive), 10_000, 'the session servers to stop', 200).catch(() => undefined);
    for (const p of [pid, ...tree]) {
      if (isAlive(p)) {
        console.warn(`e2e: process ${p} ignored SIGTERM, killing it`);
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await eventually(
      async () => {
        if (exited) throw new Error(`backend ${exited}; see ${logFile}`);
        return (await fetch(`${baseUrl}/health`)).ok;
      },
      45_000,
      `GET ${baseUrl}/health to answer 200`,
      200,
    );
    const login = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'e2e-observer' }) });
    if (login.status !== 201) throw new Error(`POST /api/login answered ${login.status}`);
    const { token } = (await login.json()) as LoginResponse;
    const cluster = async (): Promise<ClusterView> => {
      const res = await fetch(`${baseUrl}/api/cluster`, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`GET /api/cluster answered ${res.status}`);
      return (await res.json()) as ClusterView;
    };
    await eventually(async () => (await cluster()).servers.some((s) => s.alive && !s.draining), 45_000, 'a live session server in GET /api/cluster', 200);
    return { baseUrl, pid, token, cluster, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
