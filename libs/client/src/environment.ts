/**
 * Everything the SDK takes from its host, as small interfaces: the browser's and Node 24's global
 * `fetch` and `WebSocket` fit them as they are, and tests pass fakes (a fake transport, a fake clock,
 * a fixed random source) so no test waits on real time or opens a real socket.
 */

/** Opaque handle of a timer set through a {@link Clock}. */
export type TimerHandle = number | object;

/** Time, injected so tests move it by hand. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * An event handler property whose parameter is checked both ways, as DOM handlers are: the DOM's
 * `(this: WebSocket, ev: MessageEvent) => any` must fit where the SDK only reads `{ data }`, which a
 * strictly contravariant function type refuses (a browser app's `() => new WebSocket(url)` did not compile).
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of a WHATWG `WebSocket` the SDK uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

/** `WebSocket.readyState` values. */
export const SocketState = { Connecting: 0, Open: 1, Closing: 2, Closed: 3 } as const;

export type WebSocketFactory = (url: string) => WebSocketLike;

/** The part of a WHATWG `Response` the SDK reads. */
export interface ResponseLike {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface RequestInitLike {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: unknown;
}

/** The part of the global `fetch` the SDK uses. */
export type FetchLike = (url: string, init: RequestInitLike) => Promise<ResponseLike>;

/** What the host provides; every field has a default taken from `globalThis`. */
export interface ClientEnvironment {
  fetch?: FetchLike;
  createWebSocket?: WebSocketFactory;
  clock?: Clock;
  /** A number in [0, 1), like `Math.random`: the jitter of reconnect delays. */
  random?: () => number;
  /** A new `clientMsgId` (default: 128 random bits as hex). */
  randomId?: () => string;
}

/** The environment with every default filled in. */
export type ResolvedEnvironment = Required<ClientEnvironment>;

interface HostGlobals {
  fetch?: FetchLike;
  WebSocket?: new (url: string) => WebSocketLike;
  crypto?: { getRandomValues(array: Uint8Array): Uint8Array };
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

const host = globalThis as unknown as HostGlobals;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => host.setTimeout(fn, ms),
  clearTimeout: (handle) => host.clearTimeout(handle),
};

function defaultRandomId(random: () => number): () => string {
  return () => {
    const bytes = new Uint8Array(16);
    if (host.crypto) host.crypto.getRandomValues(bytes);
    else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  };
}

function missing(what: string): never {
  throw new Error(`@stateful-rooms/client: no global ${what}; pass one in the environment`);
}

export function resolveEnvironment(env: ClientEnvironment = {}): ResolvedEnvironment {
  const random = env.random ?? Math.random;
  return {
    // Looked up at call time, so a host that installs a global later (or a test that stubs it) still works.
    fetch: env.fetch ?? ((url, init) => (host.fetch ?? missing('fetch'))(url, init)),
    createWebSocket: env.createWebSocket ?? ((url) => new (host.WebSocket ?? missing('WebSocket'))(url)),
    clock: env.clock ?? systemClock,
    random,
    randomId: env.randomId ?? defaultRandomId(random),
  };
}
