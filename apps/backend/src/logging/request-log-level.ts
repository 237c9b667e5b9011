import type { Level } from 'pino';

/**
 * The level of a request's log line. Health probes poll `/health` every few seconds, and its 503
 * (not ready: no session server registered yet, or the directory unreachable) is an answer the
 * prober acts on, not a failure of the request: a debug line, or boot and every outage would
 * print an error per probe. Other server errors are errors; client errors are info.
 */
export function requestLogLevel(url: string | undefined, status: number): Level {
  if (url !== undefined && /^\/health(?:[/?]|$)/.test(url)) return 'debug';
  if (status >= 500) return 'error';
  return status >= 400 ? 'info' : 'debug';
}
