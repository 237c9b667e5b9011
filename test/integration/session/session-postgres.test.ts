import { randomBytes } from 'node:crypto';
import { ServerProcess, SESSION_ENTRY } from '../../support/server-process';
import { eventually } from '../../support/eventually';
import { acquirePostgresUrl, createDatabase, migrate, startPostgresServer } from '../../support/postgres-server';
import { createSessionTestEnv, TEST_INTERNAL_SECRET, type SessionTestEnv } from '../support/session-server';
import { RawFrameClient } from '../support/raw-frame-client';

const newRoomId = () => `room-${randomBytes(8).toString('hex')}`;

/** Session servers on ROOM_STORE=postgres: a real PostgreSQL (DATABASE_URL from the runner, else a private one). */
describe('session server: PostgreSQL room store', () => {
  let server: { url: string; release: () => Promise<void> };
  let database: { url: string; drop: () => Promise<void> };
  let env: SessionTestEnv;
  const clients: RawFrameClient[] = [];
  const track = <T extends { client: RawFrameClient }>(joined: T): T => {
    clients.push(joined.client);
    return joined;
  };

  beforeAll(async () => {
    server = await acquirePostgresUrl();
    database = await createDatabase(server.url, 'session_it');
    await migrate(database.url);
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
    await server?.release();
  });

  beforeEach(async () => {
    env = await createSessionTestEnv();
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await env.dispose();
  });

  it('refuses to start against a database the migrations have not reached, saying to run npm run db:migrate', async () => {
    const empty = await createDatabase(server.url, 'session_empty');
    try {
      const started = ServerProcess.start(
        'session',
        SESSION_ENTRY,
        {
          PORT: '0',
          BACKEND_URL: env.backend.url,
          INTERNAL_SECRET: TEST_INTERNAL_SECRET,
          DATA_DIR: env.dataDir,
          ROOM_STORE: 'postgres',
          DATABASE_URL: empty.url,
        },
        /session server listening/,
      );
      const err = (await started.catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(/exited \(1\) before it was ready/);
      // The last line says what to do, without a stack trace: an operator's next step, not a fault.
      const last = err.message.trimEnd().split('\n').at(-1)!;
      expect(last).toMatch(/^session server failed to start: the PostgreSQL schema is older than this session server needs/);
      expect(last).toMatch(/run `npm run db:migrate` with DATABASE_URL set to this database, then start the server again$/);
    } finally {
      await empty.drop();
    }
  }, 30_000);

  it('lets a second server continue a room from the same database (takeover), both reporting the one store identity', async () => {
    const first = await env.start({ ROOM_STORE: 'postgres', DATABASE_URL: database.url });
    const room = newRoomId();
    const { client: ann } = track(await RawFrameClient.join(first.urlFor(first.token({ sub: 'a', name: 'Ann', room }))));
    for (let i = 1; i <= 3; i++) await ann.say(`m${i}`, `t-${i}`);
    await first.close();
    expect((await ann.closed).code).toBe(1012);

    const second = await env.start({ ROOM_STORE: 'postgres', DATABASE_URL: database.url });
    const { client: again, welcome } = track(await RawFrameClient.join(second.urlFor(second.token({ sub: 'a', name: 'Ann', room }), 1)));
    expect(welcome.serverId).toBe(second.serverId);
    expect(welcome.lastSeq).toBe(3);
    expect(welcome.messages.map((m: { text: string }) => m.text)).toEqual(['m2', 'm3']);
    expect(await again.say('m3', 't-3')).toBe(3);
    expect(await again.say('m4', 't-4')).toBe(4);

    const stores = new Set(env.backend.heartbeats.map((h) => h.store));
    expect([...stores]).toHaveLength(1);
    expect([...stores][0]).toMatch(/^postgres:[0-9a-f-]{36}$/);
  }, 30_000);

  it('gives a room up with 4404 when another server wrote to it meanwhile (stale owner)', async () => {
    const a = await env.start({ ROOM_STORE: 'postgres', DATABASE_URL: database.url });
    const b = await env.start({ ROOM_STORE: 'postgres', DATABASE_URL: database.url });
    const room = newRoomId();
    const { client: onA } = track(await RawFrameClient.join(a.urlFor(a.token({ sub: 'a', name: 'Ann', room }))));
    expect(await onA.say('on A', 'a-1')).toBe(1);
    const { client: onB } = track(await RawFrameClient.join(b.urlFor(b.token({ sub: 'b', name: 'Bob', room }))));
    expect(await onB.say('on B', 'b-1')).toBe(2);

    onA.send('send', { text: 'A thinks it still owns the room', clientMsgId: 'a-2' });
    expect((await onA.closed).code).toBe(4404);
    expect(onA.all('ack')).toHaveLength(1);
    expect(await onB.say('still B', 'b-2')).toBe(3);
  }, 30_000);

  it('is not ready and acknowledges nothing while PostgreSQL is away; ready and storing again once it is back', async () => {
    // A server of its own: this test stops it.
    const own = await startPostgresServer();
    try {
      await migrate(own.url);
      const session = await env.start({ ROOM_STORE: 'postgres', DATABASE_URL: own.url });
      const up = await fetch(`${session.httpUrl}/health`);
      expect(await up.json()).toMatchObject({ status: 'ok', info: { session: { status: 'up' }, postgres: { status: 'up' } } });
      const room = newRoomId();
      const { client: ann } = track(await RawFrameClient.join(session.urlFor(session.token({ sub: 'a', name: 'Ann', room }))));
      expect(await ann.say('before', 'p-1')).toBe(1);

      await own.kill();
      const down = await fetch(`${session.httpUrl}/health`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ error: { postgres: { status: 'down' } } });
      ann.send('send', { text: 'while away', clientMsgId: 'p-2' });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(ann.all('ack')).toHaveLength(1);

      await own.start();
      await eventually(async () => (await fetch(`${session.httpUrl}/health`)).status === 200, 10_000, 'ready after PostgreSQL is back');
      // Whatever the room did with the refused write, a member gets a room that stores and acknowledges again.
      const { client: bob, welcome } = track(await RawFrameClient.join(session.urlFor(session.token({ sub: 'b', name: 'Bob', room }))));
      const seq = await bob.say('after', 'p-3');
      expect(seq).toBe(welcome.lastSeq + 1);
      expect(welcome.messages.map((m: { text: string }) => m.text)).not.toContain('while away');
      await session.close();
    } finally {
      await own.stop();
    }
  }, 60_000);
});
