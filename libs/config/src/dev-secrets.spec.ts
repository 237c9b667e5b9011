import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATED_SECRETS_FILE, devSecretsIn } from './dev-secrets';

describe('devSecretsIn', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dev-secrets-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes random secrets once, in a file only its owner reads, and reads them back', () => {
    const first = devSecretsIn(join(dir, 'data'));
    expect(first.path).toBe(join(dir, 'data', GENERATED_SECRETS_FILE));
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(first.secrets.JWT_SECRET).not.toBe(first.secrets.INTERNAL_SECRET);
    expect(devSecretsIn(join(dir, 'data')).secrets).toEqual(first.secrets);
    expect(devSecretsIn(join(dir, 'other')).secrets.JWT_SECRET).not.toBe(first.secrets.JWT_SECRET);
  });

  it('narrows a file others may read to its owner', () => {
    const { path } = devSecretsIn(dir);
    chmodSync(path, 0o644);
    devSecretsIn(dir);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('says which file to delete when it holds no secrets', () => {
    writeFileSync(join(dir, GENERATED_SECRETS_FILE), '{"JWT_SECRET":"short"}', { mode: 0o600 });
    expect(() => devSecretsIn(dir)).toThrow(/generated-secrets\.json does not hold JWT_SECRET and INTERNAL_SECRET: delete it/);
    writeFileSync(join(dir, GENERATED_SECRETS_FILE), 'not json');
    expect(() => devSecretsIn(dir)).toThrow(/not valid JSON: delete it/);
  });
});
