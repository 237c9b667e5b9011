import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { eventually } from '../../support/eventually';
import { descendantsOf, freePort, isAlive } from '../../support/processes';

// Finding 7 of issue 23: under `npm run start:cluster` each backend made its own admin secret and the
// proxy alternates between them, so admin login worked every other time; and each backend printed
// its own URL before the proxy's. The launcher as a newcomer runs it (dist/ built, its own Redis).
const ROOT = join(__dirname, '..', '..', '..');

describe('npm run start:cluster', () => {
  let launcher: ChildProcess | undefined;
  let output = '';

  afterAll(async () => {
    if (!launcher || launcher.exitCode !== null) return;
    const family = [launcher.pid!, ...descendantsOf(launcher.pid!)];
    const exited = once(launcher, 'exit');
    launcher.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    for (const pid of family) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('prints only the proxy URL and one admin secret, which works through the proxy every time', async () => {
    const port = await freePort();
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', CLUSTER_PORT: String(port), LOG_LEVEL: 'warn' };
    if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
    launcher = spawn(process.execPath, [join(ROOT, 'scripts', 'start-cluster.mjs')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    launcher.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    launcher.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await eventually(() => output.includes('session servers:') || launcher!.exitCode !== null, 120_000, 'the cluster ready');
    expect(launcher.exitCode).toBeNull();

    const proxy = `http://127.0.0.1:${port}`;
    const secrets = [...output.matchAll(/admin secret of this run is (\S+)/g)].map((m) => m[1]);

    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${proxy}/api/admin/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ secret: secrets[0] }),
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201]);
    expect(secrets).toHaveLength(1);
    const urls = [...new Set(output.match(/https?:\/\/[^\s/),]+/g) ?? [])];
    expect(urls).toEqual([proxy]);
  });
});
