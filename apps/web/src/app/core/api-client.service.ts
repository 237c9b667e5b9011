import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  ClusterView,
  CreateRoomRequest,
  CreateRoomResponse,
  LoginRequest,
  LoginResponse,
  RoomSessionResponse,
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

  login(name: string): Promise<LoginResponse> {
    const body: LoginRequest = { name };
    return this.call(this.http.post<LoginResponse>('/api/login', body));
  }

  createRoom(name?: string): Promise<CreateRoomResponse> {
    const body: CreateRoomRequest = name ? { name } : {};
    return this.call(this.http.post<CreateRoomResponse>('/api/rooms', body));
  }

  /** Get or start the room's session: where to connect, with a short-lived token. */
  roomSession(roomId: string): Promise<RoomSessionResponse> {
    return this.call(this.http.post<RoomSessionResponse>(`/api/rooms/${encodeURIComponent(roomId)}`, null));
  }

  cluster(): Promise<ClusterView> {
    return this.call(this.http.get<ClusterView>('/api/cluster'));
  }

  /** Operator: the server takes no more rooms and its rooms move to other servers (admin role). */
  drainServer(serverId: string): Promise<unknown> {
    return this.call(this.http.post(`/api/admin/servers/${encodeURIComponent(serverId)}/drain`, null));
  }

  /** Operator: moves a room to `to`, or to the least loaded other server (admin role). */
  moveRoom(roomId: string, to?: string): Promise<unknown> {
    return this.call(this.http.post(`/api/admin/rooms/${encodeURIComponent(roomId)}/move`, to ? { to } : {}));
  }

  private async call<T>(request: Observable<T>): Promise<T> {
    try {
      return await firstValueFrom(request);
    } catch (error) {
      throw ApiError.from(error);
    }
  }
}
