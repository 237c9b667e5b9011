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

  /** Get or start the room's session: where to connect, with a short-lived token. */
  roomSession(roomId: string): Promise<RoomSessionResponse> {
    return this.call(this.http.post<RoomSessionResponse>(`/api/rooms/${encodeURIComponent(roomId)}`, null));
  }

  /** The cluster view: with an admin token every room, else only the user's own. */
  cluster(adminToken?: string | null): Promise<ClusterView> {
    const headers = adminToken ? { Authorization: `Bearer ${adminToken}` } : undefined;
    return this.call(this.http.get<ClusterView>('/api/cluster', { headers }));
  }

  private async call<T>(request: Observable<T>): Promise<T> {
    try {
      return await firstValueFrom(request);
    } catch (error) {
      throw ApiError.from(error);
    }
  }
}
