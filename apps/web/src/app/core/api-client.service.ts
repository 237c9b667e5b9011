import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { RoomsApi } from '@app/client';
import type {
  AdminLoginRequest,
  AdminLoginResponse,
  ClusterView,
  CreateRoomResponse,
  LoginResponse,
  RoomSessionResponse,
  RoomSummariesResponse,
} from '@app/shared';
import { Observable, firstValueFrom } from 'rxjs';
import { ApiError } from './api-error';
import { httpClientFetch } from './http-client-fetch';

/**
 * The backend's HTTP API (PROTOCOL.md). The public calls are the SDK's RoomsApi over HttpClient; the
 * operator's calls, which the SDK does not have, are HttpClient's own. Relative URLs: the backend
 * serves this app on the same origin. Every call rejects with an {@link ApiError}; the bearer token is
 * added by the auth interceptor.
 */
@Injectable({ providedIn: 'root' })
export class ApiClient {
  private readonly http = inject(HttpClient);
  private readonly fetch = httpClientFetch(this.http);

  /** `previousToken`: the access token this browser holds, so logging in again as the same name keeps the user id. */
  login(name: string, previousToken?: string | null): Promise<LoginResponse> {
    return this.sdk(this.rooms().login(name, previousToken ? { previousToken } : {}));
  }

  adminLogin(secret: string): Promise<AdminLoginResponse> {
    const body: AdminLoginRequest = { secret };
    return this.call(this.http.post<AdminLoginResponse>('/api/admin/login', body));
  }

  createRoom(name?: string): Promise<CreateRoomResponse> {
    return this.sdk(this.rooms().createRoom(name || undefined));
  }

  /** Summaries of up to 50 rooms (version 2): the live ones, in the order asked. */
  roomSummaries(roomIds: string[]): Promise<RoomSummariesResponse> {
    return this.sdk(this.rooms().roomSummaries(roomIds));
  }

  /** Get or start the room's session: where to connect, with a short-lived token. */
  roomSession(roomId: string): Promise<RoomSessionResponse> {
    return this.sdk(this.rooms().roomSession(roomId));
  }

  /** The cluster view: with an admin token every room, else only the user's own. */
  cluster(adminToken?: string | null): Promise<ClusterView> {
    return this.sdk(this.rooms(adminToken).cluster());
  }

  /** Operator: the server takes no more rooms and its rooms move to other servers (admin token). */
  drainServer(serverId: string, adminToken: string | null): Promise<unknown> {
    return this.call(this.http.post(`/api/admin/servers/${encodeURIComponent(serverId)}/drain`, null, { headers: bearer(adminToken) }));
  }

  /** Operator: moves a room to `to`, or to the least loaded other server (admin token). */
  moveRoom(roomId: string, adminToken: string | null, to?: string): Promise<unknown> {
    return this.call(this.http.post(`/api/admin/rooms/${encodeURIComponent(roomId)}/move`, to ? { to } : {}, { headers: bearer(adminToken) }));
  }

  /**
   * A RoomsApi per call, holding no token of the user's own: the interceptor adds that one (and
   * treats a 401 on it as a logout); only an admin token is passed in, which the interceptor leaves be.
   */
  private rooms(ownToken: string | null = null): RoomsApi {
    return new RoomsApi({ baseUrl: '', token: ownToken, env: { fetch: this.fetch } });
  }

  private async sdk<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      throw ApiError.from(error);
    }
  }

  private async call<T>(request: Observable<T>): Promise<T> {
    try {
      return await firstValueFrom(request);
    } catch (error) {
      throw ApiError.from(error);
    }
  }
}

/** An Authorization header for a token other than the user's (the auth interceptor leaves it alone). */
function bearer(token: string | null | undefined): Record<string, string> | undefined {
  return token ? { Authorization: `Bearer ${token}` } : undefined;
}
