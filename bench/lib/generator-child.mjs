// The load generator (bench/load.mjs) as a child process pinned to the generator's core, driven
// by request/reply messages over IPC.
import { join } from 'node:path';
import { forkTracked, pinPid, stopChild } from './processes.mjs';
import { ROOT } from './targets.mjs';

export class GeneratorChild {
  /** @param {string|null} core  @param {(line: string) => void} [onProgress] */
  constructor(core, onProgress = () => {}) {
    this.child = forkTracked(join(ROOT, 'bench/load.mjs'), ['--ipc'], {
      // A young generation big enough that a phase's garbage dies young: at 100,000 connections the
      // generators' old-space collections paused them up to 0.6 s, and that pause is in every latency.
      execArgv: ['--max-old-space-size=4096', '--max-semi-space-size=64'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    pinPid(this.child.pid, core);
    this.pending = new Map();
    this.seq = 0;
    // Rejected if the child exits before it is ready (a failed import, say), so a call cannot wait
    // for it forever; a call still sees the rejection, the catch only keeps it from being unhandled.
    this.ready = new Promise((resolve, reject) => {
      this.onReady = resolve;
      this.onEarlyExit = reject;
    });
    this.ready.catch(() => {});
    this.child.on('message', (m) => {
      if (m.ready) return this.onReady();
      if (m.progress) return onProgress(m.progress);
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`load generator: ${m.error}`));
      else p.resolve(m.result);
    });
    this.child.on('exit', (code) => {
      this.onEarlyExit(new Error(`load generator exited (${code}) before it was ready`));
      for (const p of this.pending.values()) p.reject(new Error(`load generator exited (${code})`));
      this.pending.clear();
    });
  }
  async call(cmd, args) {
    await this.ready;
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, cmd, args });
    });
  }
  get pid() {
    return this.child.pid;
  }
  stop(graceMs = 3000) {
    return stopChild(this.child, graceMs);
  }
}
