import { GENERATED_SECRETS_FILE } from '@app/config';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvisionerKind } from './backend.config';
import { ConfigError, loadBackendConfig } from './load-config';

describe('loadBackendConfig', () => {
  it('gives defaults that make npm start work', () => {
    const config = loadBackendConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.PROVISIONER).toBe(ProvisionerKind.Local);
    expect(config.SESSION_MIN).toBe(2);
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.SESSION_NODE_ARGS).toEqual(['--max-semi-space-size=4', '--initial-old-space-size=256', '--no-memory-reducer']);
  });

  it('takes Node flags for session servers, and refuses anything else', () => {
    expect(loadBackendConfig({ SESSION_NODE_ARGS: ' --max-semi-space-size=8  --max-old-space-size=512 ' }).SESSION_NODE_ARGS).toEqual([
      '--max-semi-space-size=8',
      '--max-old-space-size=512',
    ]);
    expect(() => loadBackendConfig({ SESSION_NODE_ARGS: '--inspect /tmp/evil.js' })).toThrow(/SESSION_NODE_ARGS must be Node flags/);
  });

  it('converts numbers and lists from strings and treats empty values as unset', () => {
    const config = loadBackendConfig({ PORT: '9090', CORS_ORIGINS: 'http://a.test, http://b.test', REDIS_URL: '' });
    expect(config.PORT).toBe(9090);
    expect(config.CORS_ORIGINS).toEqual(['http://a.test', 'http://b.test']);
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('lists every invalid setting in one error', () => {
    expect(() => loadBackendConfig({ PORT: 'eighty', PROVISIONER: 'cloud', SESSION_MIN: '5', SESSION_MAX: '2' })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/PORT[\s\S]*PROVISIONER[\s\S]*SESSION_MIN must not exceed SESSION_MAX/) }),
    );
  });

  it('refuses a production start without real secrets, naming each', () => {
    let error: unknown;
    try {
      loadBackendConfig({ NODE_ENV: 'production' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('JWT_SECRET must be set in production');
    expect(message).toContain('INTERNAL_SECRET must be set in production');
    expect(message).toContain('SESSION_TOKEN_PRIVATE_KEY');
  });

  it('has no secret in the source: development makes JWT_SECRET and INTERNAL_SECRET up for each run', () => {
    const a = loadBackendConfig({});
    const b = loadBackendConfig({});
    for (const key of ['JWT_SECRET', 'INTERNAL_SECRET'] as const) {
      expect(a[key].length).toBeGreaterThanOrEqual(32);
      expect(b[key]).not.toBe(a[key]);
    }
    expect(a.JWT_SECRET).not.toBe('dev-insecure-jwt-secret-change-me');
    expect(a.INTERNAL_SECRET).not.toBe('dev-internal-secret');
    expect(loadBackendConfig({ JWT_SECRET: 'j'.repeat(32), INTERNAL_SECRET: 'i'.repeat(16) })).toMatchObject({
      JWT_SECRET: 'j'.repeat(32),
      INTERNAL_SECRET: 'i'.repeat(16),
    });
  });

  it('keeps development secrets in DATA_DIR (mode 0600) when asked and the backend keeps data there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'backend-config-'));
    try {
      const first = loadBackendConfig({ DATA_DIR: dir }, { keepDevSecrets: true });
      const again = loadBackendConfig({ DATA_DIR: dir }, { keepDevSecrets: true });
      expect(again.JWT_SECRET).toBe(first.JWT_SECRET);
      expect(again.INTERNAL_SECRET).toBe(first.INTERNAL_SECRET);
      expect(statSync(join(dir, GENERATED_SECRETS_FILE)).mode & 0o777).toBe(0o600);
      // Nothing on disk: per run.
      const memory = { DATA_DIR: dir, ROOM_CATALOG: 'memory', PROVISIONER: 'none' };
      expect(loadBackendConfig(memory, { keepDevSecrets: true }).JWT_SECRET).not.toBe(first.JWT_SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves heartbeats on INTERNAL_PORT: PORT + 1 unless set, any free port with PORT 0, never PORT itself', () => {
    expect(loadBackendConfig({}).internalPort).toBe(8081);
    expect(loadBackendConfig({ PORT: '0' }).internalPort).toBe(0);
    expect(loadBackendConfig({ PORT: '9000', INTERNAL_PORT: '7000' }).internalPort).toBe(7000);
    expect(() => loadBackendConfig({ PORT: '9000', INTERNAL_PORT: '9000' })).toThrow(/INTERNAL_PORT must differ/);
    expect(() => loadBackendConfig({ PORT: '65535' })).toThrow(/INTERNAL_PORT must be set/);
    const config = loadBackendConfig({ INTERNAL_PORT: '7000', INTERNAL_HOST: '0.0.0.0' });
    expect(config.sessionEnv.INTERNAL_PORT).toBeUndefined();
    expect(config.sessionEnv.INTERNAL_HOST).toBeUndefined();
  });

  it('hands session servers the environment without the backend secrets', () => {
    const config = loadBackendConfig({ JWT_SECRET: 'x'.repeat(32), ROOM_STORE: 'memory', PORT: '9000' });
    expect(config.sessionEnv.ROOM_STORE).toBe('memory');
    expect(config.sessionEnv.JWT_SECRET).toBeUndefined();
    expect(config.sessionEnv.PORT).toBeUndefined();
  });

  it('serves metrics on PORT unless METRICS_PORT names another port, which local session servers do not inherit', () => {
    expect(loadBackendConfig({}).METRICS_PORT).toBeUndefined();
    expect(loadBackendConfig({ METRICS_PORT: '' }).METRICS_PORT).toBeUndefined();
    const config = loadBackendConfig({ METRICS_PORT: '9464' });
    expect(config.METRICS_PORT).toBe(9464);
    // Every local session server would try to bind the same port.
    expect(config.sessionEnv.METRICS_PORT).toBeUndefined();
    expect(loadBackendConfig({ PORT: '0', METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
    for (const bad of ['abc', '-1', '70000', '1.5']) expect(() => loadBackendConfig({ METRICS_PORT: bad })).toThrow(/METRICS_PORT/);
    expect(() => loadBackendConfig({ PORT: '8080', METRICS_PORT: '8080' })).toThrow(/METRICS_PORT must differ from PORT/);
  });
});
