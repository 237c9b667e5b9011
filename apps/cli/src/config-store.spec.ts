import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigStore, configPath } from './config-store';

describe('ConfigStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rooms-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lives in $XDG_CONFIG_HOME/rooms when set (absolute), else in ~/.config/rooms', () => {
    expect(configPath({ XDG_CONFIG_HOME: '/x/cfg' })).toBe('/x/cfg/rooms/config.json');
    expect(configPath({ XDG_CONFIG_HOME: 'relative' })).toMatch(/\/\.config\/rooms\/config\.json$/);
    expect(configPath({})).toMatch(/\/\.config\/rooms\/config\.json$/);
  });

  it('keeps one login per backend in a file only its owner can read', () => {
    const store = new ConfigStore(join(dir, 'rooms', 'config.json'));
    expect(store.login('http://a')).toBeNull();
    store.saveLogin('http://a', { token: 'ta', user: { id: 'u_a', name: 'Ada' }, savedAt: 1 });
    store.saveLogin('http://b', { token: 'tb', user: { id: 'u_b', name: 'Bob' }, savedAt: 2 });
    expect(store.login('http://a')?.token).toBe('ta');
    expect(new ConfigStore(store.path).login('http://b')?.user.name).toBe('Bob');
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(store.path, 'utf8')).logins)).toEqual(['http://a', 'http://b']);
  });

  it('reads a damaged file as empty instead of failing', () => {
    const store = new ConfigStore(join(dir, 'config.json'));
    writeFileSync(store.path, '{ not json');
    expect(store.login('http://a')).toBeNull();
  });
});
