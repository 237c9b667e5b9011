import { RoomsClient, type MessageV2 } from '@app/client';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../support/eventually';
import { pidListeningOn } from '../../support/processes';
import { CliProcess, buildCli } from '../support/cli-process';
import { Product } from '../support/product';

/** `rooms` driven as a child process over pipes, against the whole product, next to an SDK client. */
describe('the rooms CLI', () => {
  let product: Product;
  let configHome: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    buildCli();
    // HISTORY_LIMIT 5: a welcome shows the newest five, so /history has something to page.
    product = await Product.start({ SESSION_MIN: '2', HEARTBEAT_TTL_MS: '2000', HISTORY_LIMIT: '5' });
    configHome = mkdtempSync(join(tmpdir(), 'rooms-cli-'));
    env = { XDG_CONFIG_HOME: configHome, ROOMS_SERVER: product.url };
  });
  // Closed after each test even when it fails: a live SDK room or a child process would keep Jest alive.
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });
  afterAll(async () => {
    await product?.stop();
    rmSync(configHome, { recursive: true, force: true });
  });

  it('logs in, creates a room, chats with an SDK client through a session-server crash, pages history and tails the room', async () => {
    const login = await CliProcess.run(['login', 'Ada'], env);
    expect(login).toMatchObject({ code: 0 });
    expect(login.stdout).toMatch(/^logged in as Ada \(u_[\w-]+\)/);
    const configFile = join(configHome, 'rooms', 'config.json');
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(configFile, 'utf8')).logins[product.url].user.name).toBe('Ada');

    const again = await CliProcess.run(['login', 'Ada'], env);
    expect(/\((u_[\w-]+)\)/.exec(again.stdout)![1]).toBe(/\((u_[\w-]+)\)/.exec(login.stdout)![1]);

    const created = await CliProcess.run(['create', 'Lobby'], env);
    expect(created.code).toBe(0);
    const roomId = /^room: (\S+)$/m.exec(created.stdout)![1];
    const link = /^link: (\S+)$/m.exec(created.stdout)![1];
    expect(link).toBe(`${product.url}/rooms/${roomId}`);

    // Bob on the SDK fills the room with seven messages before Ada comes.
    const bobClient = new RoomsClient({ baseUrl: product.url });
    await bobClient.login('Bob');
    const bob = bobClient.room(roomId);
    cleanup.push(() => bob.close());
    const bobSaw: MessageV2[] = [];
    bob.on('message', (m) => bobSaw.push(m));
    await bob.connect();
    for (let i = 1; i <= 7; i++) await bob.send(`early ${i}`);

    // Ada joins by the share link: the newest five are shown, and Bob sees her come.
    const ada = CliProcess.start(['chat', link], env);
    cleanup.push(() => ada.kill('SIGKILL'));
    await ada.waitFor(/you are Ada( in "Lobby")?; here: /);
    await ada.waitFor(/Bob: early 7$/);
    expect(ada.count(/Bob: early [3-7]$/)).toBe(5);
    expect(ada.count(/Bob: early [12]$/)).toBe(0);
    ada.write('/history');
    await ada.waitFor(/Bob: early 1$/);
    expect(ada.count(/--- start of the room ---/)).toBe(1);

    ada.write('hello from the terminal');
    await eventually(() => bobSaw.some((m) => m.name === 'Ada' && m.text === 'hello from the terminal'), 5000, 'bob to get ada');
    await bob.send('hi Ada');
    await ada.waitFor(/\] Bob: hi Ada$/);
    // Typing notices are for a person at a terminal (in the prompt there): none in piped output.
    bob.typing();

    // A script tails the room: JSON lines, history first, then live.
    const tail = CliProcess.start(['tail', roomId], env);
    cleanup.push(() => tail.kill('SIGKILL'));
    await tail.waitFor(/"text":"hi Ada"/);
    await bob.send('for the tail');
    const tailed = JSON.parse(await tail.waitFor(/"text":"for the tail"/)) as MessageV2 & { roomId: string };
    expect(tailed).toMatchObject({ roomId, name: 'Bob', text: 'for the tail' });
    expect(tailed.seq).toBeGreaterThan(8);

    // The session server holding the room dies; Ada keeps typing, Bob too.
    const doomed = bob.serverId!;
    const cluster = await product.adminCluster();
    const pid = pidListeningOn(Number(new URL(cluster.servers.find((s) => s.id === doomed)!.url!).port));
    expect(pid).toBeDefined();
    ada.write('just before');
    process.kill(pid!, 'SIGKILL');
    await ada.waitFor(/\* connection lost/);
    for (let i = 1; i <= 3; i++) ada.write(`during the outage ${i}`);
    void bob.send('bob during the outage');
    await eventually(() => ada.count(/^\* connected \(server /) >= 2, 15_000, 'ada back live').catch((err: Error) => {
      throw new Error(`${err.message}:\n${ada.transcript()}`);
    });
    expect(ada.stdoutLines.filter((l) => l.startsWith('* connected')).at(-1)).not.toContain(doomed);
    await ada.waitFor(/Bob: bob during the outage$/, 15_000);
    await eventually(
      () => bobSaw.filter((m) => m.name === 'Ada' && /during the outage/.test(m.text)).length === 3,
      15_000,
      'bob to get the three outage lines',
    );
    await tail.waitFor(/"text":"during the outage 3"/, 15_000);

    ada.write('/quit');
    expect(await ada.exited).toBe(0);
    tail.kill('SIGTERM');
    expect(await tail.exited).toBe(0);

    // Nothing lost, nothing twice: what Ada typed is in the room once each, in order; what Bob said is on her screen once each.
    const adaTexts = bobSaw.filter((m) => m.name === 'Ada').map((m) => m.text);
    expect(adaTexts).toEqual(['hello from the terminal', 'just before', 'during the outage 1', 'during the outage 2', 'during the outage 3']);
    for (const text of ['early 3', 'early 7', 'hi Ada', 'for the tail', 'bob during the outage']) {
      expect({ text, times: ada.count(new RegExp(`\\] Bob: ${text}$`)) }).toEqual({ text, times: 1 });
    }
    const tailSeqs = tail.stdoutLines.map((l) => (JSON.parse(l) as MessageV2).seq);
    expect(tailSeqs).toEqual(Array.from({ length: tailSeqs.length }, (_, i) => tailSeqs[0] + i));
  });

  it('sends lines piped in before the room answered, and waits for them at the end of input', async () => {
    const created = await CliProcess.run(['create'], env);
    const roomId = /^room: (\S+)$/m.exec(created.stdout)![1];
    const piped = CliProcess.start(['chat', roomId], env);
    piped.child.stdin!.end('first piped\nsecond piped\n');
    expect(await piped.exited).toBe(0);
    const tail = CliProcess.start(['tail', roomId], env);
    await tail.waitFor(/"text":"second piped"/);
    tail.kill('SIGTERM');
    expect(await tail.exited).toBe(0);
    expect(tail.stdoutLines.map((l) => (JSON.parse(l) as MessageV2).text)).toEqual(['first piped', 'second piped']);
  });

  it('prints each edit, delete and reaction once and plainly; tail gives them to scripts as JSON lines', async () => {
    const created = await CliProcess.run(['create'], env);
    const roomId = /^room: (\S+)$/m.exec(created.stdout)![1];
    const bobClient = new RoomsClient({ baseUrl: product.url });
    await bobClient.login('Bob');
    const bob = bobClient.room(roomId);
    cleanup.push(() => bob.close());
    await bob.connect();
    const ada = CliProcess.start(['chat', roomId], env);
    cleanup.push(() => ada.kill('SIGKILL'));
    const tail = CliProcess.start(['tail', roomId], env);
    cleanup.push(() => tail.kill('SIGKILL'));
    await ada.waitFor(/you are Ada/);
    ada.write('helo');
    await tail.waitFor(/"text":"helo"/);
    const seq = (JSON.parse(tail.stdoutLines[0]) as MessageV2).seq;
    await bob.send('oops');
    await ada.waitFor(/Bob: oops$/);
    const oops = seq + 1;

    bob.react(seq, '👍');
    await ada.waitFor(/Bob reacted 👍 to Ada's "helo"$/);
    bob.typing();
    bob.edit(oops, 'fixed');
    await ada.waitFor(/\] Bob edited "oops" → "fixed"$/);
    bob.delete(oops);
    await ada.waitFor(/\] Bob deleted "fixed"$/);
    await tail.waitFor(/"event":"deleted"/);
    ada.write('/quit');
    expect(await ada.exited).toBe(0);
    tail.kill('SIGTERM');
    expect(await tail.exited).toBe(0);

    // Once each, with no echo of the whole message and no typing lines.
    expect(ada.count(/reacted|edited|deleted/)).toBe(3);
    expect(ada.count(/changed|\(EDITED\)|typing/i)).toBe(0);
    const events = tail.stdoutLines.map((l) => JSON.parse(l) as { event: string; seq: number });
    expect(events).toEqual([
      expect.objectContaining({ event: 'message', seq, text: 'helo', name: 'Ada' }),
      expect.objectContaining({ event: 'message', seq: oops, text: 'oops', name: 'Bob' }),
      expect.objectContaining({ event: 'reaction', seq, emoji: '👍', on: true, name: 'Bob' }),
      expect.objectContaining({ event: 'edited', seq: oops, text: 'fixed' }),
      expect.objectContaining({ event: 'deleted', seq: oops }),
    ]);
  });

  it('says what is wrong: unknown room (exit 2), not logged in (exit 4), bad usage (exit 64)', async () => {
    expect((await CliProcess.run(['tail', 'AAAAAAAAAAAAAAAA'], env)).code).toBe(2);
    // Input that ends before the room answers (`</dev/null`) still learns the room does not exist.
    const chat = CliProcess.start(['chat', 'nosuchroom'], env);
    chat.child.stdin!.end();
    expect(await chat.exited).toBe(2);
    expect(chat.transcript()).toMatch(/does not exist/);
    const other = mkdtempSync(join(tmpdir(), 'rooms-cli-'));
    try {
      const r = await CliProcess.run(['create'], { XDG_CONFIG_HOME: other, ROOMS_SERVER: product.url });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/rooms login/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    expect((await CliProcess.run(['chat'], env)).code).toBe(64);
  });

  it('keeps chatting when someone reacts with `__proto__` or `constructor` (it exited with a TypeError)', async () => {
    expect((await CliProcess.run(['login', 'Ada'], env)).code).toBe(0);
    const created = await CliProcess.run(['create'], env);
    const roomId = /^room: (\S+)$/m.exec(created.stdout)![1];
    const ada = CliProcess.start(['chat', roomId], env);
    cleanup.push(() => ada.kill('SIGKILL'));
    await ada.waitFor(/you are Ada/);
    const bobClient = new RoomsClient({ baseUrl: product.url });
    await bobClient.login('Bob');
    const bob = bobClient.room(roomId);
    cleanup.push(() => bob.close());
    await bob.connect();
    const { seq } = await bob.send('react to me');
    await ada.waitFor(/Bob: react to me$/);
    for (const emoji of ['__proto__', 'constructor']) bob.react(seq, emoji);
    await eventually(() => bob.messages.find((m) => m.seq === seq)?.reactions?.constructor?.length === 1, 5000, 'both reactions stored');
    expect(Object.keys(bob.messages.find((m) => m.seq === seq)!.reactions!)).toEqual(['__proto__', 'constructor']);
    await bob.send('still here?');
    await ada.waitFor(/Bob: still here\?$/);
    expect(ada.count(/Bob reacted (__proto__|constructor) to /)).toBe(2);
    ada.write('/quit');
    expect(await ada.exited).toBe(0);
    expect(ada.stderrLines.join('\n')).not.toMatch(/TypeError/);
  });
});
