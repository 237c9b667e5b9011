import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ClusterView } from '@app/shared';
import { ApiClient } from '../core/api-client.service';
import { AuthSession } from '../core/auth-session';
import { ApiError } from '../core/api-error';
import { CLOCK, type TimerHandle } from '../core/clock';
import { sortCards, toServerCard } from './server-card';

export const CLUSTER_REFRESH_MS = 2000;

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** `/cluster`: which session server holds which room, and how loaded each one is. */
@Component({
  selector: 'app-cluster',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  templateUrl: './cluster.component.html',
  styleUrl: './cluster.component.css',
})
export class ClusterComponent {
  private readonly api = inject(ApiClient);
  private readonly clock = inject(CLOCK);
  private readonly auth = inject(AuthSession);

  /** Operator actions are shown to an access token with the admin role (the backend checks it again). */
  protected readonly isAdmin = computed(() => tokenRole(this.auth.token()) === 'admin');
  /** What an operator's last action did, or why it failed. */
  protected readonly actionNotice = signal<string | null>(null);

  protected readonly view = signal<ClusterView | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly cards = computed(() => {
    const view = this.view();
    return view ? sortCards(view.servers.map((s) => toServerCard(s, view.at))) : [];
  });
  protected readonly totals = computed(() => {
    const live = this.cards().filter((c) => c.health !== 'dead');
    return {
      servers: live.length,
      rooms: live.reduce((n, c) => n + c.roomCount, 0),
      connections: live.reduce((n, c) => n + c.connections, 0),
      capacity: live.reduce((n, c) => n + c.capacity, 0),
    };
  });
  protected readonly updatedAt = computed(() => {
    const view = this.view();
    return view ? timeFormat.format(view.at) : null;
  });

  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor() {
    void this.refresh();
    inject(DestroyRef).onDestroy(() => {
      this.stopped = true;
      if (this.timer !== null) this.clock.clearTimeout(this.timer);
    });
  }

  protected async drain(serverId: string): Promise<void> {
    await this.act(() => this.api.drainServer(serverId), `Draining ${serverId}: its rooms move to other servers`);
  }

  protected async move(roomId: string): Promise<void> {
    await this.act(() => this.api.moveRoom(roomId), `Moving room ${roomId} to the least loaded other server`);
  }

  private async act(action: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await action();
      this.actionNotice.set(done);
    } catch (error) {
      this.actionNotice.set(ApiError.from(error).message);
    }
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (!this.stopped) void this.refresh();
  }

  /** One request at a time: the next one is scheduled when this one settles. */
  private async refresh(): Promise<void> {
    try {
      this.view.set(await this.api.cluster());
      this.error.set(null);
    } catch (error) {
      this.error.set(ApiError.from(error).message);
    }
    if (!this.stopped) this.timer = this.clock.setTimeout(() => void this.refresh(), CLUSTER_REFRESH_MS);
  }
}

/** The `role` claim of a JWT, read without verifying it (only to choose what to show). */
function tokenRole(token: string | null): unknown {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    return (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { role?: unknown }).role;
  } catch {
    return undefined;
  }
}
