import { Injectable, computed, signal } from '@angular/core';
import type { LoginResponse, UserRef } from '@app/shared';
import { tabStorage } from './browser-storage';

const KEY = 'chat.session';

interface StoredSession {
  token: string;
  user: UserRef;
}

function readStored(): StoredSession | null {
  const raw = tabStorage.get(KEY);
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

/** Who is logged in, in this tab: the access token lives in sessionStorage. */
@Injectable({ providedIn: 'root' })
export class AuthSession {
  private readonly state = signal<StoredSession | null>(readStored());

  readonly token = computed(() => this.state()?.token ?? null);
  readonly user = computed(() => this.state()?.user ?? null);
  readonly isLoggedIn = computed(() => this.state() !== null);

  signIn(response: LoginResponse): void {
    const session = { token: response.token, user: response.user };
    tabStorage.set(KEY, JSON.stringify(session));
    this.state.set(session);
  }

  signOut(): void {
    tabStorage.remove(KEY);
    this.state.set(null);
  }
}
