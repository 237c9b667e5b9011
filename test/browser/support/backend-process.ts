// Starts the real product the way `npm start` does (node dist/apps/backend/main.js, which starts its
// own session servers), with the web app it serves.
import type { ClusterView } from '@app/shared';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Product } from '../../integration/support/product';
import { eventually } from '../../support/eventually';
import { descendantsOf, isAlive } from '../../support/processes';
import { ROOT } from '../../support/server-process';

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
  if (!existsSync(WEB_INDEX)) {
    throw new Error(`The web app is not built: missing ${WEB_INDEX}. Run \`npm run build\` (or \`node scripts/build.mjs\`) first.`);
  }
  mkdirSync(dirname(logFile), { recursive: true });
  // The embedded mode (memory directory): Product passes on no REDIS_URL the test runner exported
  // for other tiers.
  const product = await Product.start(
    { NODE_ENV: 'development', HOST: '127.0.0.1', SESSION_MIN: '2', LOG_LEVEL: process.env['E2E_LOG_LEVEL'] ?? 'warn' },
    { logFile },
  );
  const pid = product.pid;

  const stop = async (): Promise<void> => {
    // Remember the tree first: the session servers are the backend's children.
    const tree = descendantsOf(pid);
    await product.stop();
    await eventually(() => !tree.some(isAlive), 10_000, 'the session servers to stop', 200).catch(() => undefined);
    for (const p of tree.filter(isAlive)) {
      console.warn(`e2e: process ${p} ignored SIGTERM, killing it`);
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  try {
    await eventually(async () => (await fetch(`${product.url}/health`)).ok, 45_000, `GET ${product.url}/health to answer 200 (log: ${logFile})`, 200);
    const { token } = await product.login('e2e-observer');
    const adminToken = await product.adminToken();
    const cluster = () => product.cluster(adminToken);
    await eventually(async () => (await cluster()).servers.some((s) => s.alive && !s.draining), 45_000, 'a live session server in GET /api/cluster', 200);
    return { baseUrl: product.url, pid, token, cluster, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
