import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
export const BACKEND_ENTRY = join(ROOT, 'dist', 'apps', 'backend', 'main.js');
export const SESSION_ENTRY = join(ROOT, 'dist', 'apps', 'session', 'main.js');

/**
 * A built server (backend or session) run as its own process, as in production: only the
 * environment given here (plus PATH), output kept for failure messages.
 */
export class ServerProcess {
  private readonly output: string[] = [];
  private exit?: Promise<void>;

  private constructor(readonly name: string, private readonly child: ChildProcess) {
    child.stdout!.on('data', (c: Buffer) => this.output.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => this.output.push(c.toString()));
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts `entry` and resolves once its output matches `ready` (with the match). */
  static async start(name: string, entry: string, env: Record<string, string>, ready: RegExp): Promise<{ proc: ServerProcess; match: RegExpExecArray }> {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build:servers" first`);
    const child = spawn(process.execPath, [entry], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const proc = new ServerProcess(name, child);
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s:\n${proc.logs()}`)), 30_000);
      const onData = () => {
        const m = ready.exec(proc.logs());
        if (!m) return;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(m);
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${proc.logs()}`));
      });
    });
    return { proc, match };
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  logs(): string {
    return this.output.join('');
  }

  /** Sends `signal` and waits for the exit (SIGKILL after 10 s). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exit;
    clearTimeout(timer);
  }
}

/** A backend replica on `port` with the shared directory in Redis and no provisioner. */
export async function startBackend(name: string, port: number, env: Record<string, string>): Promise<{ proc: ServerProcess; url: string }> {
  const { proc, match } = await ServerProcess.start(
    name,
    BACKEND_ENTRY,
    { PORT: String(port), PROVISIONER: 'none', LOG_LEVEL: 'warn', HTTP_RATE_LIMIT_PER_MIN: '100000', ...env },
    /open (http:\/\/[^\s/]+)\//,
  );
  return { proc, url: match[1] };
}

/** A session server with a Redis room store, registering with one backend. */
export async function startSession(serverId: string, backendUrl: string, env: Record<string, string>): Promise<{ proc: ServerProcess; port: number }> {
  const { proc, match } = await ServerProcess.start(
    serverId,
    SESSION_ENTRY,
    { PORT: '0', SERVER_ID: serverId, BACKEND_URL: backendUrl, ROOM_STORE: 'redis', LOG_LEVEL: 'warn', ...env },
    /"msg":"session server listening".*?"port":(\d+)/,
  );
  return { proc, port: Number(match[1]) };
}
