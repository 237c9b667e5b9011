// Preloaded (`node --expose-gc -r bench/lib/gc-report.cjs server.js`) by bench/idle-memory.mjs: once a
// second, a full GC, then the process's memory on stderr, so idle memory is compared without garbage.
setInterval(() => {
  global.gc();
  const m = process.memoryUsage();
  process.stderr.write(`MEM rss=${m.rss} heap=${m.heapUsed}\n`);
}, 1000).unref();
