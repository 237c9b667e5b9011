import type { Pool } from 'pg';

/** Where the migrations live (relative to the repository), and the command that applies them. */
export const POSTGRES_MIGRATIONS_DIR = 'apps/session/src/store/postgres-migrations';
export const MIGRATE_COMMAND = 'npm run db:migrate';

/**
 * The migrations this server's SQL needs, by node-pg-migrate's name (the file name without `.sql`).
 * A new migration the store relies on is added here too; the spec checks the list against the folder.
 */
export const REQUIRED_MIGRATIONS: readonly string[] = ['1765152000000_room-store', '1765238400000_message-ts-index', '1765324800000_message-rev-unique'];

/** node-pg-migrate's bookkeeping table (its default name). */
const MIGRATIONS_TABLE = 'pgmigrations';

export class SchemaTooOldError extends Error {
  override name = 'SchemaTooOldError';

  constructor(readonly missing: readonly string[]) {
    super(
      `the PostgreSQL schema is older than this session server needs (missing migration${missing.length > 1 ? 's' : ''} ${missing.join(', ')}): ` +
        `run \`${MIGRATE_COMMAND}\` with DATABASE_URL set to this database, then start the server again`,
    );
  }
}

/**
 * Refuses a database whose schema lacks a migration this server needs. Start-up never creates or
 * alters tables itself: an operator applies migrations (`npm run db:migrate`, or the Job before a
 * rollout), so two versions of the server never race to change the schema.
 */
export async function checkPostgresSchema(pool: Pool): Promise<void> {
  const table = await pool.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [MIGRATIONS_TABLE]);
  const applied = new Set<string>();
  if (table.rows[0].present) {
    const rows = await pool.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
    for (const row of rows.rows) applied.add(row.name);
  }
  const missing = REQUIRED_MIGRATIONS.filter((name) => !applied.has(name));
  if (missing.length) throw new SchemaTooOldError(missing);
}
