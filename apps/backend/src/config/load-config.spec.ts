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
    expect(message).toContain('JWT_SECRET must be set');
    expect(message).toContain('INTERNAL_SECRET must be set');
    expect(message).toContain('SESSION_TOKEN_PRIVATE_KEY');
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
