// Session server entry for `run.mjs --profile` and `scale.mjs --profile`: runs the built session
// server with the V8 CPU profiler in-process, and writes a .cpuprofile (plus its event-loop delay
// and GC pauses) when the process exits (Node refuses --cpu-prof in NODE_OPTIONS, and the backend's
// local provisioner starts session servers itself; it runs this file through SESSION_ENTRY). Open
// the profile in Chrome DevTools or speedscope, or summarise it with bench/profile-top.mjs.
//
// BENCH_PROF_LAZY=1: nothing is profiled until the first SIGUSR2, and every SIGUSR2 writes what
// was profiled since the one before (session-<pid>-<n>.cpuprofile) and starts again: the scale
// bench profiles its idle and chat phases this way and not the connect storm, which the
// profiler's own cost slowed enough for servers to miss heartbeats.
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');

const main = process.env.BENCH_SESSION_MAIN;
const dir = process.env.BENCH_PROF_DIR || '.';
const lazy = process.env.BENCH_PROF_LAZY === '1';
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 });

// Event-loop delay and GC pauses: a latency tail with the CPU not saturated comes from one of these.
let loop = null;
let gc = null;
function startWindow() {
  loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  gc = { count: 0, totalMs: 0, maxMs: 0, over10ms: 0, over50ms: 0, byKind: {} };
  session.post('Profiler.start');
}
new PerformanceObserver((list) => {
  if (!gc) return;
  for (const e of list.getEntries()) {
    gc.count++;
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
    if (e.duration > 10) gc.over10ms++;
    if (e.duration > 50) gc.over50ms++;
    const kind = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' }[e.detail?.kind] || String(e.detail?.kind);
    gc.byKind[kind] = (gc.byKind[kind] || 0) + 1;
  }
}).observe({ entryTypes: ['gc'] });

let windows = 0;
/** Writes the window profiled so far; the name has no number unless the profile is lazy. */
function writeWindow() {
  if (!loop) return;
  const name = lazy ? `session-${process.pid}-${++windows}` : `session-${process.pid}`;
  const ms = (ns) => ns / 1e6;
  loop.disable();
  fs.writeFileSync(
    path.join(dir, `${name}.loop.json`),
    JSON.stringify(
      { eventLoopDelayMs: { p50: ms(loop.percentile(50)), p90: ms(loop.percentile(90)), p99: ms(loop.percentile(99)), max: ms(loop.max) }, gc },
      null,
      2,
    ),
  );
  loop = null;
  gc = null;
  // An in-thread inspector session answers synchronously, so this also works in 'exit'.
  session.post('Profiler.stop', (err, res) => {
    if (!err) fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(res.profile));
  });
}
process.on('exit', writeWindow);
process.on('SIGUSR2', () => {
  writeWindow();
  if (lazy) startWindow();
});
if (!lazy) startWindow();
require(main);
