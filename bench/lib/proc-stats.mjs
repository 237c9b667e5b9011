// CPU time and memory of a process from /proc, and which process listens on a TCP port.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* 100 is the Linux default */
}

/** utime + stime of a process in milliseconds, or null when it is gone. */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: split after its closing parenthesis.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): utime is field 14, stime field 15.
    return ((Number(f[11]) + Number(f[12])) * 1000) / clkTck;
  } catch {
    return null;
  }
}

/** { rssKb, hwmKb } from /proc/<pid>/status, or null when it is gone. */
export function memKb(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k) => Number((s.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) || [])[1]);
    return { rssKb: get('VmRSS'), hwmKb: get('VmHWM') };
  } catch {
    return null;
  }
}

/**
 * CPU time of the whole machine in ms (all cores), from /proc/stat: `busy` is process time
 * (user + nice + system); `softirq` (+ irq) is kernel time charged to no process, on loopback
 * mostly the network stack carrying this bench's own traffic; `steal` is time the hypervisor
 * gave to other guests.
 */
export function machineCpuMs() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const ms = (t) => ((t || 0) * 1000) / clkTck;
    return { busy: ms(f[0] + f[1] + f[2]), softirq: ms((f[5] || 0) + (f[6] || 0)), steal: ms(f[7]) };
  } catch {
    return null;
  }
}

/** Samples CPU and RSS of a set of pids between start() and stop(): CPU share and peak RSS. */
export class ProcSampler {
  constructor(pids, intervalMs = 200) {
    this.pids = [...pids];
    this.intervalMs = intervalMs;
  }
  start() {
    this.t0 = performance.now();
    this.machine0 = machineCpuMs();
    this.self0 = cpuMs(process.pid);
    this.cpu0 = new Map(this.pids.map((p) => [p, cpuMs(p)]));
    this.peak = new Map(this.pids.map((p) => [p, memKb(p)?.rssKb ?? 0]));
    this.timer = setInterval(() => {
      for (const p of this.pids) {
        const m = memKb(p);
        if (m && m.rssKb > this.peak.get(p)) this.peak.set(p, m.rssKb);
      }
    }, this.intervalMs);
    this.timer.unref();
  }
  /** Per pid: cpuPct (100 = one core busy), peakRssMb (sampled), hwmMb (kernel's lifetime peak). */
  stop() {
    clearInterval(this.timer);
    const wall = performance.now() - this.t0;
    const out = {};
    const m1 = machineCpuMs();
    if (m1 && this.machine0) {
      const busy = (100 * (m1.busy - this.machine0.busy)) / wall;
      let mine = (100 * ((cpuMs(process.pid) ?? 0) - (this.self0 ?? 0))) / wall;
      for (const p of this.pids) {
        const c1 = cpuMs(p);
        if (c1 != null && this.cpu0.get(p) != null) mine += (100 * (c1 - this.cpu0.get(p))) / wall;
      }
      // CPU used by processes this bench does not measure (other users of the machine): noise.
      out.machine = {
        busyPct: busy,
        othersPct: Math.max(0, busy - mine),
        softirqPct: (100 * (m1.softirq - this.machine0.softirq)) / wall,
        stealPct: (100 * (m1.steal - this.machine0.steal)) / wall,
      };
    }
    for (const p of this.pids) {
      const c1 = cpuMs(p);
      const c0 = this.cpu0.get(p);
      const m = memKb(p);
      out[p] = {
        cpuPct: c0 == null || c1 == null ? null : (100 * (c1 - c0)) / wall,
        peakRssMb: Math.max(this.peak.get(p), m?.rssKb ?? 0) / 1024,
        hwmMb: m ? m.hwmKb / 1024 : null,
      };
    }
    return out;
  }
}

function listeningInodes(port) {
  const inodes = new Set();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const localPort = parseInt(f[1].split(':')[1], 16);
      if (localPort === port && f[3] === '0A') inodes.add(f[9]); // 0A = LISTEN
    }
  }
  return inodes;
}

/** Pid of the process listening on a TCP port (via socket inodes), or null. */
export function pidListeningOn(port) {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let fds;
    try {
      fds = readdirSync(`/proc/${d}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${d}/fd/${fd}`));
        if (m && inodes.has(m[1])) return Number(d);
      } catch {
        /* fd closed meanwhile */
      }
    }
  }
  return null;
}
