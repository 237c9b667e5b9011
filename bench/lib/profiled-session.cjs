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
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');

let written = false;
function writeProfile() {
  if (written) return;
  written = true;
  // An in-thread inspector session answers synchronously, so this also works in 'exit'.
  session.post('Profiler.stop', (err, res) => {
    if (!err) fs.writeFileSync(path.join(dir, `session-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
  });
}
process.on('exit', writeProfile);
process.on('SIGUSR2', writeProfile);
require(main);
