// Ports and processes of the servers a test starts, found through /proc (Linux).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export { freePort } from '../../scripts/free-port.mjs';

function numericDirs(path: string): number[] {
  try {
    return readdirSync(path)
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

/** The fields of /proc/<pid>/stat after "pid (comm) ", or null when there is no such process. */
function statFields(pid: number): string[] | null {
  try {
    // "pid (comm) state ppid ...": comm may contain spaces, so split after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

export function parentOf(pid: number): number | null {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : null;
}

/** The process exists and is not a zombie (exited, not yet reaped). Works for any owner. */
export function isAlive(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** Every live process below `root` in the process tree. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of numericDirs('/proc')) {
    const parent = parentOf(pid);
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Socket inodes listening on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const [, local, , state] = cols;
      if (state === '0A' && local.endsWith(`:${hexPort}`)) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/**
 * The process listening on `port`, looked for among `candidates` (every process by default);
 * undefined when none does.
 */
export function pidListeningOn(port: number, candidates: readonly number[] = numericDirs('/proc')): number | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  for (const pid of candidates) {
    for (const fd of numericDirs(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match && inodes.has(match[1])) return pid;
      } catch {
        // The fd closed meanwhile, or the process is not ours to read.
      }
    }
  }
  return undefined;
}
