import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Message } from '@app/shared';
import { acquirePostgresUrl, createDatabase, migrate, startPostgresServer } from '../../../../test/support/postgres-server';
import { PostgresRoomStore } from './postgres-room-store';
import { POSTGRES_MIGRATIONS_DIR, REQUIRED_MIGRATIONS, SchemaTooOldError } from './postgres-schema';
import { describeHistoryPruning } from './history-retention.contract';
import { describeRoomStoreContract } from './room-store.contract';
import { SeqConflictError, StaleEpochError } from './room-store.port';

// One server for the file (DATABASE_URL from the runner, else a private one), one migrated database on it.
let server: { url: string; release: () => Promise<void> };
let database: { url: string; drop: () => Promise<void> };
const dropped: Array<() => Promise<void>> = [];

beforeAll(async () => {
  server = await acquirePostgresUrl();
  database = await createDatabase(server.url, 'room_store');
  await migrate(database.url);
}, 60_000);

afterAll(async () => {
  await Promise.all(dropped.map((drop) => drop()));
  await database?.drop();
  await server?.release();
});

describeRoomStoreContract('PostgresRoomStore', () => PostgresRoomStore.open(database.url, { poolMax: 4 }));
describeHistoryPruning('PostgresRoomStore', (retention) => PostgresRoomStore.open(database.url, { poolMax: 4, retention }));

const msg = (seq: number, room = 'r'): Message => ({ seq, id: `${room}${seq}`, userId: 'u', name: 'U', text: `t${seq}`, ts: seq });

describe('PostgresRoomStore schema', () => {
  it('names in REQUIRED_MIGRATIONS exactly the migrations of its folder', () => {
    const files = readdirSync(join(__dirname, '..', '..', '..', '..', POSTGRES_MIGRATIONS_DIR))
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.replace(/\.sql$/, ''))
      .sort();
    expect([...REQUIRED_MIGRATIONS].sort()).toEqual(files);
  });

  it('has applied every migration through `npm run db:migrate`, which a second run leaves as it is', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const applied = (await client.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY run_on')).rows.map((r) => r.name);
      expect(applied).toEqual([...REQUIRED_MIGRATIONS]);
      const identity = (await client.query<{ id: string }>('SELECT id FROM store_identity')).rows;
      await migrate(database.url);
      expect((await client.query<{ n: string }>('SELECT count(*) AS n FROM pgmigrations')).rows[0].n).toBe(String(REQUIRED_MIGRATIONS.length));
      expect((await client.query<{ id: string }>('SELECT id FROM store_identity')).rows).toEqual(identity);
    } finally {
      await client.end();
    }
  }, 30_000);

  it('refuses to open a database without the schema, saying to run npm run db:migrate', async () => {
    const empty = await createDatabase(server.url, 'empty');
    dropped.push(empty.drop);
    const err = await PostgresRoomStore.open(empty.url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaTooOldError);
    expect((err as Error).message).toMatch(/older than this session server needs .*1765152000000_room-store.*run `npm run db:migrate`/);
  });

  it('refuses a schema that lacks a migration this server needs (an older database), and opens once it is applied', async () => {
    const older = await createDatabase(server.url, 'older');
    dropped.push(older.drop);
    await migrate(older.url);
    const client = new pg.Client({ connectionString: older.url });
    await client.connect();
    // As a database migrated by a release that predates the newest migration would look.
    const newest = REQUIRED_MIGRATIONS[REQUIRED_MIGRATIONS.length - 1];
    const row = (await client.query<{ run_on: Date }>('DELETE FROM pgmigrations WHERE name = $1 RETURNING run_on', [newest])).rows[0];
    try {
      await expect(PostgresRoomStore.open(older.url)).rejects.toThrow(new RegExp(`missing migration ${newest}\\): run \`npm run db:migrate\``));
      await client.query('INSERT INTO pgmigrations (name, run_on) VALUES ($1, $2)', [newest, row.run_on]);
      const store = await PostgresRoomStore.open(older.url);
      await store.close();
    } finally {
      await client.end();
    }
  }, 30_000);

  it('has one identity per database: postgres:<uuid>, the same for two pools, another for another database', async () => {
    const first = await PostgresRoomStore.open(database.url);
    const second = await PostgresRoomStore.open(database.url);
    const other = await createDatabase(server.url, 'identity');
    dropped.push(other.drop);
    await migrate(other.url);
    const elsewhere = await PostgresRoomStore.open(other.url);
    try {
      const id = await first.identity();
      expect(id).toMatch(/^postgres:[0-9a-f-]{36}$/);
      expect(await second.identity()).toBe(id);
      expect(await elsewhere.identity()).not.toBe(id);
    } finally {
      await Promise.all([first.close(), second.close(), elsewhere.close()]);
    }
  }, 30_000);
});

describe('PostgresRoomStore fencing across two servers (two pools on one database)', () => {
  let first: PostgresRoomStore;
  let second: PostgresRoomStore;
  let room: string;
  beforeEach(async () => {
    first = await PostgresRoomStore.open(database.url);
    second = await PostgresRoomStore.open(database.url);
    room = `fenced-${Math.random().toString(36).slice(2)}`;
  });
  afterEach(async () => {
    await Promise.all([first.close(), second.close()]);
  });

  it('refuses the former owner once the new one claimed, also in a group commit with other rooms and after a seq conflict', async () => {
    await first.load(room, 10, 1);
    await first.append(room, [msg(1)], 1);
    expect((await second.load(room, 10, 2)).lastSeq).toBe(1);
    // The first owner's next batch goes in one transaction with another room's: only it is refused.
    const results = await Promise.allSettled([first.append(room, [msg(2)], 1), first.append(`${room}-other`, [msg(1)], 1)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(StaleEpochError);
    expect(await second.fence(room)).toEqual({ epoch: 2, lastSeq: 1 });
    // Also when the same commit hits a seq conflict and falls back to one savepoint per room.
    await second.append(room, [msg(2)], 2);
    const slow = await Promise.allSettled([
      first.append(room, [msg(3)], 1),
      first.append(`${room}-other`, [msg(1)], 1),
      first.append(`${room}-third`, [msg(1)], 1),
    ]);
    expect(slow.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((slow[0] as PromiseRejectedResult).reason).toBeInstanceOf(StaleEpochError);
    expect((slow[1] as PromiseRejectedResult).reason).toBeInstanceOf(SeqConflictError);
    expect(await second.fence(room)).toEqual({ epoch: 2, lastSeq: 2 });
    expect((await second.after(room, 0, 10)).map((m) => m.text)).toEqual(['t1', 't2']);
  });

  it('makes a claim wait for a write in flight and then see it: no write under the old epoch lands after the claim', async () => {
    await first.load(room, 10, 1);
    // Many appends of the old owner race one claim of the new owner; whatever the order, every
    // acknowledged write is in the new owner's snapshot, and every later one is refused.
    const writes = Array.from({ length: 20 }, (_, i) => first.append(room, [msg(i + 1)], 1).then(() => i + 1));
    const claimed = second.load(room, 100, 2);
    const outcomes = await Promise.allSettled(writes);
    const snapshot = await claimed;
    const acknowledged = outcomes.filter((o): o is PromiseFulfilledResult<number> => o.status === 'fulfilled').map((o) => o.value);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(StaleEpochError);
    const stored = (await second.after(room, 0, 100)).map((m) => m.seq);
    expect(stored).toEqual(acknowledged);
    expect(snapshot.messages.map((m) => m.seq)).toEqual(stored);
  });

  it('lets the new owner continue the seq and makes the old one conflict under the same epoch', async () => {
    await first.append(room, [msg(1), msg(2)], 1);
    expect((await second.load(room, 10)).lastSeq).toBe(2);
    await second.append(room, [msg(3)], 1);
    await expect(first.append(room, [msg(3)], 1)).rejects.toMatchObject({ name: 'SeqConflictError', seq: 3 });
  });
});

describe('PostgresRoomStore constraints', () => {
  it('refuses a second message of a room with a rev already stored, without calling it a seq conflict or failing other rooms', async () => {
    const store = await PostgresRoomStore.open(database.url);
    const room = `rev-${Math.random().toString(36).slice(2)}`;
    try {
      await store.append(room, [{ ...msg(1), rev: 1 }], 1);
      const results = await Promise.allSettled([store.append(room, [{ ...msg(2), rev: 1 }], 1), store.append(`${room}-other`, [{ ...msg(1), rev: 1 }], 1)]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
      const reason = (results[0] as PromiseRejectedResult).reason as { constraint?: string };
      expect(reason).not.toBeInstanceOf(SeqConflictError);
      expect(reason.constraint).toBe('messages_room_rev');
      expect((await store.load(room, 10)).lastSeq).toBe(1);
      // Messages of a version-1 writer carry no rev: any number of them.
      await store.append(room, [msg(2), msg(3)], 1);
    } finally {
      await store.close();
    }
  });
});

describe('PostgresRoomStore group commit and history', () => {
  it('stores appends still pending when closed, and refuses appends after', async () => {
    const store = await PostgresRoomStore.open(database.url);
    const appended = store.append('close-flush', [msg(1)], 1);
    await store.close();
    await appended;
    const again = await PostgresRoomStore.open(database.url);
    try {
      expect((await again.load('close-flush', 10)).lastSeq).toBe(1);
    } finally {
      await again.close();
    }
    await expect(store.append('close-flush', [msg(2)], 1)).rejects.toThrow(/closed/);
  });

  it('refuses to open when the database cannot be reached', async () => {
    await expect(PostgresRoomStore.open(database.url.replace(/:\d+\//, ':1/'))).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('PostgresRoomStore while PostgreSQL is away', () => {
  it('refuses appends (never acknowledging them) while the server is down, and stores again once it is back', async () => {
    // A server of its own: this test stops it (a shared DATABASE_URL must not be).
    const own = await startPostgresServer();
    let store: PostgresRoomStore | undefined;
    try {
      await migrate(own.url);
      store = await PostgresRoomStore.open(own.url, { poolMax: 2 });
      await store.append('r', [msg(1)], 1);
      await own.kill();
      await expect(store.append('r', [msg(2)], 1)).rejects.toThrow();
      await expect(store.ping()).rejects.toThrow();
      await own.start();
      // The pool replaces the broken connections: the same seq is stored now, once.
      await store.append('r', [msg(2)], 1);
      await store.append('r', [msg(3)], 1);
      expect((await store.load('r', 10)).messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    } finally {
      await store?.close();
      await own.stop();
    }
  }, 60_000);
});
