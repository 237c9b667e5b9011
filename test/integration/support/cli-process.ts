import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '../../support/eventually';
import { ROOT } from '../../support/server-process';

/** The `rooms` bin, as `npx rooms` runs it in the repo. */
export const ROOMS_BIN = join(ROOT, 'apps', 'cli', 'bin', 'rooms.mjs');

/** Compiles the CLI once (its first run does), so the tests do not race to build it. */
export function buildCli(): void {
  const r = spawnSync(process.execPath, [ROOMS_BIN, '--help'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rooms --help failed (${r.status}): ${r.stderr}`);
}

/**
 * `rooms …` as a real child process over pipes: its stdout and stderr are collected line by line,
 * `waitFor` polls them, `write` types a line.
 */
export class CliProcess {
  readonly stdoutLines: string[] = [];
  readonly stderrLines: string[] = [];
  readonly exited: Promise<number | null>;
  private partial = { out: '', err: '' };

  private constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => this.take('out', c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => this.take('err', c));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(args: string[], env: Record<string, string>): CliProcess {
    return new CliProcess(spawn(process.execPath, [ROOMS_BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' }));
  }

  /** Runs a command to its end. */
  static async run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const p = CliProcess.start(args, env);
    p.child.stdin!.end();
    const code = await p.exited;
    return { code, stdout: p.stdoutLines.join('\n'), stderr: p.stderrLines.join('\n') };
  }

  write(line: string): void {
    this.child.stdin!.write(line + '\n');
  }

  /** Waits for a stdout line matching `pattern` and returns it. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    try {
      return await eventually(() => this.stdoutLines.find((l) => pattern.test(l)), timeoutMs, `a line matching ${pattern}`);
    } catch (err) {
      throw new Error(`${(err as Error).message}; output:\n${this.transcript()}`, { cause: err });
    }
  }

  count(pattern: RegExp): number {
    return this.stdoutLines.filter((l) => pattern.test(l)).length;
  }

  transcript(): string {
    return [...this.stdoutLines, '--- stderr ---', ...this.stderrLines].join('\n');
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }

  private take(stream: 'out' | 'err', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop()!;
    (stream === 'out' ? this.stdoutLines : this.stderrLines).push(...lines);
  }
}
