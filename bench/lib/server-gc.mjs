// V8 garbage collection of our servers, read from their Prometheus `/metrics` (prom-client's
// default metrics: a session server serves them on its WebSocket port, the backend on its API
// port): GC pauses by kind, the old space in use, and the event loop's delay. Read before and after
// a run, the difference says what the run cost the GC: a major GC on the server's core is a pause
// for every room or request on it, and old-space growth is garbage that one will have to collect.
// prom-client resets its event-loop histogram at every reading, so the reading after a run holds
// the loop's delay during the run (nothing else reads these metrics during a bench).

const KINDS = ['minor', 'major', 'incremental', 'weakcb'];

/** GC totals of one server; `baseUrl` is its http:// or public ws:// address. */
export async function gcTotals(baseUrl) {
  const url = new URL(baseUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/metrics';
  url.search = '';
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return parseGcTotals(await res.text());
}

/** { minor: { count, ms }, major: …, incremental: …, weakcb: …, oldSpaceBytes } from the metrics text. */
export function parseGcTotals(text) {
  const out = { oldSpaceBytes: null, loopDelayMaxMs: null, loopDelayP99Ms: null };
  for (const kind of KINDS) out[kind] = { count: 0, ms: 0 };
  for (const line of text.split('\n')) {
    const gc = /^nodejs_gc_duration_seconds_(sum|count)\{kind="(\w+)"\} (\S+)$/.exec(line);
    if (gc && out[gc[2]]) {
      if (gc[1] === 'sum') out[gc[2]].ms = Number(gc[3]) * 1000;
      else out[gc[2]].count = Number(gc[3]);
    }
    const old = /^nodejs_heap_space_size_used_bytes\{space="old"\} (\S+)$/.exec(line);
    if (old) out.oldSpaceBytes = Number(old[1]);
    const lag = /^nodejs_eventloop_lag_(max|p99)_seconds (\S+)$/.exec(line);
    if (lag) out[lag[1] === 'max' ? 'loopDelayMaxMs' : 'loopDelayP99Ms'] = Number(lag[2]) * 1000;
  }
  return out;
}

/** What happened between two readings of the same servers (lists of totals, summed). */
export function gcDelta(before, after) {
  const sum = (list, f) => list.reduce((n, x) => n + f(x), 0);
  const out = {};
  for (const kind of KINDS) {
    out[kind] = {
      count: sum(after, (x) => x[kind].count) - sum(before, (x) => x[kind].count),
      ms: sum(after, (x) => x[kind].ms) - sum(before, (x) => x[kind].ms),
    };
  }
  // The collections' own pauses (weak-callback processing is left out, as in the tables so far).
  out.totalMs = out.minor.ms + out.major.ms + out.incremental.ms;
  out.loopDelayMaxMs = Math.max(...after.map((x) => x.loopDelayMaxMs ?? 0));
  out.oldSpaceGrowthMb = (sum(after, (x) => x.oldSpaceBytes ?? 0) - sum(before, (x) => x.oldSpaceBytes ?? 0)) / 2 ** 20;
  return out;
}
