export interface ApiReply<T> {
  status: number;
  body: T;
  /** How long the call took. */
  ms: number;
}

/** One JSON call to a backend as any client makes it (given up after `timeoutMs`). */
export async function callApi<T>(base: string, method: string, path: string, token?: string, body?: unknown, timeoutMs = 10_000): Promise<ApiReply<T>> {
  const started = Date.now();
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, ms: Date.now() - started };
}

/** The p-th percentile of values (nearest rank), 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
