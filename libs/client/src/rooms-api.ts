import type {
  ApiErrorBody,
  ClusterView,
  CreateRoomResponse,
  LoginRequest,
  LoginResponse,
  RoomSessionResponse,
  RoomSummariesResponse,
  CreateRoomV2Fields,
} from '@app/shared';
import { resolveEnvironment, type ClientEnvironment, type FetchLike } from './environment';

/** A refused or failed HTTP call. `status` is 0 when no answer came (network, timeout). */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: Partial<ApiErrorBody> | string | null,
    /** From `Retry-After` (on 429 and 503), in ms. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(`${method} ${path}: ${status === 0 ? 'no answer' : status} ${ApiError.describe(body)}`.trim());
    this.name = 'ApiError';
  }

  /** The server's `message` for people, when it sent one. */
  get serverMessage(): string | null {
    if (this.body === null || typeof this.body === 'string') return this.body || null;
    const m = this.body.message;
    return Array.isArray(m) ? m.join('; ') : (m ?? null);
  }

  private static describe(body: Partial<ApiErrorBody> | string | null): string {
    if (body === null) return '';
    if (typeof body === 'string') return body.slice(0, 200);
    const m = body.message;
    return Array.isArray(m) ? m.join('; ') : (m ?? '');
  }
}

/** `POST /api/rooms` as a version-1 or version-2 backend answers it. */
export type CreatedRoom = CreateRoomResponse & CreateRoomV2Fields;
/** `POST /api/rooms/:roomId`: where the room lives, a token to go there, its epoch and name. */
export type RoomSession = RoomSessionResponse;

/** Where a connection gets its sessions: the backend's get-or-start call. Tests fake it. */
export interface SessionSource {
  roomSession(roomId: string): Promise<RoomSession>;
}

export interface RoomsApiOptions {
  /** The backend's base URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** An access token from an earlier `login`. */
  token?: string | null;
  /** Give up on a call after this long (default 15 s); the call fails with status 0. */
  timeoutMs?: number;
  env?: Pick<ClientEnvironment, 'fetch'>;
}

interface AbortSignalHost {
  AbortSignal?: { timeout(ms: number): unknown };
}

/** The backend's public HTTP API (docs/protocol.md, section 1). */
export class RoomsApi implements SessionSource {
  readonly baseUrl: string;
  /** The access token sent as `Authorization: Bearer`; set by `login`. */
  token: string | null;
  private readonly fetch: FetchLike;
  private readonly timeoutMs: number;

  constructor(options: RoomsApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token ?? null;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetch = resolveEnvironment(options.env).fetch;
  }

  /**
   * `POST /api/login`: a guest login; keeps the access token for the calls after it. With the
   * still-valid token of an earlier login under the same name, the user keeps its id.
   */
  async login(name: string, options: { previousToken?: string } = {}): Promise<LoginResponse> {
    const body: LoginRequest = options.previousToken ? { name, previousToken: options.previousToken } : { name };
    const res = await this.request<LoginResponse>('POST', '/api/login', body, false);
    this.token = res.token;
    return res;
  }

  /** `POST /api/rooms`: creates a room (with an optional name) and places it. */
  createRoom(name?: string): Promise<CreatedRoom> {
    return this.request<CreatedRoom>('POST', '/api/rooms', name === undefined ? {} : { name });
  }

  /** `GET /api/rooms?ids=` (version 2): summaries of the live rooms among `ids` (1–50), in that order. */
  roomSummaries(ids: readonly string[]): Promise<RoomSummariesResponse> {
    return this.request<RoomSummariesResponse>('GET', `/api/rooms?ids=${ids.map(encodeURIComponent).join(',')}`);
  }

  /** `POST /api/rooms/:roomId`: get or start the room's session (where it lives, a token to go there). */
  roomSession(roomId: string): Promise<RoomSession> {
    return this.request<RoomSession>('POST', `/api/rooms/${encodeURIComponent(roomId)}`);
  }

  /** `GET /api/cluster`: servers, their load and (as far as the caller may see) their rooms. */
  cluster(): Promise<ClusterView> {
    return this.request<ClusterView>('GET', '/api/cluster');
  }

  private async request<T>(method: string, path: string, body?: object, auth = true): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && this.token) headers['authorization'] = `Bearer ${this.token}`;
    const signal = (globalThis as AbortSignalHost).AbortSignal?.timeout(this.timeoutMs);
    let res;
    let text: string;
    try {
      res = await this.fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
      text = await res.text();
    } catch (err) {
      throw new ApiError(method, path, 0, err instanceof Error ? err.message : String(err));
    }
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!res.ok) {
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new ApiError(
        method,
        path,
        res.status,
        parsed as Partial<ApiErrorBody> | string | null,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
      );
    }
    return parsed as T;
  }
}
