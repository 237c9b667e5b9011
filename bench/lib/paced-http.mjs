// An open-loop HTTP load at a fixed rate: requests are due at evenly spaced instants and are sent
// when due, whether or not earlier ones have been answered (wrk2-style), over a pool of keep-alive
// connections. Closed-loop tools (autocannon's `overallRate` included: each connection sends
// back to back until its per-second quota is spent, then waits for the next second) turn "1,000
// req/s" into one burst per second and report the burst's queueing, not the server's latency.
//
// Latency is measured from the instant a request was due, so a stalled server or a starved
// connection pool counts against it (no coordinated omission); how late the generator itself
// fired is reported beside it, so a reader can see it kept pace.
import http from 'node:http';
import { Samples } from './percentiles.mjs';

/** A request unanswered this long counts as an error (and its socket is closed). */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * A pool of keep-alive connections to share between calls of `pacedRequests` (warm-up and runs),
 * as wrk2 keeps its connections: otherwise each run starts with none and opens them while the
 * server is busiest, during a stall's backlog, and pays its accept work on top. Destroy it after.
 */
export function connectionPool(connections = 64) {
  return new http.Agent({ keepAlive: true, maxSockets: connections });
}

/**
 * @param {{ url: string, method?: string, headers?: object, rate: number, seconds: number,
 *           pool?: http.Agent, onSecond?: (s: number) => void,
 *           onSample?: (dueMs: number, latencyMs: number) => void }} o
 */
export function pacedRequests({ url, method = 'POST', headers = {}, rate, seconds, pool, onSecond, onSample }) {
  const u = new URL(url);
  const agent = pool ?? connectionPool();
  const options = { agent, host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: { ...headers, 'content-length': '0' } };
  const total = Math.round(rate * seconds);
  const latency = new Samples(Math.max(1024, total));
  const fireLag = new Samples(Math.max(1024, total));
  const statuses = new Map();
  let sent = 0;
  let finished = 0;
  let errors = 0;
  let lastSecond = 0;
  const t0 = performance.now() + 20;

  return new Promise((resolve) => {
    const settle = () => {
      if (++finished < total) return;
      if (!pool) agent.destroy();
      const elapsedS = (performance.now() - t0) / 1000;
      resolve({
        offeredRate: rate,
        seconds,
        sent,
        requestsPerSec: total / elapsedS,
        ok2xx: [...statuses].filter(([s]) => s >= 200 && s < 300).reduce((n, [, c]) => n + c, 0),
        non2xx: [...statuses].filter(([s]) => s < 200 || s >= 300).reduce((n, [, c]) => n + c, 0),
        statuses: Object.fromEntries(statuses),
        errors,
        latencyMs: latency.summary(),
        generatorLagMs: fireLag.summary(),
      });
    };
    const fire = (due) => {
      fireLag.add(performance.now() - due);
      let done = false;
      const fail = () => {
        if (done) return;
        done = true;
        errors++;
        settle();
      };
      const req = http.request(options, (res) => {
        res.resume();
        res.on('error', fail);
        res.on('end', () => {
          if (done) return;
          done = true;
          const ms = performance.now() - due;
          latency.add(ms);
          onSample?.(due - t0, ms);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          settle();
        });
      });
      // A server that stops answering ends the run with errors instead of hanging it.
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timed out')));
      req.on('error', fail);
      req.end();
    };
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000) + 1);
      while (sent < due) fire(t0 + (sent++ * 1000) / rate);
      const second = Math.floor((now - t0) / 1000);
      if (second > lastSecond && onSecond) onSecond((lastSecond = second));
      // setImmediate keeps the generator within a fraction of a millisecond of the schedule (a
      // timer would fire up to 1 ms late); it spins its own core, which is the generator's.
      if (sent < total) setImmediate(tick);
    };
    setTimeout(tick, 20);
  });
}
