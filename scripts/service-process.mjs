// One real service process (redis-server, postgres) for the launchers: spawned, its last output kept
// for the error that says why it did not come up, ready once `ready()` answers, and never left
// behind by a runner that exits without stopping it.
import { spawn } from 'node:child_process';

/**
 * Starts `command` and waits until `ready()` resolves true (polled every `pollMs`, for at most
 * `timeoutMs`). `missing` is the error message when the command does not exist. Returns
 * `start()` (spawn again, after a stop), `stop(signal = killSignal)` and `release()` (forget the
 * exit hook once the service is stopped for good).
 */
export async function startService({ name, command, args, spawnOptions = {}, missing, ready, waitingFor, timeoutMs, pollMs, killSignal }) {
  let child;
  const start = async () => {
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
    child = proc;
    let output = '';
    const keep = (chunk) => (output = (output + chunk.toString()).slice(-2000));
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    let failure = null;
    proc.once('error', (err) => (failure = err.code === 'ENOENT' ? new Error(missing) : err));
    proc.once('exit', (code) => (failure ??= new Error(`${name} exited with ${code}: ${output}`)));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (failure) throw failure;
      if (await ready()) return;
      if (Date.now() > deadline) throw new Error(`${name} did not ${waitingFor} within ${timeoutMs / 1000} s: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };
  const stop = async (signal = killSignal) => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  };
  const onExit = () => child?.kill(killSignal);
  process.once('exit', onExit);
  const release = () => process.removeListener('exit', onExit);
  try {
    await start();
  } catch (err) {
    await stop();
    release();
    throw err;
  }
  return { start, stop, release };
}
