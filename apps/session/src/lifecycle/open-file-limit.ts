import { readFileSync } from 'node:fs';

/** Files (so sockets) this process may open: its soft limit, from /proc (Linux); null elsewhere. */
export function openFileLimit(limitsText = readProcLimits()): number | null {
  const line = limitsText?.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (soft === undefined) return null;
  return soft === 'unlimited' ? Infinity : Number(soft) || null;
}

function readProcLimits(): string | null {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return null;
  }
}

/** Files a server needs besides its clients' sockets: listeners, the store, Redis, logs, the heartbeat's HTTP pool. */
const OWN_FILES = 64;

/**
 * A warning when the open-file limit is below the connections this server was configured to hold
 * (MAX_ROOMS × MAX_MEMBERS): past the limit the kernel refuses every new socket, however idle the
 * server. Null when the limit is enough or unknown.
 */
export function openFileLimitWarning(maxRooms: number, maxMembers: number, limit = openFileLimit()): string | null {
  const wanted = maxRooms * maxMembers + OWN_FILES;
  if (limit === null || limit >= wanted) return null;
  return (
    `open-file limit ${limit} is below the ${maxRooms * maxMembers} connections this server may hold (MAX_ROOMS ${maxRooms} × MAX_MEMBERS ${maxMembers}): ` +
    `connections past about ${Math.max(0, limit - OWN_FILES)} will be refused. Raise it (ulimit -n, systemd LimitNOFILE, the container runtime's nofile) to at least ${wanted}.`
  );
}
