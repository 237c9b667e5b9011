import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** The secrets development runs make up for themselves when the environment gives none. */
export interface DevSecrets {
  JWT_SECRET: string;
  INTERNAL_SECRET: string;
}

/** Name of the file in DATA_DIR that keeps them (mode 0600). */
export const GENERATED_SECRETS_FILE = 'generated-secrets.json';

/** A fresh random secret (256 bits, base64url): development's JWT_SECRET, INTERNAL_SECRET and admin secret. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function generateDevSecrets(): DevSecrets {
  return { JWT_SECRET: generateSecret(), INTERNAL_SECRET: generateSecret() };
}

/**
 * The development secrets kept in `dir` (DATA_DIR), made on first use: a restarted `npm start` keeps
 * its users' logins, and a session server that shares the directory knows the backend's internal
 * secret. The file is written whole under another name and linked into place, so a backend and a
 * session server starting together never read half a file, and the first one to link it wins.
 */
export function devSecretsIn(dir: string): { secrets: DevSecrets; path: string } {
  const path = join(dir, GENERATED_SECRETS_FILE);
  const existing = readDevSecrets(path);
  if (existing) return { secrets: existing, path };
  mkdirSync(dir, { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, `${JSON.stringify(generateDevSecrets(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temp);
  }
  const secrets = readDevSecrets(path);
  if (!secrets) throw new Error(`${path} does not hold JWT_SECRET and INTERNAL_SECRET: delete it to make new ones`);
  return { secrets, path };
}

function readDevSecrets(path: string): DevSecrets | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  // Secrets readable by others are no secrets: narrow a file someone copied or unpacked loosely.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON: delete it to make new development secrets`);
  }
  const { JWT_SECRET, INTERNAL_SECRET } = (parsed ?? {}) as Partial<DevSecrets>;
  if (typeof JWT_SECRET !== 'string' || typeof INTERNAL_SECRET !== 'string' || JWT_SECRET.length < 16 || INTERNAL_SECRET.length < 16) {
    throw new Error(`${path} does not hold JWT_SECRET and INTERNAL_SECRET: delete it to make new ones`);
  }
  return { JWT_SECRET, INTERNAL_SECRET };
}
