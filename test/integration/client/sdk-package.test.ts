import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../support/server-process';
import { Product } from '../support/product';

/**
 * The SDK as people get it: `npm pack` in libs/client, the tarball installed into an empty project
 * outside the repo, imported by a plain Node script that logs in, creates a room, connects and sends
 * through the real product. Nothing from the repository is reachable from there.
 */
describe('the packed @stateful-rooms/client tarball', () => {
  let product: Product;
  let work: string;

  beforeAll(async () => {
    product = await Product.start();
    work = mkdtempSync(join(tmpdir(), 'sdk-package-'));
  });
  afterAll(async () => {
    await product?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('installs into an empty project and chats against the product', () => {
    const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    npm(['pack', '--pack-destination', work], join(ROOT, 'libs', 'client'));
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    expect(tarball).toMatch(/^stateful-rooms-client-\d+\.\d+\.\d+\.tgz$/);
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    npm(['install', '--offline', '--no-audit', '--no-fund', join(work, tarball)], app);

    writeFileSync(
      join(app, 'chat.mjs'),
      `import { RoomsClient, CloseCode } from '@stateful-rooms/client';
const client = new RoomsClient({ baseUrl: process.argv[2] });
await client.login('Packed');
const { roomId } = await client.createRoom('from the tarball');
const room = client.room(roomId);
const seen = [];
room.on('message', (m) => seen.push(m.text));
await room.connect();
const ack = await room.send('hello from a packed SDK');
room.close();
console.log(JSON.stringify({ seq: ack.seq, seen, state: room.state.status, moved: CloseCode.RoomMoved }));
`,
    );
    const out = execFileSync(process.execPath, ['chat.mjs', product.url], { cwd: app, encoding: 'utf8', timeout: 30_000 });
    expect(JSON.parse(out.trim())).toEqual({ seq: 1, seen: ['hello from a packed SDK'], state: 'closed', moved: 4404 });

    // CommonJS consumers get it through require(esm), and TypeScript finds the types.
    const cjs = execFileSync(process.execPath, ['-e', "console.log(typeof require('@stateful-rooms/client').RoomConnection)"], { cwd: app, encoding: 'utf8' });
    expect(cjs.trim()).toBe('function');
    writeFileSync(
      join(app, 'typed.mts'),
      "import { RoomsClient, type ConnectionState } from '@stateful-rooms/client';\nconst s: ConnectionState = new RoomsClient({ baseUrl: 'x' }).room('r').state;\nexport const status: string = s.status;\n",
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true, noEmit: true, types: [], lib: ['ES2022', 'DOM'] }, files: ['typed.mts'] }),
    );
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { encoding: 'utf8' });
  });

  it("runs the README's example as written, in a project made by `npm init -y`", () => {
    const readme = readFileSync(join(ROOT, 'libs', 'client', 'README.md'), 'utf8');
    const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    // The file name the README tells people to use (a newcomer's first guess where it names none).
    const file = /save this as `([\w.-]+)`/i.exec(readme)?.[1] ?? 'example.js';
    const app = mkdtempSync(join(work, 'npm-init-'));
    const npm = (args: string[]) => execFileSync('npm', args, { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    npm(['init', '-y']);
    // Packed (and built by its prepack) here too, so this test stands alone.
    const packs = mkdtempSync(join(work, 'pack-'));
    execFileSync('npm', ['pack', '--pack-destination', packs], { cwd: join(ROOT, 'libs', 'client'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    npm([
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      join(
        packs,
        readdirSync(packs).find((f) => f.endsWith('.tgz'))!,
      ),
    ]);
    writeFileSync(join(app, file), example!);
    const run = spawnSync(process.execPath, [file], { cwd: app, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ROOMS_SERVER: product.url } });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/^#1 Ada: hello$/m);
    expect(run.stdout).toMatch(/^state: live$/m);
  });
});
