import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import type { LoginResponse, UserRef } from '@app/shared';
import { deviceStorage } from './browser-storage';

export const SESSION_KEY = 'chat.session';

interface StoredSession {
  token: string;
  user: UserRef;
}

function parse(raw: string | null): StoredSession | null {
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof parsed.token === 'string' && parsed.user && typeof parsed.user.id === 'string') {
      return { token: parsed.token, user: parsed.user };
    }
  } catch {
    // A corrupt entry is treated as logged out.
  }
  return null;
}

/**
 * Who is logged in, in this browser: the access token lives in localStorage, so every tab shares one
 * identity (a share link opened in a new tab needs no login, and one person is one member whatever
 * the tab count). Another tab's login or logout reaches this one through the `storage` event.
 */
@Injectable({ providedIn: 'root' })
export class AuthSession {
  private readonly state = signal<StoredSession | null>(parse(deviceStorage.get(SESSION_KEY)));

  readonly token = computed(() => this.state()?.token ?? null);
  readonly user = computed(() => this.state()?.user ?? null);
  readonly isLoggedIn = computed(() => this.state() !== null);

  constructor() {
    const onStorage = (event: StorageEvent) => {
      if (event.key === SESSION_KEY || event.key === null) this.state.set(parse(deviceStorage.get(SESSION_KEY)));
    };
    globalThis.addEventListener?.('storage', onStorage);
    inject(DestroyRef).onDestroy(() => globalThis.removeEventListener?.('storage', onStorage));
  }

  signIn(response: LoginResponse): void {
    const session = { token: response.token, user: response.user };
    deviceStorage.set(SESSION_KEY, JSON.stringify(session));
    this.state.set(session);
  }

  signOut(): void {
    deviceStorage.remove(SESSION_KEY);
    this.state.set(null);
  }
}
