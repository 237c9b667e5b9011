import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgresServer } from '../../scripts/postgres-server.mjs';

/**
 * PostgreSQL for tests. Tests never touch the system PostgreSQL on 5432: they use `DATABASE_URL`
 * when the test runner set one, else a server of their own on a free port, started by the repo's
 * one launcher (scripts/postgres-server.mjs, which `npm test` uses too). Each test file works in
 * databases of its own on that server (`createDatabase`), so files can share one server.
 */
export { startPostgresServer, type PostgresServerHandle, type PostgresServerOptions } from '../../scripts/postgres-server.mjs';

const root = join(__dirname, '..', '..');

/** `DATABASE_URL` when set (the shared test server), else a private server stopped by `release`. */
export async function acquirePostgresUrl(): Promise<{ url: string; release: () => Promise<void> }> {
  const shared = process.env.DATABASE_URL;
  if (shared) return { url: shared, release: async () => undefined };
  const server = await startPostgresServer();
  return { url: server.url, release: () => server.stop() };
}

/** A new, empty database on the server of `serverUrl`; its URL, and `drop` to remove it. */
export async function createDatabase(serverUrl: string, label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `test_${label.replace(/\W/g, '_')}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Applies the migrations to the database of `url` as an operator does: `npm run db:migrate`. */
export function migrate(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['run', '--silent', 'db:migrate'], { cwd: root, env: { ...process.env, DATABASE_URL: url } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`npm run db:migrate failed: ${stderr || stdout || err.message}`));
      else resolve(stdout);
    });
  });
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
