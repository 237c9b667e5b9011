import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** A login kept for one backend. */
export interface SavedLogin {
  token: string;
  user: { id: string; name: string };
  savedAt: number;
}

interface ConfigFile {
  /** Logins by backend base URL: one person may use several deployments. */
  logins: Record<string, SavedLogin>;
}

/** Where the CLI keeps its logins: `$XDG_CONFIG_HOME/rooms/config.json`, else `~/.config/rooms/config.json`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'rooms', 'config.json');
}

/** The access tokens of the `rooms` CLI, in a file only its owner can read. */
export class ConfigStore {
  constructor(readonly path: string = configPath()) {}

  login(server: string): SavedLogin | null {
    return this.read().logins[server] ?? null;
  }

  saveLogin(server: string, login: SavedLogin): void {
    const config = this.read();
    config.logins[server] = login;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    // Written aside and renamed: a crash mid-write never leaves a half file.
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }

  private read(): ConfigFile {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<ConfigFile>;
      return { logins: parsed.logins ?? {} };
    } catch {
      return { logins: {} };
    }
  }
}
