// Child processes the bench starts (raw server, backend, redis, load generator): spawned pinned to
// a core, tracked so that every one is stopped on exit, also on Ctrl-C or an error.
import { spawn, fork, execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

const children = new Set();

let coreCount = null;
/** Cores available to this process when first asked (before the bench pins itself to one). */
export function cores() {
  if (coreCount == null) {
    try {
      coreCount = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
    } catch {
      coreCount = cpus().length;
    }
  }
  return coreCount;
}

/** Which core runs servers and which the load generator (null: no pinning). */
export function pinning() {
  const n = cores();
  if (n < 2) return { server: null, generator: null, note: `nproc=${n}: no pinning` };
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return { server: null, generator: null, note: 'taskset not found: no pinning' };
  }
  return {
    server: '0',
    generator: '1',
    note: `servers (raw ws, backend, session servers, redis) on core 0; load generator and orchestrator on core 1 (nproc=${n})`,
  };
}

/** Pins an already running process (all its threads) to a core list. */
export function pinPid(pid, coreList) {
  if (coreList == null) return;
  execFileSync('taskset', ['-a', '-p', '-c', coreList, String(pid)], { stdio: 'ignore' });
}

/** Spawns `cmd args`, under `taskset -c core` when a core is given; tracked for cleanup. */
export function spawnPinned(core, cmd, args, opts = {}) {
  const [c, a] = core == null ? [cmd, args] : ['taskset', ['-c', core, cmd, ...args]];
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  track(child);
  return child;
}

export function forkTracked(module, args, opts) {
  const child = fork(module, args, opts);
  track(child);
  return child;
}

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export function stopChild(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function killAllChildren() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export { freePort } from '../../scripts/free-port.mjs';

/** Resolves with the first stdout/stderr line matching re (the match), or rejects on exit/timeout. */
export function waitForLine(child, re, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    let tail = '';
    const onData = (d) => {
      tail = (tail + d.toString()).slice(-4000);
      const m = re.exec(tail);
      if (m) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code, sig) => {
      cleanup();
      reject(new Error(`${what} exited (${code ?? sig}) before it was ready. Output:\n${tail}`));
    };
    const t = setTimeout(() => {
      cleanup();
      reject(new Error(`${what} not ready within ${timeoutMs} ms. Output:\n${tail}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(t);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** Keeps the last `max` characters a child printed (for error messages) without blocking its pipes. */
export function captureTail(child, max = 8000) {
  const buf = { text: '' };
  const on = (d) => {
    buf.text = (buf.text + d.toString()).slice(-max);
  };
  child.stdout?.on('data', on);
  child.stderr?.on('data', on);
  return buf;
}
