// Session server entry for `run.mjs --profile`: starts the V8 CPU profiler in-process, runs the
// built session server, and writes a .cpuprofile when the process exits (Node refuses --cpu-prof
// in NODE_OPTIONS, and the backend's local provisioner starts session servers itself; it runs this
// file through SESSION_ENTRY). Open the profile in Chrome DevTools or speedscope.
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const main = process.env.BENCH_SESSION_MAIN;
const dir = process.env.BENCH_PROF_DIR || '.';
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 });
session.post('Profiler.start');

// Event-loop delay and GC pauses: a latency tail with the CPU not saturated comes from one of these.
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const gc = { count: 0, totalMs: 0, maxMs: 0, over10ms: 0, over50ms: 0, byKind: {} };
new PerformanceObserver((list) => {
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

let written = false;
function writeProfile() {
  if (written) return;
  written = true;
  const ms = (ns) => ns / 1e6;
  fs.writeFileSync(
    path.join(dir, `session-${process.pid}.loop.json`),
    JSON.stringify(
      { eventLoopDelayMs: { p50: ms(loop.percentile(50)), p90: ms(loop.percentile(90)), p99: ms(loop.percentile(99)), max: ms(loop.max) }, gc },
      null,
      2,
    ),
  );
  // An in-thread inspector session answers synchronously, so this also works in 'exit'.
  session.post('Profiler.stop', (err, res) => {
    if (!err) fs.writeFileSync(path.join(dir, `session-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
  });
}
process.on('exit', writeProfile);
process.on('SIGUSR2', writeProfile);
require(main);
