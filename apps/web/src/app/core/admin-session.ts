import { Injectable, computed, signal } from '@angular/core';
import { tabStorage } from './browser-storage';

const KEY = 'chat.admin';

/**
 * The operator's admin token (`POST /api/admin/login`), for the cluster page only. Kept in this tab
 * (sessionStorage): an admin view should not follow the browser around.
 */
@Injectable({ providedIn: 'root' })
export class AdminSession {
  private readonly state = signal<string | null>(tabStorage.get(KEY));

  readonly token = this.state.asReadonly();
  readonly isAdmin = computed(() => this.state() !== null);

  signIn(token: string): void {
    tabStorage.set(KEY, token);
    this.state.set(token);
  }

  signOut(): void {
    tabStorage.remove(KEY);
    this.state.set(null);
  }
}
