import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  AdminLoginRequest,
  AdminLoginResponse,
  ClusterView,
  CreateRoomRequest,
  CreateRoomResponse,
  LoginRequest,
  LoginResponse,
  RoomSessionResponse,
  RoomSummariesResponse,
} from '@app/shared';
import { Observable, firstValueFrom } from 'rxjs';
import { ApiError } from './api-error';

/**
 * The backend's HTTP API (PROTOCOL.md). Relative URLs: the backend serves this app on the same origin.
 * Every call rejects with an {@link ApiError}; the bearer token is added by the auth interceptor.
 */
@Injectable({ providedIn: 'root' })
export class ApiClient {
  private readonly http = inject(HttpClient);

  /** `previousToken`: the access token this browser holds, so logging in again as the same name keeps the user id. */
  login(name: string, previousToken?: string | null): Promise<LoginResponse> {
    const body: LoginRequest = previousToken ? { name, previousToken } : { name };
    return this.call(this.http.post<LoginResponse>('/api/login', body));
  }

  adminLogin(secret: string): Promise<AdminLoginResponse> {
    const body: AdminLoginRequest = { secret };
    return this.call(this.http.post<AdminLoginResponse>('/api/admin/login', body));
  }

  createRoom(name?: string): Promise<CreateRoomResponse> {
    const body: CreateRoomRequest = name ? { name } : {};
    return this.call(this.http.post<CreateRoomResponse>('/api/rooms', body));
  }

  /** Summaries of up to 50 rooms (version 2): the live ones, in the order asked. */
  roomSummaries(roomIds: string[]): Promise<RoomSummariesResponse> {
    return this.call(this.http.get<RoomSummariesResponse>('/api/rooms', { params: { ids: roomIds.join(',') } }));
  }

  /** Get or start the room's session: where to connect, with a short-lived token. */
  roomSession(roomId: string): Promise<RoomSessionResponse> {
    return this.call(this.http.post<RoomSessionResponse>(`/api/rooms/${encodeURIComponent(roomId)}`, null));
  }

  /** The cluster view: with an admin token every room, else only the user's own. */
  cluster(adminToken?: string | null): Promise<ClusterView> {
    return this.call(this.http.get<ClusterView>('/api/cluster', { headers: bearer(adminToken) }));
  }

  /** Operator: the server takes no more rooms and its rooms move to other servers (admin token). */
  drainServer(serverId: string, adminToken: string | null): Promise<unknown> {
    return this.call(this.http.post(`/api/admin/servers/${encodeURIComponent(serverId)}/drain`, null, { headers: bearer(adminToken) }));
  }

  /** Operator: moves a room to `to`, or to the least loaded other server (admin token). */
  moveRoom(roomId: string, adminToken: string | null, to?: string): Promise<unknown> {
    return this.call(this.http.post(`/api/admin/rooms/${encodeURIComponent(roomId)}/move`, to ? { to } : {}, { headers: bearer(adminToken) }));
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
