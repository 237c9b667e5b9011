// `npm start` / `npm test` / `npm run build` with a Node older than the project's: one line saying
// which Node is needed and how to get it, at once, before any build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../../support/server-process';

const CHECK = join(ROOT, 'scripts', 'check-node.mjs');
/** Debian's own node on this machine is Node 20: a real older Node, where there is one. */
const OLD_NODE = '/usr/bin/node';
const oldNodeVersion = existsSync(OLD_NODE) ? spawnSync(OLD_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
const haveOldNode = /^v(1\d|2[0-3])\./.test(oldNodeVersion);

function expectOneLineRefusal(result: { status: number | null; stderr: string }, version: string): void {
  expect(result.status).toBe(1);
  const ours = result.stderr.split('\n').filter((l) => l.startsWith('stateful-rooms needs'));
  expect(ours).toEqual([expect.stringContaining(`Node 24 or newer, but this is Node ${version}`)]);
  expect(ours[0]).toContain('nvm install 24');
}

describe('the Node version check', () => {
  it('passes on the Node running the tests', () => {
    const r = spawnSync(process.execPath, [CHECK], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('refuses an older Node in one line (played by CHECK_NODE_AS)', () => {
    const r = spawnSync(process.execPath, [CHECK], { encoding: 'utf8', env: { ...process.env, CHECK_NODE_AS: '20.11.1' } });
    expectOneLineRefusal(r, '20.11.1');
  });

  it(`\`npm start\` with an older \`node\` on PATH stops at once, before any build (${haveOldNode ? `${OLD_NODE}, ${oldNodeVersion}` : 'played'})`, () => {
    // `node` on PATH is the old one, as for a newcomer with Node 20 installed. Without a real one,
    // ours plays it.
    const bin = mkdtempSync(join(tmpdir(), 'old-node-'));
    try {
      symlinkSync(haveOldNode ? OLD_NODE : process.execPath, join(bin, 'node'));
      const version = haveOldNode ? oldNodeVersion.slice(1) : '20.11.1';
      if (haveOldNode) expectOneLineRefusal(spawnSync(OLD_NODE, [CHECK], { encoding: 'utf8' }), version);
      const started = Date.now();
      const r = spawnSync('npm', ['start'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...(haveOldNode ? {} : { CHECK_NODE_AS: version }) },
        timeout: 60_000,
      });
      expectOneLineRefusal(r, version);
      expect(r.stdout + r.stderr).not.toMatch(/build: /);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
