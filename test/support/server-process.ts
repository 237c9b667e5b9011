// A built server (dist/apps/*/main.js) run as its own process, the way production runs it.
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const BACKEND_ENTRY = join(ROOT, 'dist', 'apps', 'backend', 'main.js');
export const SESSION_ENTRY = join(ROOT, 'dist', 'apps', 'session', 'main.js');
/** The line the backend prints once it listens; group 1 is its base URL. */
export const BACKEND_READY = /open (http:\/\/[^\s/]+)\//;
/** The banner's line after it, printed in the same write; group 1 is the internal listener (heartbeats). */
export const BACKEND_INTERNAL = /internal listener (http:\/\/[^\s/]+)/;

export interface ServerProcessOptions {
  /** Also write the server's output to this file (kept after the test, unlike `logs()`). */
  logFile?: string;
  /** A command the server runs under, e.g. `['ip', 'netns', 'exec', name]` (it must exec, keeping the pid). */
  prefix?: string[];
}

/**
 * Only the environment given here (plus PATH) reaches the server; its output is kept for failure
 * messages.
 */
export class ServerProcess {
  private readonly output: string[] = [];
  private readonly exit: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    logFile: string | undefined,
  ) {
    child.stdout!.on('data', (c: Buffer) => this.output.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => this.output.push(c.toString()));
    if (logFile) {
      const log = createWriteStream(logFile);
      child.stdout!.pipe(log, { end: false });
      child.stderr!.pipe(log, { end: false });
      child.once('close', () => log.end());
    }
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts `entry` and resolves once its output matches `ready` (with the match). */
  static async start(
    name: string,
    entry: string,
    env: Record<string, string>,
    ready: RegExp,
    options: ServerProcessOptions = {},
  ): Promise<{ proc: ServerProcess; match: RegExpExecArray }> {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);
    const [command, ...args] = [...(options.prefix ?? []), process.execPath, entry];
    const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const proc = new ServerProcess(name, child, options.logFile);
    try {
      const match = await new Promise<RegExpExecArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s:\n${proc.logs()}`)), 30_000);
        const onData = () => {
          const m = ready.exec(proc.logs());
          if (!m) return;
          clearTimeout(timer);
          child.stdout.off('data', onData);
          resolve(m);
        };
        child.stdout.on('data', onData);
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${proc.logs()}`));
        });
      });
      return { proc, match };
    } catch (err) {
      // Not ready in time: do not leave it running.
      await proc.stop('SIGKILL');
      throw err;
    }
  }

  get pid(): number {
    return this.child.pid!;
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
